import type { ForwardedRequest } from './forwarded-request.js';

/**
 * The most bytes one read of a sender's connection hands the relay: Node reads a TCP (or
 * TLS) socket 64 KiB at a time, and a sender paused by its body sink stops after the read
 * in hand. (A WebSocket sender's read is a whole message: up to `maxWebSocketMessage`.)
 */
export const READ_BYTES = 64 * 1024;

/**
 * Which senders feeding one next hop may go on reading (issue 13: "bytes buffered toward a
 * slow reader"). A sender told to stop still delivers the read in hand, so each one reading
 * may add up to {@link READ_BYTES} at any moment. Senders read only while the queue has room
 * for a read of each (one may always read while the queue is under its limit), so what is
 * queued stays within `maxQueued` plus one read, however many senders there are.
 */
export class ReaderBudget {
  readonly #maxQueued: number;
  #reading = 0;
  /** Requests whose senders wait for `events.resume()`; made on first use (most never do). */
  #held: Set<ForwardedRequest> | undefined;

  constructor(maxQueued: number) {
    this.#maxQueued = maxQueued;
  }

  /**
   * Whether one more sender may start (or resume) reading with `queued` bytes queued: below
   * half the limit (no resume for a sliver of room), with a read's room for each.
   */
  admits(queued: number): boolean {
    const max = this.#maxQueued;
    if (queued >= max / 2) return false;
    return this.#reading === 0 || queued + (this.#reading + 1) * READ_BYTES <= max;
  }

  /** Whether the senders reading may all go on after one of them added to `queued`. */
  keeps(queued: number): boolean {
    const max = this.#maxQueued;
    if (queued >= max) return false;
    return this.#reading <= 1 || queued + this.#reading * READ_BYTES <= max;
  }

  /** `request`'s sender reads (its body goes to this next hop). */
  start(request: ForwardedRequest): void {
    if (request.reading) return;
    request.reading = true;
    this.#reading++;
  }

  /** `request`'s sender no longer reads for it: held, ended, aborted or failed. */
  stop(request: ForwardedRequest): void {
    if (!request.reading) return;
    request.reading = false;
    this.#reading--;
  }

  /** Stops `request`'s sender until there is room (see {@link resumeHeld}). */
  hold(request: ForwardedRequest): void {
    this.stop(request);
    request.wantsResume = true;
    (this.#held ??= new Set()).add(request);
  }

  /**
   * Tells the senders held back to go on, first held first, while {@link admits} says there
   * is room (`queued()` is read afresh: a resumed sender may push at once). One queuing
   * `perRequest` bytes or more waits; an `uncuttable` one (see `ChunkScheduler`) goes on
   * regardless. Only those held are looked at: a pump per chunk must not walk every chunk.
   */
  resumeHeld(
    queued: () => number,
    uncuttable: (request: ForwardedRequest) => boolean,
    perRequest: number,
  ): void {
    const held = this.#held;
    if (held === undefined || held.size === 0) return;
    for (const request of held) {
      // Written, failed, aborted or ended: nobody is to be resumed for it any more.
      if (request.done || !request.wantsResume) {
        held.delete(request);
        continue;
      }
      // One held back before the connection was known to be a WebSocket goes on too.
      if (!uncuttable(request)) {
        // No room for this one: none for those held after it either.
        if (!this.admits(queued())) break;
        if (request.queued >= perRequest) continue;
      }
      request.wantsResume = false;
      held.delete(request);
      this.start(request);
      request.events.resume();
    }
  }
}
