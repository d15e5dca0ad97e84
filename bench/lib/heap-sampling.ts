// BENCH_HEAP_PROFILE=DIR: a sampling heap profile of a bench process that counts every object
// allocated, those the GC already collected included, so short-lived garbage per message shows
// (or, with BENCH_HEAP_SURVIVORS=1, only those that survived the young generation).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A heap sampling under way: `stop()` writes it as `name-<time>.heapprofile` in the DIR. */
export interface HeapSampling {
  stop(): Promise<void>;
}

/** Starts sampling when BENCH_HEAP_PROFILE is set; undefined otherwise. */
export async function startHeapSampling(name: string): Promise<HeapSampling | undefined> {
  const dir = process.env.BENCH_HEAP_PROFILE;
  if (!dir) return undefined;
  // Loaded only when sampling: a measured peer loads no more than its role needs (issue 12).
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    // BENCH_HEAP_SURVIVORS=1: only what outlived its scavenges (promoted: the old generation's growth).
    includeObjectsCollectedByMinorGC: !process.env.BENCH_HEAP_SURVIVORS,
  });
  return {
    async stop() {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      await writeFile(join(dir, `${name}-${Date.now()}.heapprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}
