import { backgroundTimer, type Timer } from '@msrp-ts/msrp-core/internal';
import type { RelaySession } from './relay-session.js';

/**
 * When relay sessions expire (RFC 4976 §6.1 Expires), for all of a relay's sessions: one
 * timer, armed for the earliest second some session expires in, instead of a timer (and a
 * closure) per session, a few hundred bytes each over 100,000 idle sessions (issue 13).
 * Sessions expire at the end of the second their Expires ends in: up to a second late.
 */
export class SessionExpiry {
  /** Sessions by the second (since the epoch) they expire at the end of. */
  readonly #buckets = new Map<number, Set<RelaySession>>();
  readonly #onExpire: (session: RelaySession) => void;
  #timer: Timer | undefined;
  /** The second the timer is armed for. */
  #armedFor = Infinity;

  /** `onExpire` is called for each session whose time has come (it is forgotten first). */
  constructor(onExpire: (session: RelaySession) => void) {
    this.#onExpire = onExpire;
  }

  /** Sets (or moves) when `session` expires: `session.expiresAt`, in ms since the epoch. */
  set(session: RelaySession, expiresAt: number): void {
    this.delete(session);
    session.expiresAt = expiresAt;
    const second = Math.floor(expiresAt / 1000);
    let bucket = this.#buckets.get(second);
    if (!bucket) this.#buckets.set(second, (bucket = new Set()));
    bucket.add(session);
    if (second < this.#armedFor) this.#arm(second);
  }

  /** Forgets `session` (dropped before it expired). */
  delete(session: RelaySession): void {
    if (session.expiresAt === 0) return;
    const second = Math.floor(session.expiresAt / 1000);
    const bucket = this.#buckets.get(second);
    if (bucket?.delete(session) && bucket.size === 0) this.#buckets.delete(second);
    session.expiresAt = 0;
  }

  /** Stops the timer (the relay closes). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
  }

  #arm(second: number): void {
    clearTimeout(this.#timer);
    this.#armedFor = second;
    // Cut to 24.8 days (maxExpires has no bound): a longer wait fired at once, and the sweep,
    // finding nothing due, armed it again every millisecond. Longer waits take a few timers.
    const wait = Math.max(0, (second + 1) * 1000 - Date.now());
    this.#timer = backgroundTimer(() => this.#sweep(), wait);
  }

  #sweep(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const [second, bucket] of this.#buckets) {
      if ((second + 1) * 1000 > now) {
        next = Math.min(next, second);
        continue;
      }
      this.#buckets.delete(second);
      for (const session of bucket) {
        session.expiresAt = 0;
        this.#onExpire(session);
      }
    }
    if (next !== Infinity) this.#arm(next);
  }
}
