// Sending, end to end, as a property: any mix of messages (empty to a few hundred KiB, text
// or bytes, each with `send()` or in one `sendMany()`), sent at once under any chunk size
// and window, is delivered once each and exact, held in memory or streamed, and every send
// settles with what it delivered. Two sessions over an in-memory connection.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../src/index.js';
import { sessionPair } from './helpers/session-pair.js';

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The whole body of a message, read from its stream when it streams. */
async function bodyOf(message: IncomingMessage): Promise<Buffer> {
  if (!message.stream) return Buffer.from(message.body ?? new Uint8Array(0));
  const parts: Uint8Array[] = [];
  for await (const part of message.stream) parts.push(part);
  return Buffer.concat(parts);
}

/** A message: its bytes, and whether it goes alone (`send()`) or with the others of a run. */
const messages = fc.array(
  fc.record({
    size: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 300_000 })),
    seed: fc.nat(255),
    alone: fc.boolean(),
  }),
  { minLength: 1, maxLength: 12 },
);

const bytesOf = (size: number, seed: number): Uint8Array =>
  Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);

describe('Sending properties (two sessions in memory)', () => {
  it('delivers any mix of messages sent at once, under any chunk size and window, once and exact', async () => {
    await fc.assert(
      fc.asyncProperty(
        messages,
        fc.integer({ min: 1, max: 70_000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom(1024, 1024 * 1024),
        async (plan, chunkSize, maxInFlightChunks, inMemoryThreshold) => {
          const { a, b } = await sessionPair(cleanups, {
            sender: { chunkSize, maxInFlightChunks },
            receiver: { inMemoryThreshold },
          });
          const bodies = plan.map(({ size, seed }) => bytesOf(size, seed));
          const alone = plan.flatMap((m, i) => (m.alone ? [i] : []));
          const together = plan.flatMap((m, i) => (m.alone ? [] : [i]));
          // Read every message as it comes, in parallel: a streamed one holds its session's
          // queue until read.
          const inbox = b[Symbol.asyncIterator]();
          const reads: Array<Promise<Buffer>> = [];
          const received = (async () => {
            for (let k = 0; k < plan.length; k++) {
              const { value } = await inbox.next();
              reads.push(bodyOf(value as IncomingMessage));
            }
            return Promise.all(reads);
          })();
          const sent = await Promise.all([
            ...alone.map((i) => a.send(bodies[i]!).then((d) => d.bytes)),
            a.sendMany(together.map((i) => bodies[i]!)).then((d) => d.bytes),
          ]);
          const total = (indexes: number[]): number =>
            indexes.reduce((sum, i) => sum + bodies[i]!.length, 0);
          expect(sent).toEqual([...alone.map((i) => bodies[i]!.length), total(together)]);
          // Messages interleave by chunks: compare as a multiset of bodies.
          const got = (await received).map((buf) => buf.toString('base64')).sort();
          const want = bodies.map((body) => Buffer.from(body).toString('base64')).sort();
          expect(got).toEqual(want);
          await a.close();
        },
      ),
      { numRuns: 30, timeout: 20_000 },
    );
  }, 120_000);
});
