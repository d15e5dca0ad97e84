import { backgroundTimer, type Timer } from '../events/timers.js';

/** What a {@link TimerWheel} calls when a slot it was scheduled in comes due. */
export interface WheelEntry {
  /** The slot came due; the entry checks its own time and reschedules itself if not yet. */
  due(): void;
}

/** The clock and timers a {@link TimerWheel} runs on (injectable for tests). */
export interface WheelClock {
  now(): number;
  setTimer(callback: () => void, ms: number): Timer;
  clearTimer(timer: Timer): void;
}

const realClock: WheelClock = {
  now: () => performance.now(),
  setTimer: backgroundTimer,
  clearTimer: (timer) => clearTimeout(timer),
};

interface Slot {
  readonly entries: Set<WheelEntry>;
  readonly timer: Timer;
}

/**
 * One coarse timer shared by many deadlines (every connection's idle and frame deadlines):
 * entries due at about the same time share a slot and one runtime timer, instead of a
 * timer and its closure per connection. A slot's time is the due time rounded up to 1/32 of
 * the delay (a power of two of milliseconds), so a deadline fires at most ~3 % late; short
 * ones stay precise. Its timers never keep the process alive.
 */
export class TimerWheel {
  readonly #clock: WheelClock;
  readonly #slots = new Map<number, Slot>();

  constructor(clock: WheelClock = realClock) {
    this.#clock = clock;
  }

  /** The wheel's clock, in milliseconds. */
  now(): number {
    return this.#clock.now();
  }

  /** Entries scheduled (for tests and diagnostics). */
  get size(): number {
    let n = 0;
    for (const slot of this.#slots.values()) n += slot.entries.size;
    return n;
  }

  /**
   * Schedules `entry` to be told `due()` about `delay` ms from now (never early). Returns
   * the slot's key, which {@link cancel} needs.
   */
  schedule(entry: WheelEntry, delay: number): number {
    const now = this.#clock.now();
    const grain = 2 ** Math.max(0, Math.floor(Math.log2(delay / 32)));
    const key = Math.ceil((now + delay) / grain) * grain;
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      const timer = this.#clock.setTimer(() => this.#fire(key), Math.max(0, key - now));
      slot = { entries: new Set(), timer };
      this.#slots.set(key, slot);
    }
    slot.entries.add(entry);
    return key;
  }

  /** Takes `entry` out of the slot `key` that {@link schedule} returned. */
  cancel(entry: WheelEntry, key: number): void {
    const slot = this.#slots.get(key);
    if (slot === undefined || !slot.entries.delete(entry)) return;
    if (slot.entries.size > 0) return;
    this.#clock.clearTimer(slot.timer);
    this.#slots.delete(key);
  }

  #fire(key: number): void {
    const slot = this.#slots.get(key);
    if (slot === undefined) return;
    this.#slots.delete(key);
    // An entry's due() may throw (a handler's bug): the rest still get theirs.
    let failure: unknown;
    for (const entry of slot.entries) {
      try {
        entry.due();
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure !== undefined) throw failure as Error;
  }
}

/** The wheel every connection's deadlines share by default. */
export const sharedWheel = new TimerWheel();
