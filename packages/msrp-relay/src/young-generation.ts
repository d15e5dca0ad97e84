import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/** Options of {@link adaptYoungGeneration}. */
export interface YoungGenerationOptions {
  /**
   * A count that grows with the work done, read every `intervalMs`: a relay's
   * `stats.requestsForwarded`. The young generation may grow only while it grows by `busyRate`
   * a second or more (a relay holding idle sessions, or authenticating them, keeps its RSS).
   * Default: none, the heap alone decides.
   */
  work?: () => number;
  /** The rate of `work`, per second, from which the process counts as busy. Default 500. */
  busyRate?: number;
  /** JS heap in use, in bytes, above which the young generation may grow. Default 64 MiB. */
  growAbove?: number;
  /**
   * JS heap in use, in bytes, at or below which it may not grow any more (V8 shrinks it when
   * allocation slows down). Default 32 MiB.
   */
  holdBelow?: number;
  /** How often the heap is looked at, in ms. Default 1000. */
  intervalMs?: number;
  /** The JS heap in use now, in bytes. Default: V8's `used_heap_size`. */
  heapUsed?: () => number;
  /** Sets V8 flags. Default `v8.setFlagsFromString`. */
  setFlags?: (flags: string) => void;
}

/** What {@link adaptYoungGeneration} returns. */
export interface YoungGenerationControl {
  /** Whether the young generation may grow now. */
  readonly growing: boolean;
  /** Stops looking at the heap; the flag stays as it was last set. */
  stop(): void;
}

const MiB = 1024 * 1024;

/** Holds V8's young generation at its size now (see {@link adaptYoungGeneration}). */
export function holdYoungGeneration(setFlags: (flags: string) => void = setFlagsFromString): void {
  setFlags('--semi-space-growth-factor=1');
}

/**
 * Lets V8's young generation grow only while the JS heap is large and the process busy: a relay
 * forwarding a few transfers keeps 1 MiB semi-spaces (its RSS, issue 12), one with thousands of
 * busy sessions gets larger ones (its GC pauses, issue 13). For a process started with
 * `--max-semi-space-size=16` (the `msrp-relay` bin's): V8 reads `--semi-space-growth-factor`
 * each time it would grow the young generation, so a factor of 1 holds it where it is (V8
 * raises a factor under 2 given on the command line to 2, at start only) and 2 lets it double
 * up to that maximum. With 1 MiB semi-spaces, a relay with a 100-150 MiB heap and 10,000 busy
 * sessions spent 17-20 % of its time in ~2,000 scavenges a minute, each scanning its large old
 * generation's pointers into the young one; with 16 MiB, 7-10 % (bench relay-active).
 *
 * Holds the young generation at once, then looks every `intervalMs` (an unref'd timer: it keeps
 * no process alive). Growth done before the first hold stays: call {@link holdYoungGeneration}
 * before loading much (the bin does).
 */
export function adaptYoungGeneration(options: YoungGenerationOptions = {}): YoungGenerationControl {
  const growAbove = options.growAbove ?? 64 * MiB;
  const holdBelow = options.holdBelow ?? 32 * MiB;
  const intervalMs = options.intervalMs ?? 1000;
  const { work } = options;
  const busyPerInterval = ((options.busyRate ?? 500) * intervalMs) / 1000;
  const heapUsed = options.heapUsed ?? (() => getHeapStatistics().used_heap_size);
  const setFlags = options.setFlags ?? setFlagsFromString;
  let growing = false;
  let large = false;
  let done = work?.() ?? 0;
  holdYoungGeneration(setFlags);
  const timer = setInterval(() => {
    const used = heapUsed();
    // Hysteresis: large above growAbove until at or below holdBelow.
    large = large ? used > holdBelow : used > growAbove;
    let busy = true;
    if (work) {
      const now = work();
      busy = now - done >= busyPerInterval;
      done = now;
    }
    if (large && busy) {
      if (!growing) setFlags('--semi-space-growth-factor=2');
      growing = true;
    } else if (growing) {
      growing = false;
      holdYoungGeneration(setFlags);
    }
  }, intervalMs);
  timer.unref();
  return {
    get growing() {
      return growing;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
