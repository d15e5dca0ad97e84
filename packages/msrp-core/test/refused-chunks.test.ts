// Chunks the receiving session refuses at their head (RFC 4975 §7.1, §10.5): a later chunk
// that breaks a limit stops the message under way; a first one never reaches the reader.
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint, newMessageId, type RefusedMessage, type SessionOptions } from '../src/index.js';
import { RawPeer, type RawRequestInit } from './helpers/raw-peer.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An accepting session of ours and a raw peer connected to its endpoint. */
async function listening(options: SessionOptions) {
  const e = new Endpoint();
  cleanups.push(() => e.close());
  const port = (await e.listen({ host: '127.0.0.1', port: 0 })).port!;
  // Streamed from the first chunk; the wait for missing chunks stays the default 120 s, which
  // a test that passed only through it would not finish within.
  const session = e.createSession({ inMemoryThreshold: 4, ...options });
  session.accept();
  const raw = await RawPeer.connect(port);
  cleanups.push(() => raw.destroy());
  return { session, raw };
}

/**
 * Sends `hello` as chunk 1-5 of a message and `second` as its next chunk, which the session
 * refuses with `status`; then a third chunk, as a sender ignoring that would: it gets 413
 * (the message was stopped), and the reader of the message learns it was aborted.
 */
async function stoppedMidway(
  options: SessionOptions,
  second: Partial<RawRequestInit>,
  status: number,
): Promise<void> {
  const { session, raw } = await listening(options);
  const to = [session.localUri];
  const inbox = session[Symbol.asyncIterator]();
  const messageId = newMessageId();
  const first = await raw.transact({
    toPath: to,
    messageId,
    body: 'hello',
    byteRange: { start: 1, end: 5, total: '*' },
    flag: '+',
  });
  expect(first.head.statusCode).toBe(200);
  const message = (await inbox.next()).value!;
  expect(message.stream).toBeDefined();
  const read = (async () => {
    for await (const piece of message.stream!) void piece;
  })().then(
    () => 'ended',
    () => 'aborted',
  );
  const refused = await raw.transact({
    toPath: to,
    messageId,
    body: 'world',
    byteRange: { start: 6, end: 10, total: '*' },
    flag: '+',
    ...second,
  });
  expect(refused.head.statusCode).toBe(status);
  const third = await raw.transact({
    toPath: to,
    messageId,
    body: 'again',
    byteRange: { start: 11, end: 15, total: '*' },
  });
  expect(third.head.statusCode).toBe(413);
  expect(message.aborted).toBe(true);
  expect(await read).toBe('aborted');
}

describe('a later chunk whose Byte-Range total exceeds max-size', () => {
  // RFC 4975 §10.5: "413 ... indicates that the receiving peer wishes the sender to stop
  // sending the particular message ... If a message sender receives a 413 ... it MUST NOT
  // send any further chunks in that message". Once we answered 413 the message is over:
  // its reader must learn it was aborted (not wait for bytes that will never come), and a
  // further chunk of it is refused like those of any stopped message (413), not taken (200).
  it('aborts the message under way and refuses its further chunks', async () => {
    await stoppedMidway({ maxSize: 100 }, { byteRange: { start: 6, end: 10, total: 1000 } }, 413);
  });
});

describe('a later chunk whose Content-Type is not accepted', () => {
  // RFC 4975 §10.6: a type the receiver does not accept gets 415. Refused at a later chunk,
  // the message under way cannot be completed either: it ends as after a 413.
  it('aborts the message under way and refuses its further chunks', async () => {
    await stoppedMidway({ acceptTypes: ['text/plain'] }, { contentType: 'image/png' }, 415);
  });
});

describe('a first chunk whose Byte-Range lies past max-size', () => {
  // RFC 4975 §10.5: a message over max-size is refused with 413. A chunk of unknown total
  // whose Byte-Range starts at byte 1000 (or ends at 101) of a session with max-size 100 is
  // over the limit before any byte is read; like one whose total is over it, it is refused
  // at its head: told through `refused` ("the reader never sees it", RefusedMessage), not
  // handed to the reader as an empty aborted message.
  it.each([
    ['1000-1002/*', { start: 1000, end: 1002, total: '*' as const }],
    ['99-101/*', { start: 99, end: 101, total: '*' as const }],
  ])('(%s) is refused with 413 and never reaches the reader', async (_, byteRange) => {
    const { session, raw } = await listening({ maxSize: 100 });
    const to = [session.localUri];
    const refused: RefusedMessage[] = [];
    session.on('refused', (r) => refused.push(r));
    const inbox = session[Symbol.asyncIterator]();
    const messageId = newMessageId();
    const over = await raw.transact({ toPath: to, messageId, body: 'abc', byteRange });
    expect(over.head.statusCode).toBe(413);
    const next = await raw.transact({ toPath: to, body: 'next' });
    expect(next.head.statusCode).toBe(200);
    expect(refused.map((r) => [r.messageId, r.error.status])).toEqual([[messageId, 413]]);
    expect((await inbox.next()).value!.text()).toBe('next');
  });
});
