// Sending, end to end, as a property: any mix of messages (empty to a few hundred KiB, each
// with `send()` or in one `sendMany()`), sent at once under any chunk size
// and window, is delivered once each and exact, held in memory or streamed, and every send
// settles with what it delivered. Two sessions over an in-memory connection.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { exchange, mixes } from './helpers/message-mix.js';
import { sessionPair } from './helpers/session-pair.js';
import { cleanups } from './helpers/cleanups.js';

describe('Sending properties (two sessions in memory)', () => {
  it('delivers any mix of messages sent at once, under any chunk size and window, once and exact', async () => {
    await fc.assert(
      fc.asyncProperty(
        mixes(300_000, 12),
        fc.integer({ min: 1, max: 70_000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom(1024, 1024 * 1024),
        async (mix, chunkSize, maxInFlightChunks, inMemoryThreshold) => {
          const { a, b } = await sessionPair(cleanups, {
            sender: { chunkSize, maxInFlightChunks },
            receiver: { inMemoryThreshold },
          });
          await exchange(a, b, mix);
          await a.close();
        },
      ),
      { numRuns: 30, timeout: 20_000 },
    );
  }, 120_000);
});
