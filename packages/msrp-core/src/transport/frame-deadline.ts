import { sharedWheel, type TimerWheel, type WheelEntry } from './timer-wheel.js';
/**
 * Bounds how long a frame in progress may go without progress: against peers that hold a
 * connection open by sending a frame a byte at a time (slowloris). It runs only while a
 * frame is in progress and we read: {@link touch} on the frame's first bytes and on each
 * progress (its head, a piece of body), {@link stop} between frames and while we hold the
 * peer back ourselves. It waits in a shared coarse {@link TimerWheel} (no timer of its own),
 * rescheduled only when it comes due, so touching per read is cheap. An `ms` of 0 (or
 * Infinity) means no limit.
 */
export class FrameDeadline implements WheelEntry {
  readonly #ms: number;
  readonly #onExpire: () => void;
  readonly #wheel: TimerWheel;
  #since: number | undefined;
  /** The wheel slot it waits in, if any. */
  #slot: number | undefined;
  #cleared = false;

  constructor(ms: number, onExpire: () => void, wheel: TimerWheel = sharedWheel) {
    this.#ms = ms > 0 && Number.isFinite(ms) ? ms : 0;
    this.#onExpire = onExpire;
    this.#wheel = wheel;
  }

  /** Whether a frame is being timed. */
  get running(): boolean {
    return this.#since !== undefined;
  }

  /** The frame started or made progress: it has `ms` from now. */
  touch(): void {
    if (this.#ms === 0 || this.#cleared) return;
    this.#since = this.#wheel.now();
    this.#slot ??= this.#wheel.schedule(this, this.#ms);
  }

  /** No frame in progress, or no progress expected: nothing is timed until {@link touch}. */
  stop(): void {
    this.#since = undefined;
  }

  /** Stops the timer for good. */
  clear(): void {
    this.#cleared = true;
    this.#since = undefined;
    if (this.#slot !== undefined) this.#wheel.cancel(this, this.#slot);
    this.#slot = undefined;
  }

  /** The {@link TimerWheel} slot it waits in came due (called by the wheel). */
  due(): void {
    this.#slot = undefined;
    if (this.#since === undefined) return;
    // 1 ms of slack: timers may fire that much early against the clock.
    const left = this.#since + this.#ms - this.#wheel.now();
    if (left > 1) {
      this.#slot = this.#wheel.schedule(this, left);
      return;
    }
    this.#since = undefined;
    this.#onExpire();
  }
}
