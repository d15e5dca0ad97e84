// A message of unknown size (Byte-Range total `*`) refused 413 once it passes maxSize, before
// any of it reached the reader (held in memory). SessionEvents.refused: "An incoming message was
// refused (a content type not accepted, over max-size, too many at once...): its sender got the
// status, the reader gets nothing. Once per message." README: "A message refused so never
// reaches the reader; the session's `refused` event tells of it once".
import { afterEach, expect, it } from 'vitest';
import { Endpoint, type RefusedMessage } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { RawPeer } from './helpers/raw-peer.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const text = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123';

async function setup() {
  const b = new Endpoint({ host: '127.0.0.1' });
  cleanups.push(() => b.close());
  const port = (await b.listen({ host: '127.0.0.1', port: 0 })).port!;
  const session = b.createSession({ maxSize: 20 });
  session.accept();
  const refused: RefusedMessage[] = [];
  session.on('refused', (r) => refused.push(r));
  const peer = await RawPeer.connect(port);
  cleanups.push(() => peer.destroy());
  return { session, peer, refused, to: [session.localUri], inbox: session[Symbol.asyncIterator]() };
}

it('tells of a message of unknown size whose next chunk lies past maxSize, and delivers nothing', async () => {
  const { peer, refused, to, inbox } = await setup();
  const chunk = (start: number, end: number) => ({
    toPath: to,
    messageId: 'grows-1',
    byteRange: { start, end, total: '*' as const },
    body: text.slice(start - 1, end),
  });
  expect((await peer.transact({ ...chunk(1, 10), flag: '+' })).head.statusCode).toBe(200);
  expect((await peer.transact({ ...chunk(11, 30), flag: '$' })).head.statusCode).toBe(413);
  await peer.transact({ toPath: to, messageId: 'marker-1', body: 'after' });
  const m = await next(inbox, 2000);
  // Now: the reader gets 'grows-1' (aborted, 10 octets) and no 'refused' event comes.
  expect({
    delivered: m.messageId,
    refused: refused.map((r) => [r.messageId, r.error.status]),
  }).toEqual({ delivered: 'marker-1', refused: [['grows-1', 413]] });
});

it('tells of a message in one chunk 1-*/* growing past maxSize, and delivers nothing', async () => {
  const { peer, refused, to, inbox } = await setup();
  const head = peer.requestHead({
    toPath: to,
    messageId: 'grows-2',
    byteRange: { start: 1, end: '*', total: '*' },
    body: text,
  });
  peer.writeFrame(head, Buffer.from(text), '$');
  const answer = await peer.response(head.transactionId);
  expect(answer.head.statusCode).toBe(413);
  await peer.transact({ toPath: to, messageId: 'marker-2', body: 'after' });
  const m = await next(inbox, 2000);
  expect({
    delivered: m.messageId,
    refused: refused.map((r) => [r.messageId, r.error.status]),
  }).toEqual({ delivered: 'marker-2', refused: [['grows-2', 413]] });
});
