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

  constructor(maxQueued: number) {
    this.#maxQueued = maxQueued;
  }

  /** Senders reading now (each may add a read). */
  get reading(): number {
    return this.#reading;
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
    (request as { reading?: boolean }).reading = true;
    this.#reading++;
  }

  /** `request`'s sender no longer reads for it: held, ended, aborted or failed. */
  stop(request: ForwardedRequest): void {
    if (!request.reading) return;
    request.reading = false;
    this.#reading--;
  }
}
