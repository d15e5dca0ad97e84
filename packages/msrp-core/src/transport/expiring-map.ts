import { backgroundTimer, type Timer } from '../events/timers.js';
/**
 * Entries that each may get a deadline, expired by one timer for the whole map: the
 * transactions awaiting a response on one connection (RFC 4975 §7.1: none in time is a 408).
 * An entry costs no timer of its own; the timer is armed for the earliest deadline, left to
 * fire once when the map empties (cheaper than clearing and re-arming it per entry), stopped
 * by {@link clear}, and unref'd, so it never keeps a process alive.
 *
 * An entry can wait unarmed (e.g. while its request is still being written) and be armed
 * later with {@link arm}.
 */
export class ExpiringMap<K, V> {
  readonly #entries = new Map<K, { value: V; deadline: number }>();
  readonly #onExpire: (key: K, value: V) => void;
  readonly #timer = new DeadlineTimer(() => this.#sweep());

  /** `onExpire` is called for each entry whose deadline passed, after it was removed. */
  constructor(onExpire: (key: K, value: V) => void) {
    this.#onExpire = onExpire;
  }

  /** Number of entries, armed or not. */
  get size(): number {
    return this.#entries.size;
  }

  /** Adds (or replaces) an entry; it expires `ms` from now, or never until {@link arm}. */
  set(key: K, value: V, ms = Infinity): void {
    const deadline = Date.now() + ms;
    this.#entries.set(key, { value, deadline });
    this.#timer.schedule(deadline);
  }

  /** Gives an entry its deadline, `ms` from now; false when there is no such entry. */
  arm(key: K, ms: number): boolean {
    const entry = this.#entries.get(key);
    if (!entry) return false;
    entry.deadline = Date.now() + ms;
    this.#timer.schedule(entry.deadline);
    return true;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key)?.value;
  }

  /** Removes an entry and returns its value (a response came). */
  take(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    // The timer stays when the map empties: a request answered before the next one is sent
    // would otherwise cost a timer each; an unref'd wake-up that finds nothing costs less.
    this.#entries.delete(key);
    return entry.value;
  }

  /** Removes an entry; whether there was one. */
  delete(key: K): boolean {
    const had = this.#entries.has(key);
    this.take(key);
    return had;
  }

  /** Removes every entry without expiring it; returns them. */
  clear(): [K, V][] {
    const all = [...this.#entries].map(([k, e]): [K, V] => [k, e.value]);
    this.#entries.clear();
    this.#timer.stop();
    return all;
  }

  /** The entries, oldest first. */
  *[Symbol.iterator](): IterableIterator<[K, V]> {
    for (const [key, entry] of this.#entries) yield [key, entry.value];
  }

  /** The values, oldest first. */
  *values(): IterableIterator<V> {
    for (const entry of this.#entries.values()) yield entry.value;
  }

  #sweep(): void {
    const { expired, next } = takeExpired(this.#entries);
    this.#timer.schedule(next);
    for (const [key, entry] of expired) this.#onExpire(key, entry.value);
  }
}

/**
 * One timer for many deadlines: armed for the earliest one {@link schedule} was given, it calls
 * `fire` once then (which schedules the next). Unref'd, so it never keeps a process alive.
 */
export class DeadlineTimer {
  readonly #fire: () => void;
  #timer: Timer | undefined;
  #at = Infinity;

  constructor(fire: () => void) {
    this.#fire = fire;
  }

  /** Fires at `deadline` (ms since the epoch) unless armed for an earlier one already. */
  schedule(deadline: number): void {
    if (deadline === Infinity || deadline >= this.#at) return;
    clearTimeout(this.#timer);
    this.#at = deadline;
    this.#timer = backgroundTimer(
      () => {
        this.#timer = undefined;
        this.#at = Infinity;
        this.#fire();
      },
      Math.max(0, deadline - Date.now()),
    );
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#at = Infinity;
  }
}

/**
 * Removes from `entries` those whose deadline has passed; returns them, oldest first, and the
 * earliest deadline of those left (Infinity when none).
 */
function takeExpired<K, E extends { readonly deadline: number }>(
  entries: Map<K, E>,
): { expired: [K, E][]; next: number } {
  const now = Date.now();
  const expired: [K, E][] = [];
  let next = Infinity;
  for (const entry of entries) {
    if (entry[1].deadline <= now) expired.push(entry);
    else next = Math.min(next, entry[1].deadline);
  }
  for (const [key] of expired) entries.delete(key);
  return { expired, next };
}
