// CPU time and run-queue wait of a process, from Linux's /proc/<pid>/task/*/schedstat: how long
// its threads ran, and how long they were runnable but waiting for a CPU. A process whose
// figures lag (timers late, replies slow) while its CPU use is low is either blocked on
// something that is not CPU or, when the wait is high, simply not given a core.
import { readdirSync, readFileSync } from 'node:fs';

/** Nanoseconds, summed over the process's threads. */
export interface SchedTimes {
  /** On a CPU. */
  runNs: number;
  /** Runnable, waiting in a run queue. */
  waitNs: number;
}

/** The process's times so far, or undefined where /proc has no schedstat (not Linux). */
export function schedTimes(pid: number): SchedTimes | undefined {
  let runNs = 0;
  let waitNs = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [run, wait] = readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ');
        runNs += Number(run);
        waitNs += Number(wait);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  } catch {
    return undefined;
  }
  return { runNs, waitNs };
}
