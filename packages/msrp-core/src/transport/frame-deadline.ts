import { backgroundTimer, type Timer } from '../events/timers.js';
/**
 * Bounds how long a frame in progress may go without progress: against peers that hold a
 * connection open by sending a frame a byte at a time (slowloris). It runs only while a
 * frame is in progress and we read: {@link touch} on the frame's first bytes and on each
 * progress (its head, a piece of body), {@link stop} between frames and while we hold the
 * peer back ourselves. One timer, re-armed only when it comes due, so touching per read is
 * cheap. An `ms` of 0 (or Infinity) means no limit.
 */
export class FrameDeadline {
  readonly #ms: number;
  readonly #onExpire: () => void;
  #since: number | undefined;
  #timer: Timer | undefined;
  #cleared = false;

  constructor(ms: number, onExpire: () => void) {
    this.#ms = ms > 0 && Number.isFinite(ms) ? ms : 0;
    this.#onExpire = onExpire;
  }

  /** Whether a frame is being timed. */
  get running(): boolean {
    return this.#since !== undefined;
  }

  /** The frame started or made progress: it has `ms` from now. */
  touch(): void {
    if (this.#ms === 0 || this.#cleared) return;
    this.#since = performance.now();
    if (this.#timer === undefined) this.#arm(this.#ms);
  }

  /** No frame in progress, or no progress expected: nothing is timed until {@link touch}. */
  stop(): void {
    this.#since = undefined;
  }

  /** Stops the timer for good. */
  clear(): void {
    this.#cleared = true;
    this.#since = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(delay: number): void {
    this.#timer = backgroundTimer(() => this.#check(), delay);
  }

  #check(): void {
    this.#timer = undefined;
    if (this.#since === undefined) return;
    // 1 ms of slack: timers may fire that much early against performance.now().
    const left = this.#since + this.#ms - performance.now();
    if (left > 1) return this.#arm(left);
    this.#since = undefined;
    this.#onExpire();
  }
}
