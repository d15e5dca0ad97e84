// Garbage collections of a bench process over its timed window: what the allocation per
// message or chunk costs (each scavenge is a pause of the main thread). Only with BENCH_GC=1:
// watching costs the watched process ~40 µs of CPU per collection (Node builds a
// PerformanceEntry per GC, with deprecated getters made for each), ~8 % of an 8 KiB-chunk
// receiver's CPU with its ~330 scavenges per GiB, and ~1.5 MiB of its RSS.
import { PerformanceObserver } from 'node:perf_hooks';

/** Garbage collections seen by {@link gcWatch}, and the ms they paused the process. */
export interface GcCount {
  count: number;
  ms: number;
}

/**
 * Counts garbage collections from now until the returned function is called; with BENCH_GC
 * unset, counts none and the function returns undefined.
 */
export function gcWatch(): () => GcCount | undefined {
  if (!process.env.BENCH_GC) return () => undefined;
  const gc = { count: 0, ms: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.ms += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    return gc;
  };
}
