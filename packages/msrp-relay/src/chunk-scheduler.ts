import type { ContinuationFlag, RequestHead } from '@msrp-ts/msrp-core';
import {
  encodeEndLine,
  lendRead,
  returnReads,
  type Connection,
  MsrpError,
} from '@msrp-ts/msrp-core/internal';
import { ForwardedRequest, type ForwardEvents } from './forwarded-request.js';
import { FrameQueue } from './frame-queue.js';
import type { HeadEncoder } from './message-head-template.js';
import { readySegmentBytes, resumedHead, writeSegment } from './message-segment.js';
import type { ChunkSchedulerOptions } from './chunk-scheduler-options.js';
import { InFlightWindow } from './in-flight-window.js';
import { ReaderBudget, type SlowReaderOptions } from './reader-budget.js';

export type { ForwardEvents } from './forwarded-request.js';
export type { ChunkSchedulerOptions } from './chunk-scheduler-options.js';

/**
 * Writes the frames a relay sends on one connection (RFC 4976 §7): forwarded requests whose
 * bodies stream in while they are written (cut-through), and small frames of its own
 * (responses, REPORTs). A chunk whose sender stalls, or that has written `sliceBytes` while
 * others wait, is cut with `+` and resumed under a new transaction id with a Byte-Range
 * starting where it stopped, so responses and REPORTs of other sessions sharing the
 * connection are never stuck behind it.
 *
 * Toward a message-framed peer (WebSocket) each chunk must be one message (RFC 7977 §5.1):
 * a segment is collected and written whole, head, body and end-line in one write, and a
 * SEND is cut every `messageChunkBytes`, with a Byte-Range of the relay's when it came
 * without one (see `message-segment.ts`).
 *
 * Memory is bounded: {@link push} returns false once a chunk (or all of them) has too many
 * bytes queued, and the sender is told to go on through `events.resume()`.
 *
 * The body pieces it queues are views of its senders' socket reads: each is lent
 * (`lendRead`) while queued, and given back once the socket wrote it or it is dropped, so
 * that the read it came from is read into again (issue 12: the relay's RSS).
 */
export class ChunkScheduler {
  readonly #sliceBytes: number;
  readonly #socketBuffer: number;
  readonly #maxQueuedPerChunk: number;
  readonly #maxQueued: number;
  readonly #messageChunkBytes: number;
  #connection: Connection | undefined;
  #error: MsrpError | undefined;
  /** Our own frames, the requests and the body bytes waiting to be written. */
  readonly #queue = new FrameQueue();
  /**
   * Which senders read, which wait for `events.resume()` (see {@link push}); made for the
   * first request with a body (issue 13: most connections of a relay are idle sessions').
   */
  #readers: ReaderBudget | undefined;
  readonly #slowReaders: SlowReaderOptions | undefined;
  #pumping = false;
  #awaitingDrain = false;
  /** The chunks written and not yet answered (`maxInFlight`). */
  readonly window: InFlightWindow;

  constructor(options: ChunkSchedulerOptions = {}) {
    this.#sliceBytes = options.sliceBytes ?? 64 * 1024;
    this.#socketBuffer = options.socketBuffer ?? 1024 * 1024;
    this.#maxQueuedPerChunk = options.maxQueuedPerChunk ?? 256 * 1024;
    this.#maxQueued = options.maxQueued ?? 1024 * 1024;
    this.window = new InFlightWindow(options.maxInFlight ?? Infinity);
    this.#slowReaders = options.slowReaders;
    // A segment must be written before its bytes alone hold the sender back.
    this.#messageChunkBytes = Math.max(
      1,
      Math.min(options.messageChunkBytes ?? 64 * 1024, this.#maxQueuedPerChunk),
    );
  }

  /** Body bytes queued and not yet handed to the socket. */
  get queuedBytes(): number {
    return this.#queue.queued;
  }

  /** Whether nothing is queued or being written. */
  get idle(): boolean {
    return (
      this.#queue.empty && (this.#connection === undefined || this.#connection.bufferedBytes === 0)
    );
  }

  /**
   * Whether a frame given to {@link send} now goes out at once, behind nothing forwarded:
   * nothing queued or being written, no failure, room in the socket's buffer, and a
   * stream-framed connection (see `WholeForward`).
   */
  get quiet(): boolean {
    const connection = this.#connection;
    return (
      connection !== undefined &&
      this.#error === undefined &&
      this.#queue.active === undefined &&
      this.#queue.waiting.length === 0 &&
      !this.#awaitingDrain &&
      !connection.messageFramed &&
      !connection.closed &&
      connection.bufferedBytes < this.#socketBuffer
    );
  }

  #budget(): ReaderBudget {
    return (this.#readers ??= new ReaderBudget(this.#maxQueued, {
      ...this.#slowReaders,
      queued: () => this.#queue.queued,
      uncuttable: (request) => this.#uncuttable(request),
      perRequest: this.#maxQueuedPerChunk / 2,
      evict: (request) => this.#evict(request),
    }));
  }

  /** Starts writing on `connection` (a dialed connection is attached once it is open). */
  attach(connection: Connection): void {
    this.#connection = connection;
    connection.onDrain(() => {
      if (!this.#awaitingDrain) return;
      this.#awaitingDrain = false;
      this.#pump();
    });
    this.#pump();
  }

  /** Responses came: what waited for room among the chunks in flight may go. */
  wake(): void {
    if (this.#queue.active !== undefined || this.#queue.waiting.length > 0) this.#pump();
  }

  /** Whether bytes queued here wait for responses from the peer (see {@link window}). */
  get awaitingAnswers(): boolean {
    return this.#queue.queued > 0 && this.window.full;
  }

  /** Writes a small whole frame of our own (a response, a REPORT) ahead of chunk bodies. */
  send(frame: Uint8Array[]): void {
    if (this.#error) return;
    this.#queue.control.push(frame);
    this.#pump();
  }

  /** Queues a request to forward; its body follows with {@link push} and {@link end}. */
  forward(head: RequestHead, events: ForwardEvents, template?: HeadEncoder): ForwardedRequest {
    const request = new ForwardedRequest(head, events, template);
    if (this.#error) {
      queueMicrotask(() => this.#failOne(request, this.#error!));
      return request;
    }
    this.#queue.add(request);
    if (request.hasBody) {
      // Its sender reads its body only if the queue has room for a read more: else it is
      // held after its head (`held`) until there is (ReaderBudget: a bound per next hop).
      const readers = this.#budget();
      if (this.#uncuttable(request) || readers.admits(this.#queue.queued)) readers.start(request);
      else {
        readers.hold(request);
        // Slow senders may have to make way for it (see ReaderBudget).
        readers.resumeHeld();
      }
    }
    return request;
  }

  /**
   * Adds a piece of body. Returns false when the sender should stop until
   * `events.resume()`; the piece is kept either way (it was read: a request `held` may
   * bring one if its sender was resumed for another reason).
   */
  push(request: ForwardedRequest, part: Uint8Array): boolean {
    const r = request;
    if (request.done) return true;
    lendRead(part);
    r.parts.push(part);
    r.queued += part.length;
    r.readBytes += part.length;
    this.#queue.queued += part.length;
    this.#pump();
    if (request.done) return true;
    const readers = this.#budget();
    if (r.reading && r.queued < this.#maxQueuedPerChunk && readers.keeps(this.#queue.queued))
      return true;
    // Toward a WebSocket, a request that cannot be cut is written once whole: holding its
    // sender back would wait forever. Only non-SEND ones are, and their bodies are small
    // (RFC 4975 §7.1: at most 10240 octets, enforced by the relay as it reads them).
    if (this.#uncuttable(request)) return true;
    readers.hold(request);
    if (this.#connection?.messageFramed) {
      // Its partial segment may go now; a resume during this pump means go on at once, and
      // so does a failure (the sender was told before it paused: nobody would resume it).
      this.#pump();
      if (request.done || !r.wantsResume) return true;
    }
    return false;
  }

  /** The sender's end-line arrived: the request ends with `flag` once its body is written. */
  end(request: ForwardedRequest, flag: ContinuationFlag): void {
    if (request.done) return;
    request.ended = flag;
    request.wantsResume = false;
    this.#readers?.stop(request);
    this.#pump();
  }

  /**
   * The sender went away mid-request: end what was written with `#` (a chunk cut with `+`
   * earlier gets an empty continuation ending with `#`, RFC 4975 §7.1), drop the rest.
   */
  abort(request: ForwardedRequest): void {
    if (request.done) return;
    const r = request;
    this.#queue.drop(r);
    r.ended = '#';
    r.abandoned = true;
    r.wantsResume = false;
    this.#readers?.stop(request);
    if (r.open === undefined && this.#queue.active !== request && request.sent === 0) {
      // Nothing of it is on the wire: forget it.
      this.#queue.remove(request);
      r.done = true;
      this.#pump();
      return;
    }
    this.#pump();
  }

  /** The connection failed: every queued request fails, nothing more is written. */
  fail(error: MsrpError): void {
    if (this.#error) return;
    this.#error = error;
    for (const request of this.#queue.clear()) this.#failOne(request, error);
  }

  #failOne(request: ForwardedRequest, error: MsrpError): void {
    const r = request;
    if (r.done) return;
    this.#queue.drop(r);
    r.done = true;
    this.#readers?.stop(request);
    request.events.failed(error);
  }

  #pump(): void {
    const connection = this.#connection;
    if (this.#pumping || !connection || this.#error) return;
    this.#pumping = true;
    try {
      for (;;) {
        if (connection.closed) {
          this.fail(new MsrpError('MSRP_ERR_CONNECTION', 'Connection closed'));
          return;
        }
        // A frame found the stream full (see #write), or the bound here is reached.
        if (this.#awaitingDrain || connection.bufferedBytes >= this.#socketBuffer) {
          this.#awaitingDrain = true;
          break;
        }
        if (!this.#step(connection)) break;
      }
    } finally {
      this.#pumping = false;
    }
    // Held senders go on, first held first, while there is room for a read of each.
    this.#readers?.resumeHeld();
  }

  /** `request`'s sender is too slow while others wait: it goes no further (RFC 4975 §7.1: 408). */
  #evict(request: ForwardedRequest): void {
    this.abort(request);
    request.events.failed(
      new MsrpError('MSRP_ERR_LIMIT', 'Sender too slow while others wait', { status: 408 }),
    );
  }

  /** Writes one thing; returns false when there is nothing to write now. */
  #step(connection: Connection): boolean {
    if (connection.messageFramed) return this.#stepMessage(connection);
    const queue = this.#queue;
    const active = queue.active;
    if (active) {
      const r = active;
      const others = queue.othersWaiting(active);
      // A chunk whose end-line has come finishes: what it has queued is bounded, and cutting
      // it would only add a head. Otherwise it yields once it has had its slice, or once the
      // chunks in flight fill the window (then it stops, or is cut for others that wait).
      const open = r.small || !this.window.full;
      const keep = open && (r.segmentBytes < this.#sliceBytes || !others || r.ended !== undefined);
      if (r.parts.length > 0 && keep) {
        const part = r.parts.shift()!;
        r.queued -= part.length;
        queue.queued -= part.length;
        active.sent += part.length;
        r.segmentBytes += part.length;
        // Body pieces go out as they are: the scheduler alone frames this connection and
        // bounds what it buffers, so the Connection's per-frame bookkeeping is not needed.
        connection.writePiece(part, true);
        return true;
      }
      if (r.parts.length === 0 && r.ended !== undefined) {
        this.#endSegment(connection, active, r.ended);
        r.done = true;
        queue.active = undefined;
        return true;
      }
      if (!others) return false;
      if (!r.interruptible) {
        // Only SEND can be cut; others are small (RFC 4975 §7.1: 10 KiB at most).
        if (r.parts.length > 0) r.segmentBytes = 0;
        return r.parts.length > 0;
      }
      // Others wait and this chunk is stalled or has had its slice: cut it (RFC 4975 §7.1).
      this.#endSegment(connection, active, '+');
      queue.requeue();
      return true;
    }
    const control = queue.control.shift();
    if (control) {
      this.#write(connection, control);
      return true;
    }
    const next = queue.next(this.window.full);
    if (next === undefined) return false;
    const r = next;
    if (r.parts.length === 0 && r.abandoned && next.sent === 0 && r.open === undefined) {
      r.done = true;
      return true;
    }
    const head = resumedHead(next);
    r.open = head.transactionId;
    r.segmentBytes = 0;
    queue.active = next;
    next.events.segment(head.transactionId, next.sent);
    this.#write(connection, [next.encodeHead(head)]);
    return true;
  }

  /**
   * {@link #step} toward a message-framed peer: each segment is written whole, in one
   * message (RFC 7977 §5.1), so segments of different requests interleave freely; the
   * requests take turns, our own frames first.
   */
  #stepMessage(connection: Connection): boolean {
    const queue = this.#queue;
    const control = queue.control.shift();
    if (control) {
      this.#write(connection, control);
      return true;
    }
    const full = this.window.full;
    for (let i = 0; i < queue.waiting.length; i++) {
      const request = queue.waiting[i]!;
      if (full && !request.small) continue;
      const bytes = readySegmentBytes(request, this.#messageChunkBytes);
      if (bytes === undefined) continue;
      queue.waiting.splice(i, 1);
      if (bytes === 0 && request.abandoned && request.sent === 0) {
        // Aborted before a byte of it went out: nothing to end on the wire.
        request.done = true;
        return true;
      }
      queue.queued -= bytes;
      const more = writeSegment(request, bytes, (frame) => this.#write(connection, frame, true));
      if (more) queue.putBack(request);
      return true;
    }
    return false;
  }

  /**
   * Whether `request` goes toward a message-framed peer and cannot be cut there: not a SEND
   * (a SEND without Byte-Range is cut under one of the relay's, see `message-segment.ts`).
   */
  #uncuttable(request: ForwardedRequest): boolean {
    return this.#connection?.messageFramed === true && !request.isSend;
  }

  #endSegment(connection: Connection, request: ForwardedRequest, flag: ContinuationFlag): void {
    const r = request;
    const tid = r.open!;
    r.open = undefined;
    this.#write(connection, [encodeEndLine(tid, flag, r.hasBody)]);
    request.events.segmentEnd(tid, r.segmentBytes, flag);
  }

  /**
   * Writes `frame`; `lent`: its body pieces are lent, given back once written. Once the stream
   * says it is full (a socket past 256 KiB), the next frame waits for its drain: 8 KiB chunks
   * queued 1 MiB here, and the relay peaked at 67 MiB RSS for 1 GiB of them, 63 now. Body
   * pieces go on to `socketBuffer`: stopping a chunk midway cost 1 MiB chunks 10 %.
   */
  #write(connection: Connection, frame: Uint8Array[], lent = false): void {
    // No promise per frame: #pump checks the connection and its buffer before each step.
    if (connection.closed) {
      if (lent) returnReads(frame);
    } else if (!connection.tryWrite(frame, lent)) this.#awaitingDrain = true;
  }
}
