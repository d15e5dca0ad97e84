// Incoming messages refused: SessionOptions.checkMessage refuses a whole message by content
// before its last chunk is answered (RFC 4975 §8.6: 415 for a CPIM-wrapped type outside
// accept-wrapped-types), and the session's 'refused' event tells the application of each
// message refused, once, whatever the number of its chunks.
import { describe, expect, it } from 'vitest';
import {
  cpimWrappedTypeCheck,
  createCpim,
  formatCpim,
  type DeliveryError,
  type MessageChecker,
  type RefusedMessage,
  type SessionOptions,
} from '../src/index.js';
import { next } from './helpers/inbox.js';
import { sessionPair } from './helpers/session-pair.js';
import { cleanups } from './helpers/cleanups.js';

/** A sender `a` and a receiver read by `inbox`, whose refusals are collected. */
async function pair(receiver: SessionOptions, sender: SessionOptions = {}) {
  const { a, b } = await sessionPair(cleanups, { receiver, sender });
  const refused: RefusedMessage[] = [];
  b.on('refused', (r) => refused.push(r));
  return { a, inbox: b[Symbol.asyncIterator](), refused };
}

function cpim(contentType: string, body: string | Uint8Array): Uint8Array {
  return formatCpim(createCpim({ from: 'sip:a@example.com', contentType, body }));
}

const RCS_WRAPPED = cpimWrappedTypeCheck(['text/plain', 'message/imdn+xml']);

describe('checkMessage', () => {
  it('answers 415 to a CPIM wrapping a type outside accept-wrapped-types, and delivers the rest', async () => {
    const { a, inbox } = await pair({ checkMessage: RCS_WRAPPED });
    const refused = await a
      .send(cpim('image/png', new Uint8Array([1, 2, 3])), { contentType: 'message/cpim' })
      .then(
        () => undefined,
        (e: unknown) => e as DeliveryError,
      );
    expect(refused?.status).toBe(415);
    expect(refused?.code).toBe('MSRP_ERR_UNSUPPORTED_TYPE');
    // Taken: text/plain in CPIM, and bare text (the check looks at CPIM only).
    await a.send(cpim('text/plain;charset=utf-8', 'hello'), { contentType: 'message/cpim' });
    await a.send('bare');
    const first = await next(inbox);
    expect(first.contentType?.subtype).toBe('cpim');
    expect((await next(inbox)).text()).toBe('bare');
  });

  it('refuses at the last chunk of a message in several chunks', async () => {
    const { a, inbox } = await pair({ checkMessage: RCS_WRAPPED }, { chunkSize: 16 });
    const body = cpim('application/octet-stream', new Uint8Array(200));
    await expect(a.send(body, { contentType: 'message/cpim' })).rejects.toMatchObject({
      status: 415,
    });
    await a.send('after');
    expect((await next(inbox)).text()).toBe('after');
  });

  it('takes the message when the checker passes or throws (an app bug is no peer fault)', async () => {
    const seen: string[] = [];
    const checker: MessageChecker = (m) => {
      seen.push(new TextDecoder().decode(m.body));
      if (seen.length === 1) throw new Error('app bug');
      return undefined;
    };
    const { a, inbox } = await pair({ checkMessage: checker });
    await a.send('one');
    await a.send('two');
    expect((await next(inbox)).text()).toBe('one');
    expect((await next(inbox)).text()).toBe('two');
    expect(seen).toEqual(['one', 'two']);
  });

  it('lets unreadable CPIM through for the chat to report', async () => {
    const { a, inbox } = await pair({ checkMessage: RCS_WRAPPED });
    await a.send('not cpim at all', { contentType: 'message/cpim' });
    expect((await next(inbox)).text()).toBe('not cpim at all');
  });
});

describe("session 'refused'", () => {
  it('tells once of a type not accepted, however many of its chunks were in flight', async () => {
    const { a, inbox, refused } = await pair({ acceptTypes: ['text/*'] }, { chunkSize: 16 });
    const sending = a.send(new Uint8Array(200), { contentType: 'image/png' });
    await expect(sending).rejects.toMatchObject({ status: 415 });
    // Delivered messages are not refusals; the one after shows the refused one's chunks are in.
    await a.send('after');
    expect((await next(inbox)).text()).toBe('after');
    expect(refused).toHaveLength(1);
    const [r] = refused;
    expect([r!.contentType, r!.size, r!.error.status]).toEqual(['image/png', 200, 415]);
    expect(r!.messageId).toMatch(/^[0-9a-f]+$/);
    expect(r!.error.message).toBe('Content type image/png not accepted');
  });

  it('tells of a message over max-size, and of one the message check refused mid-way', async () => {
    const check = cpimWrappedTypeCheck(['text/plain']);
    const { a, inbox, refused } = await pair(
      { maxSize: 100, checkMessage: check },
      { chunkSize: 16 },
    );
    await expect(a.send(new Uint8Array(300))).rejects.toMatchObject({ status: 413 });
    const wrapped = cpim('image/png', 'x');
    await expect(a.send(wrapped, { contentType: 'message/cpim' })).rejects.toMatchObject({
      status: 415,
    });
    await a.send('after');
    expect((await next(inbox)).text()).toBe('after');
    expect(refused.map((r) => [r.contentType, r.size, r.error.status])).toEqual([
      ['application/octet-stream', 300, 413],
      ['message/cpim', wrapped.length, 415],
    ]);
  });
});
