import { returnReads } from '@msrp-ts/msrp-core/internal';
import type { ForwardedRequest } from './forwarded-request.js';

/**
 * What waits to be written on one connection by its {@link ChunkScheduler}: small frames of
 * the relay's own (responses, REPORTs), requests waiting their turn in the order they go, the
 * one being written, and the body bytes queued for them. Its fields are the scheduler's; the
 * methods keep the order of the requests and the count of bytes.
 */
export class FrameQueue {
  /** Small whole frames of our own, written ahead of chunk bodies. */
  readonly control: Uint8Array[][] = [];
  /** Requests waiting to be written (or resumed), in the order they go. */
  readonly waiting: ForwardedRequest[] = [];
  /** The request being written: its head is out, its end-line is not. */
  active: ForwardedRequest | undefined;
  /** Body bytes queued and not yet handed to the socket. */
  queued = 0;

  /** Whether no frame waits and none is being written. */
  get empty(): boolean {
    return this.control.length === 0 && this.waiting.length === 0 && this.active === undefined;
  }

  /** Queues `request` to be written in its turn. */
  add(request: ForwardedRequest): void {
    const waiting = this.waiting;
    if (request.small && waiting.length > 0 && !waiting[waiting.length - 1]!.small) {
      // A chat line beside a file goes out after at most the chunk being written, not behind
      // every queued one; small messages keep their order among themselves. RFC 4975 §5.1:
      // chunking exists so that large messages do not block others on the same connection.
      // (When the last one queued is small too, the end is the place: no walk per message.)
      let i = 0;
      while (waiting[i]!.small) i++;
      waiting.splice(i, 0, request);
    } else {
      waiting.push(request);
    }
  }

  /**
   * Takes the next request to begin writing: the first ready one. While the window is `full`
   * only small messages begin (a chat line beside a file). Undefined: none may begin.
   */
  next(full: boolean): ForwardedRequest | undefined {
    let i = 0;
    while (
      i < this.waiting.length &&
      !(this.waiting[i]!.ready && (!full || this.waiting[i]!.small))
    )
      i++;
    if (i === this.waiting.length) return undefined;
    return this.waiting.splice(i, 1)[0]!;
  }

  /** The active request was cut: it waits for its next turn (see {@link putBack}). */
  requeue(): void {
    const active = this.active!;
    this.active = undefined;
    this.putBack(active);
  }

  /**
   * `request` was written in part and waits for its next turn behind the others, but ahead
   * of the next chunks of its own message: else they would reach the peer before its rest,
   * which holds them until the gap fills and refuses the message past its bound (413).
   */
  putBack(request: ForwardedRequest): void {
    const waiting = this.waiting;
    const id = request.head.messageId;
    let i = 0;
    while (i < waiting.length && (id === undefined || waiting[i]!.head.messageId !== id)) i++;
    waiting.splice(i, 0, request);
  }

  /** Takes `request` out of the queue. */
  remove(request: ForwardedRequest): void {
    const i = this.waiting.indexOf(request);
    if (i >= 0) this.waiting.splice(i, 1);
    if (this.active === request) this.active = undefined;
  }

  /** Takes every request out (the active one first) and forgets the frames of our own. */
  clear(): ForwardedRequest[] {
    this.control.length = 0;
    const requests = [...(this.active ? [this.active] : []), ...this.waiting.splice(0)];
    this.active = undefined;
    return requests;
  }

  /** Whether something other than `active` waits to be written. */
  othersWaiting(active: ForwardedRequest): boolean {
    if (this.control.length > 0) return true;
    // Loops, not some()/findIndex(): no closure per step (issue 13: relay allocation).
    for (const w of this.waiting) if (w !== active && w.ready) return true;
    return false;
  }

  /** Drops what `request` has queued, giving its pieces back. */
  drop(request: ForwardedRequest): void {
    this.queued -= request.queued;
    returnReads(request.parts);
    request.parts = [];
    request.queued = 0;
  }
}
