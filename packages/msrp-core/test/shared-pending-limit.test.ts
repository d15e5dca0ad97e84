// The endpoint's `maxPending` bounds the requests awaiting a response on one connection; the
// sessions sharing it each fill their own window of chunks. Together they may want more than
// that bound: a chunk then waits for a 200 to free a place, it does not fail its message.
import { describe, expect, it } from 'vitest';
import { type Session } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { endpoint } from './helpers/cleanups.js';

/** Reads the next message of `session` to its end: its size. */
async function readNext(session: Session): Promise<number> {
  const message = await next(session[Symbol.asyncIterator]());
  let bytes = 0;
  for await (const part of message.stream!) bytes += part.length;
  return bytes;
}

const SIZE = 2 * 1024 * 1024;

describe('sessions whose windows add up to more than maxPending', () => {
  for (const sessions of [1, 4]) {
    it(`deliver every message (${sessions} session${sessions > 1 ? 's' : ''}, one connection)`, async () => {
      const b = endpoint();
      await b.listen({ host: '127.0.0.1', port: 0 });
      // 4 × 48 chunks in flight want 192 places; one session's 48 alone outgrow 32.
      const a = endpoint({
        maxPending: sessions === 1 ? 32 : 64,
        session: { chunkSize: 1024, maxInFlightChunks: 48, maxInFlightBytes: 1024 * 1024 },
      });
      const pairs = await Promise.all(
        Array.from({ length: sessions }, async () => {
          const receiver = b.createSession();
          receiver.accept();
          const sender = a.createSession();
          await sender.connect([receiver.localUri]);
          return { sender, receiver };
        }),
      );
      const body = new Uint8Array(SIZE).fill(0x61);
      const sent = pairs.map(({ sender }) =>
        sender.send(body, { contentType: 'application/octet-stream' }),
      );
      const read = pairs.map(({ receiver }) => readNext(receiver));
      const deliveries = await Promise.all(sent);
      expect(deliveries.map((d) => d.bytes)).toEqual(pairs.map(() => SIZE));
      expect(await Promise.all(read)).toEqual(pairs.map(() => SIZE));
    });
  }
});
