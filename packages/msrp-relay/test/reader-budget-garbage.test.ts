// A ReaderBudget outlives many chunks (one per next hop), so V8 keeps it in the old generation:
// what it allocates per chunk there is garbage only a full collection frees (issue 12: the
// relay's peak RSS is its old generation's climb to the next full GC).
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { ForwardedRequest } from '../src/forwarded-request.js';
import { ReaderBudget } from '../src/reader-budget.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const oldSpaceUsed = (): number =>
  getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;

describe('ReaderBudget', () => {
  it('allocates nothing in the old generation per sender that starts and stops reading', () => {
    const budget = new ReaderBudget(1024 * 1024, {
      queued: () => 0,
      uncuttable: () => false,
      perRequest: 64 * 1024,
      evict: () => undefined,
      now: () => 0,
    });
    const requests = [0, 1].map(
      () => ({ reading: false, readSince: 0, readBytes: 0 }) as unknown as ForwardedRequest,
    );
    const chunks = (n: number): void => {
      for (let i = 0; i < n; i++) {
        // One sender per chunk, the usual case; sometimes two.
        budget.start(requests[0]!);
        if (i % 8 === 0) budget.start(requests[1]!);
        budget.stop(requests[0]!);
        budget.stop(requests[1]!);
      }
    };
    // Warm up (the first reader makes the list; the loop is compiled and optimised, which puts
    // code metadata in the old generation), then promote the budget and its list.
    chunks(20_000);
    gc();
    gc();
    const before = oldSpaceUsed();
    chunks(20_000);
    // A Set emptied per chunk built a new table each time, in the old generation: ~2.4 MB here.
    // The bound leaves room for what the test worker itself promotes meanwhile (~200 KB seen).
    expect(oldSpaceUsed() - before).toBeLessThan(512 * 1024);
    // Still counts its readers: one may always start while the queue is under its limit.
    expect(budget.admits(0)).toBe(true);
    budget.start(requests[0]!);
    budget.start(requests[1]!);
    expect(budget.keeps(1024 * 1024 - 2 * 64 * 1024)).toBe(true);
    expect(budget.keeps(1024 * 1024 - 2 * 64 * 1024 + 1)).toBe(false);
  });
});
