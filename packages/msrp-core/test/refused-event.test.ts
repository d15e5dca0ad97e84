// Session 'refused': an incoming message answered with an error status is told to the
// application once (it never reaches the reader), whatever the number of its chunks.
import { afterEach, describe, expect, it } from 'vitest';
import {
  cpimWrappedTypeCheck,
  createCpim,
  formatCpim,
  type RefusedMessage,
  type SessionOptions,
} from '../src/index.js';
import { next } from './helpers/inbox.js';
import { sessionPair } from './helpers/session-pair.js';

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A sender `a` and a receiver whose refusals are collected. */
async function pair(receiver: SessionOptions, sender: SessionOptions = {}) {
  const { a, b } = await sessionPair(cleanups, { receiver, sender });
  const refused: RefusedMessage[] = [];
  b.on('refused', (r) => refused.push(r));
  return { a, inbox: b[Symbol.asyncIterator](), refused };
}

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
    const wrapped = formatCpim(
      createCpim({ from: 'sip:a@example.com', contentType: 'image/png', body: 'x' }),
    );
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
