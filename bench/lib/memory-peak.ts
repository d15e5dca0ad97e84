// What a bench process's peak RSS is made of: sampled while it runs, the sample with the most
// RSS kept (issue 12: "peak RSS < 64 MiB"; which part to cut is the question).
import { readFileSync } from 'node:fs';

/** One sample, in MiB. */
export interface RssParts {
  rss: number;
  /** Anonymous pages: V8's heap, ArrayBuffers, malloc, thread stacks (Linux only). */
  anon: number;
  /** File-backed pages: mostly the node binary's code and read-only data (Linux only). */
  file: number;
  /** V8's heap as committed (`heapTotal`) and its live part (`heapUsed`). */
  heapTotal: number;
  heapUsed: number;
  /** ArrayBuffer memory: socket reads, file pieces, alive or waiting for a scavenge. */
  arrayBuffers: number;
}

const MiB = 1024 * 1024;

/** A sample now. */
export function rssParts(): RssParts {
  const m = process.memoryUsage();
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'latin1');
  } catch {
    // Not Linux: no split into anonymous and file-backed pages.
  }
  const kb = (key: string): number =>
    Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
  return {
    rss: m.rss / MiB,
    anon: kb('RssAnon'),
    file: kb('RssFile'),
    heapTotal: m.heapTotal / MiB,
    heapUsed: m.heapUsed / MiB,
    arrayBuffers: m.arrayBuffers / MiB,
  };
}

/** `64.6 MiB = anon 23.4 (V8 heap 10.2, ArrayBuffers 4.1) + file 41.2`. */
export function formatRssParts(p: RssParts): string {
  const f = (n: number): string => n.toFixed(1);
  return `${f(p.rss)} MiB = anon ${f(p.anon)} (V8 heap ${f(p.heapTotal)}, ArrayBuffers ${f(p.arrayBuffers)}) + file ${f(p.file)}`;
}

/**
 * Samples every `everyMs` until stopped and keeps the sample with the most RSS. With
 * BENCH_MEMLOG=1 each sample is also printed on stderr, prefixed by `who`.
 */
export class MemoryPeak {
  peak: RssParts = rssParts();
  readonly #timer: NodeJS.Timeout;

  constructor(who: string, everyMs = 100) {
    const log = Boolean(process.env.BENCH_MEMLOG);
    this.#timer = setInterval(() => {
      const now = rssParts();
      if (now.rss > this.peak.rss) this.peak = now;
      if (log) console.error(`${who} ${formatRssParts(now)}`);
    }, everyMs);
    this.#timer.unref();
  }

  /** Stops sampling; the peak sampled. */
  stop(): RssParts {
    clearInterval(this.#timer);
    return this.peak;
  }
}
