// CPU time per thread of a live process (Linux /proc), to find a copy's critical path: a
// process's main thread (JavaScript, the hash, synchronous syscalls) apart from its other
// threads (libuv's pool doing file reads and writes, V8's GC helpers).
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time in ms of a process's main thread and of all its other threads together. */
export interface ThreadCpu {
  main: number;
  others: number;
}

/** utime + stime of one /proc stat line, in ms (USER_HZ is 100 on Linux). */
function statMs(text: string): number {
  const fields = text.slice(text.lastIndexOf(') ') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/**
 * Samples a process's threads every 20 ms while it lives: a thread's CPU time is known only
 * while it exists, so the last sample of each one counts (`stop()` takes a last one).
 */
export class ThreadCpuSampler {
  readonly #pid: number;
  readonly #last = new Map<string, number>();
  readonly #start = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;

  /** Counts from now on (a thread's time before is left out: the listener's start). */
  constructor(pid: number) {
    this.#pid = pid;
    this.#sample(this.#start);
    this.#timer = setInterval(() => this.#sample(this.#last), 20);
  }

  #sample(into: Map<string, number>): void {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${this.#pid}/task`);
    } catch {
      return; // gone
    }
    for (const tid of tids) {
      try {
        into.set(tid, statMs(readFileSync(`/proc/${this.#pid}/task/${tid}/stat`, 'utf8')));
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }

  /** Stops sampling (after a last sample) and returns the CPU time since the start. */
  stop(): ThreadCpu {
    this.#sample(this.#last);
    clearInterval(this.#timer);
    const result = { main: 0, others: 0 };
    for (const [tid, ms] of this.#last) {
      const used = ms - (this.#start.get(tid) ?? 0);
      if (tid === String(this.#pid)) result.main += used;
      else result.others += used;
    }
    return result;
  }
}

/** `main 2450 + others 260 ms` */
export function formatThreadCpu(cpu: ThreadCpu): string {
  return `main ${cpu.main.toFixed(0)} + others ${cpu.others.toFixed(0)} ms`;
}
