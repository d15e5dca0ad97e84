import { sharedWheel, type TimerWheel, type WheelEntry } from './timer-wheel.js';
/**
 * A timer for a limit on time: fires `onExpire` once `ms` milliseconds have passed since it
 * was started or last {@link touch}ed. Touching is cheap (one clock read), so it can be done
 * on every read and write of a connection; it is rescheduled only when it comes due. It
 * runs on a shared coarse {@link TimerWheel} (no timer of its own, fires at most ~3 % late)
 * and never keeps the process alive. An `ms` of 0 (or Infinity) means no limit.
 *
 * @example
 * ```ts
 * // An unauthenticated connection gets 30 s; an idle one is closed after 5 min.
 * const auth = new Deadline(30_000, () => socket.destroy());
 * const idle = new Deadline(300_000, () => void connection.close());
 * socket.on('data', () => idle.touch());
 * ```
 */
export class Deadline implements WheelEntry {
  readonly #ms: number;
  readonly #onExpire: () => void;
  readonly #wheel: TimerWheel;
  #last: number;
  /** The wheel slot it waits in, while pending. */
  #slot: number | undefined;

  constructor(ms: number, onExpire: () => void, wheel: TimerWheel = sharedWheel) {
    this.#ms = ms;
    this.#onExpire = onExpire;
    this.#wheel = wheel;
    this.#last = wheel.now();
    if (ms > 0 && Number.isFinite(ms)) this.#slot = wheel.schedule(this, ms);
  }

  /** Whether the deadline is still running (not expired, not cleared, and not unlimited). */
  get pending(): boolean {
    return this.#slot !== undefined;
  }

  /** Pushes the deadline to `ms` from now. */
  touch(): void {
    this.#last = this.#wheel.now();
  }

  /** Stops the timer for good. */
  clear(): void {
    if (this.#slot !== undefined) this.#wheel.cancel(this, this.#slot);
    this.#slot = undefined;
  }

  /** The {@link TimerWheel} slot it waits in came due (called by the wheel). */
  due(): void {
    if (this.#slot === undefined) return;
    // Timers may fire up to a millisecond early against the clock; 1 ms of slack keeps
    // that from rescheduling for a zero-length delay forever.
    const left = this.#last + this.#ms - this.#wheel.now();
    if (left > 1) {
      this.#slot = this.#wheel.schedule(this, left);
      return;
    }
    this.#slot = undefined;
    this.#onExpire();
  }
}
