import { Deadline } from '@msrp-ts/msrp-core/internal';
import type { ForwardedRequest } from './forwarded-request.js';

/**
 * The most bytes one read of a sender's connection hands the relay: Node reads a TCP (or
 * TLS) socket 64 KiB at a time, and a sender paused by its body sink stops after the read
 * in hand. (A WebSocket sender's read is a whole message: up to `maxWebSocketMessage`.)
 */
export const READ_BYTES = 64 * 1024;

/** When a sender is too slow to keep its place (see {@link ReaderBudget}). */
export interface SlowReaderOptions {
  /**
   * Body bytes per second below which a sender reading while others wait loses its place.
   * 0: never. Default 16 KiB/s.
   */
  minRate?: number;
  /** Milliseconds a sender reads before its rate is judged. Default 2000. */
  graceMs?: number;
  /** The clock, in ms (tests set time by hand). Default `Date.now`. */
  now?: () => number;
}

/** What a {@link ReaderBudget} needs from its `ChunkScheduler`. */
export interface ReaderBudgetContext extends SlowReaderOptions {
  /** Body bytes queued toward the next hop now (read afresh: a resumed sender may push). */
  queued: () => number;
  /** Whether `request` cannot be held back (see `ChunkScheduler`): it always goes on. */
  uncuttable: (request: ForwardedRequest) => boolean;
  /** A held request that has this many bytes queued itself stays held. */
  perRequest: number;
  /** Stops forwarding `request`: its sender is too slow while others wait. */
  evict: (request: ForwardedRequest) => void;
}

/**
 * Which senders feeding one next hop may go on reading (issue 13: "bytes buffered toward a
 * slow reader"). A sender told to stop still delivers the read in hand, so each one reading
 * may add up to {@link READ_BYTES} at any moment. Senders read only while the queue has room
 * for a read of each (one may always read while the queue is under its limit), so what is
 * queued stays within `maxQueued` plus one read, however many senders there are.
 *
 * So at most `maxQueued / READ_BYTES` senders read at once: a peer trickling bytes into that
 * many chunks would hold every other sender toward the same next hop after its head. When a
 * sender waits for room, those reading for `graceMs` at under `minRate` are evicted (their
 * requests fail; what they still send is dropped), so holding the others back costs an
 * attacker `minRate` per place, not a byte per frame timeout.
 */
export class ReaderBudget {
  readonly #maxQueued: number;
  readonly #minRate: number;
  readonly #graceMs: number;
  readonly #now: () => number;
  readonly #context: ReaderBudgetContext;
  /** Armed while senders wait for room, so that slow readers are judged without new bytes. */
  #recheckTimer: Deadline | undefined;
  /**
   * Requests whose senders read now, in the first `#readerCount` slots; made on first use. Not
   * a Set: one emptied and refilled per chunk built a new table each time, and V8 builds a
   * long-lived Set's table in the old generation (at 8 KiB chunks ~6 MiB per GiB forwarded, a
   * fifth of what the relay promoted: its old generation's climbs to a full GC, issue 12).
   */
  #reading: (ForwardedRequest | undefined)[] | undefined;
  #readerCount = 0;
  /** Requests whose senders wait for `events.resume()`; made on first use (most never do). */
  #held: Set<ForwardedRequest> | undefined;
  #resuming = false;

  constructor(maxQueued: number, context: ReaderBudgetContext) {
    this.#maxQueued = maxQueued;
    this.#context = context;
    this.#minRate = context.minRate ?? 16 * 1024;
    this.#graceMs = context.graceMs ?? 2000;
    this.#now = context.now ?? Date.now;
  }

  /**
   * Whether one more sender may start (or resume) reading with `queued` bytes queued: below
   * half the limit (no resume for a sliver of room), with a read's room for each.
   */
  admits(queued: number): boolean {
    const max = this.#maxQueued;
    if (queued >= max / 2) return false;
    const readers = this.#readers;
    return readers === 0 || queued + (readers + 1) * READ_BYTES <= max;
  }

  /** Whether the senders reading may all go on after one of them added to `queued`. */
  keeps(queued: number): boolean {
    const max = this.#maxQueued;
    if (queued >= max) return false;
    const readers = this.#readers;
    return readers <= 1 || queued + readers * READ_BYTES <= max;
  }

  /** How many senders read now. */
  get #readers(): number {
    return this.#readerCount;
  }

  /** `request`'s sender reads (its body goes to this next hop). */
  start(request: ForwardedRequest): void {
    if (request.reading) return;
    request.reading = true;
    request.readSince = this.#now();
    request.readBytes = 0;
    (this.#reading ??= [])[this.#readerCount++] = request;
  }

  /** `request`'s sender no longer reads for it: held, ended, aborted or failed. */
  stop(request: ForwardedRequest): void {
    if (!request.reading) return;
    request.reading = false;
    // The last one reading takes its slot (readers are few: a scan is cheaper than a map).
    const reading = this.#reading!;
    const last = --this.#readerCount;
    reading[reading.indexOf(request)] = reading[last];
    reading[last] = undefined;
  }

  /** Stops `request`'s sender until there is room (see {@link resumeHeld}). */
  hold(request: ForwardedRequest): void {
    this.stop(request);
    request.wantsResume = true;
    (this.#held ??= new Set()).add(request);
  }

  /**
   * Tells the senders held back to go on, first held first, while {@link admits} says there
   * is room; when there is none, the slow readers are evicted first (see the class). One
   * queuing `perRequest` bytes or more waits; an `uncuttable` one goes on regardless. Only
   * those held are looked at: a pump per chunk must not walk every chunk.
   */
  resumeHeld(): void {
    const held = this.#held;
    // An eviction pumps, and the pump ends here: the running call goes on for it.
    if (held === undefined || held.size === 0 || this.#resuming) return;
    this.#resuming = true;
    try {
      this.#resume(held);
    } finally {
      this.#resuming = false;
    }
  }

  #resume(held: Set<ForwardedRequest>): void {
    const { queued, uncuttable, perRequest } = this.#context;
    let tried = false;
    for (const request of held) {
      // Written, failed, aborted or ended: nobody is to be resumed for it any more.
      if (request.done || !request.wantsResume) {
        held.delete(request);
        continue;
      }
      // One held back before the connection was known to be a WebSocket goes on too.
      if (!uncuttable(request)) {
        if (!this.admits(queued())) {
          // No room: slow readers make way (tried once); else none for those held after it.
          const made = !tried && this.#evictSlow() && this.admits(queued());
          tried = true;
          if (!made) {
            this.#recheckLater();
            break;
          }
        }
        if (request.queued >= perRequest) continue;
      }
      request.wantsResume = false;
      held.delete(request);
      this.start(request);
      request.events.resume();
    }
  }

  #recheckLater(): void {
    // Only readers can be judged: with none, the room is taken by bytes queued for the next hop.
    if (this.#minRate <= 0 || this.#readerCount === 0 || this.#recheckTimer?.pending) return;
    this.#recheckTimer = new Deadline(this.#graceMs, () => this.resumeHeld());
  }

  /** Evicts the senders reading slower than the minimum rate; says whether there were any. */
  #evictSlow(): boolean {
    const reading = this.#reading;
    if (this.#minRate <= 0 || reading === undefined || this.#readerCount === 0) return false;
    const now = this.#now();
    const slow: ForwardedRequest[] = [];
    for (let i = 0; i < this.#readerCount; i++) {
      const request = reading[i]!;
      const ms = now - request.readSince;
      if (ms >= this.#graceMs && (request.readBytes * 1000) / ms < this.#minRate)
        slow.push(request);
    }
    for (const request of slow) this.#context.evict(request);
    return slow.length > 0;
  }
}
