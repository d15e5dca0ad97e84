// How long an incoming message may wait for its next chunk. A peer decides when (and whether)
// the rest of a message comes: its sender, or a relay on the way, may die between two chunks
// while the connection to us stays up. RFC 4975 §7.1: a chunk ending in `+` promises more,
// only `$` ends a message and `#` aborts it; nothing bounds the wait for the next chunk (a
// resume may come much later, §7.1 Byte-Range). Unbounded, the reader would wait, and the
// message's bytes stay held, for ever: a peer would control our memory.
import { backgroundTimer, type Timer } from '../events/timers.js';
import type { Reassembly } from './reassembly.js';

/** The incomplete messages an {@link IncompleteWatch} reads at each sweep (the session's table). */
export interface WatchedMessages {
  values(): Iterable<Reassembly>;
}

/** What an {@link IncompleteWatch} calls when a message waited too long. */
export type ExpireIncomplete = (r: Reassembly, idleMs: number) => void;

/**
 * One timer for all the incomplete messages of a session: each records the time of its last
 * chunk or body piece on itself ({@link Reassembly.lastActive}: a field store, no map entry
 * or timer per chunk), and the timer fires at the earliest deadline, expires what is due and
 * re-arms for the next. The messages watched are those of the session's table of incomplete
 * messages: one leaves the watch as it leaves that table. A message whose stream holds pieces
 * its reader has not taken waits on us, not on the peer: it does not expire.
 */
export class IncompleteWatch {
  readonly #timeout: number;
  readonly #expire: ExpireIncomplete;
  /** The incomplete messages, by Message-ID: the session's own table, read at each sweep. */
  readonly #watched: WatchedMessages;
  #timer: Timer | undefined;

  /**
   * @param timeout Milliseconds a message may go without a new chunk (> 0).
   * @param watched The incomplete messages; `expire` must take a message out of it.
   */
  constructor(timeout: number, watched: WatchedMessages, expire: ExpireIncomplete) {
    this.#timeout = timeout;
    this.#watched = watched;
    this.#expire = expire;
  }

  /**
   * `r` got a chunk or body bytes at `now` (ms, `Date.now()`): its wait starts again. The
   * timer stays armed once set, so that a run of one-chunk messages sets no timer per message.
   */
  touch(r: Reassembly, now = Date.now()): void {
    r.lastActive = now;
    if (this.#timer === undefined) this.#arm(this.#timeout);
  }

  /** Stops the timer (the session closed). */
  stop(): void {
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
    for (const r of this.#watched.values()) {
      // Unread pieces: the reader is behind (and may have paused the connection), not the peer.
      if ((r.message.stream?.bufferedPieces ?? 0) > 0) r.lastActive = now;
      const deadline = r.lastActive + this.#timeout;
      if (deadline <= now) due.push([r, now - r.lastActive]);
      else next = Math.min(next, deadline);
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next - now);
    for (const [r, idle] of due) this.#expire(r, idle);
  }
}
