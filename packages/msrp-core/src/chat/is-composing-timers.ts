// The clock and timers of the is-composing state machines, injectable so that tests (and
// runtimes with their own scheduler) drive them.
import { backgroundTimer, type Timer } from '../events/timers.js';

/** The timers an is-composing state machine uses; the defaults never keep a process alive. */
export interface ComposingTimers {
  /** Starts a one-shot timer; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a timer started by `setTimeout`. */
  clearTimeout(handle: unknown): void;
  /** The current time in milliseconds since the epoch. */
  now(): number;
}

/** Timers on the global `setTimeout` (unref'd on Node) and `Date.now`. */
export const defaultComposingTimers: ComposingTimers = {
  setTimeout: (callback, ms) => backgroundTimer(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as Timer),
  now: () => Date.now(),
};

/** One named timer slot: starting it again replaces the previous one. */
export class TimerSlot {
  readonly #timers: ComposingTimers;
  #handle: unknown = undefined;

  constructor(timers: ComposingTimers) {
    this.#timers = timers;
  }

  /** (Re)starts the timer. */
  start(ms: number, callback: () => void): void {
    this.stop();
    this.#handle = this.#timers.setTimeout(() => {
      this.#handle = undefined;
      callback();
    }, ms);
  }

  /** Cancels the timer if it runs. */
  stop(): void {
    if (this.#handle === undefined) return;
    this.#timers.clearTimeout(this.#handle);
    this.#handle = undefined;
  }
}
