import { backgroundTimer, type Timer } from '../events/timers.js';
/**
 * A timer for a limit on time: fires `onExpire` once `ms` milliseconds have passed since it
 * was started or last {@link touch}ed. Touching is cheap (one clock read), so it can be done
 * on every read and write of a connection; the timer itself is re-armed only when it comes
 * due. It never keeps the process alive. An `ms` of 0 (or Infinity) means no limit.
 *
 * @example
 * ```ts
 * // An unauthenticated connection gets 30 s; an idle one is closed after 5 min.
 * const auth = new Deadline(30_000, () => socket.destroy());
 * const idle = new Deadline(300_000, () => void connection.close());
 * socket.on('data', () => idle.touch());
 * ```
 */
export class Deadline {
  readonly #ms: number;
  readonly #onExpire: () => void;
  #last = performance.now();
  #timer: Timer | undefined;

  constructor(ms: number, onExpire: () => void) {
    this.#ms = ms;
    this.#onExpire = onExpire;
    if (ms > 0 && Number.isFinite(ms)) this.#arm(ms);
  }

  /** Whether the deadline is still running (not expired, not cleared, and not unlimited). */
  get pending(): boolean {
    return this.#timer !== undefined;
  }

  /** Pushes the deadline to `ms` from now. */
  touch(): void {
    this.#last = performance.now();
  }

  /** Stops the timer for good. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(delay: number): void {
    this.#timer = backgroundTimer(() => this.#check(), delay);
  }

  #check(): void {
    // Timers may fire up to a millisecond early against performance.now(); 1 ms of slack
    // keeps that from re-arming for a zero-length delay forever.
    const left = this.#last + this.#ms - performance.now();
    if (left > 1) {
      this.#arm(left);
      return;
    }
    this.#timer = undefined;
    this.#onExpire();
  }
}
