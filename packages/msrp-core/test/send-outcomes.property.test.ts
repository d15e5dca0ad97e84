// How sends end, as a property: any mix of messages, some asking for a success REPORT, some
// of a type the receiver refuses (415) or refuses by content (413), some aborted at once, a
// moment later or from their first progress, some whose onProgress throws, sent at once under
// any chunk size and window to a receiver holding them in memory or streaming them, settle
// as the receiver saw them (helpers/send-outcomes.ts). Two sessions over an in-memory
// connection.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { outcomeMixes, REFUSING, senderOptions, settleMix } from './helpers/send-outcomes.js';
import { sessionPair } from './helpers/session-pair.js';
import { cleanups } from './helpers/cleanups.js';

describe('Send outcomes (two sessions in memory)', () => {
  it('every send settles as the receiver saw its message', async () => {
    await fc.assert(
      fc.asyncProperty(
        outcomeMixes(200_000, 10),
        fc.integer({ min: 1, max: 70_000 }),
        fc.integer({ min: 1, max: 16 }),
        fc.constantFrom(1024, 1024 * 1024),
        fc.boolean(),
        async (mix, chunkSize, maxInFlightChunks, inMemoryThreshold, confirmWhenRead) => {
          const { a, b } = await sessionPair(cleanups, {
            sender: senderOptions(mix, chunkSize, maxInFlightChunks),
            receiver: { ...REFUSING, inMemoryThreshold, confirmWhenRead },
          });
          await settleMix(a, b, mix, inMemoryThreshold);
          await a.close();
        },
      ),
      { numRuns: 40, timeout: 20_000 },
    );
  }, 120_000);
});
