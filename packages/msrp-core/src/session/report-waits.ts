/** A send that may wait for its success REPORT: the fields {@link ReportWaits} keeps on it. */
export interface ReportWaiter {
  /** When its wait ends (`Date.now()` time), while it waits. */
  reportDue: number;
  /** The timeout it waits with; undefined when it does not wait. */
  reportMs: number | undefined;
}

interface Group<T> {
  /** In the order they began to wait: the order they come due, all having the same timeout. */
  readonly waiters: Set<T>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The success REPORT waits of a session's sends (`reportTimeout`, RFC 4975 §7.1.2): one timer
 * per distinct timeout rather than a timer and its closure per message. Sends that wait with
 * the same timeout come due in the order they began, so each timeout's group is a Set in that
 * order with a timer for its oldest; a wait that ends is a Set delete, and a group's timer is
 * stopped when it has no waiter left (a wait keeps the process alive, as a timer of its own did).
 */
export class ReportWaits<T extends ReportWaiter> {
  readonly #groups = new Map<number, Group<T>>();
  readonly #expire: (waiter: T, ms: number) => void;
  readonly #fire = (ms: number): void => this.#due(ms);

  /** @param expire Called for a waiter whose `ms` passed; it no longer waits. */
  constructor(expire: (waiter: T, ms: number) => void) {
    this.#expire = expire;
  }

  /** `waiter` waits `ms` from now (a wait it was in ends). */
  start(waiter: T, ms: number): void {
    this.stop(waiter);
    let group = this.#groups.get(ms);
    if (group === undefined) {
      group = { waiters: new Set(), timer: undefined };
      this.#groups.set(ms, group);
    }
    waiter.reportDue = Date.now() + ms;
    waiter.reportMs = ms;
    group.waiters.add(waiter);
    group.timer ??= setTimeout(this.#fire, ms, ms);
  }

  /** `waiter` waits no more (its REPORT came, or it failed); nothing when it was not waiting. */
  stop(waiter: T): void {
    const ms = waiter.reportMs;
    if (ms === undefined) return;
    waiter.reportMs = undefined;
    const group = this.#groups.get(ms)!;
    group.waiters.delete(waiter);
    if (group.waiters.size > 0) return;
    clearTimeout(group.timer);
    this.#groups.delete(ms);
  }

  /** The timer of the group of `ms` fired: its waiters due by now expire, oldest first. */
  #due(ms: number): void {
    const group = this.#groups.get(ms);
    if (group === undefined) return;
    group.timer = undefined;
    const now = Date.now();
    for (const waiter of group.waiters) {
      // Timers may fire a little early against the clock: wait on for the rest.
      if (waiter.reportDue > now) {
        group.timer = setTimeout(this.#fire, waiter.reportDue - now, ms);
        return;
      }
      group.waiters.delete(waiter);
      waiter.reportMs = undefined;
      this.#expire(waiter, ms);
    }
    if (group.waiters.size === 0 && group.timer === undefined) this.#groups.delete(ms);
  }
}
