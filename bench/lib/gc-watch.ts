// Garbage collections of a bench process over its timed window: what the allocation per
// message or chunk costs (each scavenge is a pause of the main thread).
import { PerformanceObserver } from 'node:perf_hooks';

/** Garbage collections seen by {@link gcWatch}, and the ms they paused the process. */
export interface GcCount {
  count: number;
  ms: number;
}

/** Counts garbage collections from now until the returned function is called. */
export function gcWatch(): () => GcCount {
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
