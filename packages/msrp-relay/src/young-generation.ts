import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/** Options of {@link adaptYoungGeneration}. */
export interface YoungGenerationOptions {
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
  /** Whether the young generation may grow now (the heap was last seen large). */
  readonly growing: boolean;
  /** Stops looking at the heap; the flag stays as it was last set. */
  stop(): void;
}

const MiB = 1024 * 1024;

/**
 * Lets V8's young generation grow only while the JS heap is large: a relay forwarding a few
 * transfers keeps 1 MiB semi-spaces (its RSS, issue 12), one holding thousands of busy sessions
 * gets larger ones (its GC pauses, issue 13). For a process started with
 * `--max-semi-space-size=16` (the `msrp-relay` bin's): V8 reads `--semi-space-growth-factor`
 * each time it would grow the young generation, so a factor of 1 holds it where it is (V8
 * raises a factor under 2 given on the command line to 2, at start only), and 2 lets it double
 * up to that maximum. With 1 MiB semi-spaces a relay with a 100-150 MiB heap spent 14-18 % of
 * its time in scavenges of ~3 ms each, its remembered set and survivors dominating each; 16 MiB
 * made them ~12 times fewer (bench relay-active; docs/operators.md, "Memory").
 *
 * Sets the small-heap factor at once, then looks at the heap every `intervalMs` (an unref'd
 * timer: it keeps no process alive). Call it once, early: growth already done stays.
 */
export function adaptYoungGeneration(options: YoungGenerationOptions = {}): YoungGenerationControl {
  const growAbove = options.growAbove ?? 64 * MiB;
  const holdBelow = options.holdBelow ?? 32 * MiB;
  const heapUsed = options.heapUsed ?? (() => getHeapStatistics().used_heap_size);
  const setFlags = options.setFlags ?? setFlagsFromString;
  let growing = false;
  setFlags('--semi-space-growth-factor=1');
  const timer = setInterval(() => {
    const used = heapUsed();
    if (!growing && used > growAbove) {
      growing = true;
      setFlags('--semi-space-growth-factor=2');
    } else if (growing && used <= holdBelow) {
      growing = false;
      setFlags('--semi-space-growth-factor=1');
    }
  }, options.intervalMs ?? 1000);
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
