// How long an incoming message may wait for its next chunk. A peer decides when (and whether)
// the rest of a message comes: its sender, or a relay on the way, may die between two chunks
// while the connection to us stays up. RFC 4975 §7.1: a chunk ending in `+` promises more,
// only `$` ends a message and `#` aborts it; nothing bounds the wait for the next chunk (a
// resume may come much later, §7.1 Byte-Range). Unbounded, the reader would wait, and the
// message's bytes stay held, for ever: a peer would control our memory.
import { backgroundTimer, type Timer } from '../events/timers.js';
import type { Reassembly } from './reassembly.js';

/** What an {@link IncompleteWatch} calls when a message waited too long. */
export type ExpireIncomplete = (r: Reassembly, idleMs: number) => void;

/**
 * One timer for all the incomplete messages of a session: each records the time of its last
 * chunk or body piece (a map update, no timer per chunk), and the timer fires at the earliest
 * deadline, expires what is due and re-arms for the next. A message whose stream holds
 * pieces its reader has not taken waits on us, not on the peer: it does not expire.
 */
export class IncompleteWatch {
  readonly #timeout: number;
  readonly #expire: ExpireIncomplete;
  /** Each incomplete message and the time (ms) of its last activity. */
  readonly #last = new Map<Reassembly, number>();
  #timer: Timer | undefined;

  /** @param timeout Milliseconds a message may go without a new chunk (> 0). */
  constructor(timeout: number, expire: ExpireIncomplete) {
    this.#timeout = timeout;
    this.#expire = expire;
  }

  /** `r` got a chunk or body bytes: its wait starts again. */
  touch(r: Reassembly): void {
    this.#last.set(r, Date.now());
    if (this.#timer === undefined) this.#arm(this.#timeout);
  }

  /**
   * `r` is complete or failed: no longer watched. The timer stays: it finds nothing due and
   * is not armed again, so that a run of one-chunk messages sets no timer per message.
   */
  forget(r: Reassembly): void {
    this.#last.delete(r);
  }

  /** Forgets every message and stops the timer (the session closed). */
  stop(): void {
    this.#last.clear();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(ms: number): void {
    // A message waiting for its peer keeps no process alive.
    this.#timer = backgroundTimer(() => this.#sweep(), ms);
  }

  #sweep(): void {
    this.#timer = undefined;
    const now = Date.now();
    const due: Array<[Reassembly, number]> = [];
    let next = Number.POSITIVE_INFINITY;
    for (const [r, last] of this.#last) {
      let since = last;
      // Unread pieces: the reader is behind (and may have paused the connection), not the peer.
      if ((r.message.stream?.bufferedPieces ?? 0) > 0) {
        since = now;
        this.#last.set(r, now);
      }
      const deadline = since + this.#timeout;
      if (deadline <= now) due.push([r, now - since]);
      else next = Math.min(next, deadline);
    }
    for (const [r] of due) this.#last.delete(r);
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next - now);
    for (const [r, idle] of due) this.#expire(r, idle);
  }
}
