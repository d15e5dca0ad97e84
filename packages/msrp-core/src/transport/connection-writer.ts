import { MsrpError } from '../errors.js';
import type { ByteStream } from './byte-stream.js';
import { DrainWait } from './drain-wait.js';
import { ExclusiveWrites } from './exclusive-writes.js';
import { returnRead, returnReads } from './lent-reads.js';

/** What a {@link ConnectionWriter} needs of its connection. */
export interface WriterHost {
  /** Whether the connection is closed or closing: writes fail. */
  readonly closed: boolean;
  /** Bytes moved: the connection is not idle. */
  active(): void;
  /** {@link ConnectionWriter.full} changed: reading pauses or resumes with it. */
  fullChanged(): void;
}

/**
 * The write side of a `Connection`: whole frames, pieces of frames a caller frames itself,
 * and frames written in parts, honouring `drain`. It is {@link full} while more than
 * `maxWriteBuffer` bytes wait for the peer: its connection stops reading until `drain`.
 */
export class ConnectionWriter {
  readonly #stream: ByteStream;
  readonly #host: WriterHost;
  readonly #maxWriteBuffer: number;
  #full = false;
  /** The one wait for `drain` that writers share. */
  readonly #drain: DrainWait;
  /** Frames written in parts, and those waiting behind one: created on first use. */
  #parts: ExclusiveWrites | undefined;

  constructor(stream: ByteStream, maxWriteBuffer: number, host: WriterHost) {
    this.#stream = stream;
    this.#maxWriteBuffer = maxWriteBuffer;
    this.#host = host;
    this.#drain = new DrainWait(host);
  }

  /** More than `maxWriteBuffer` bytes wait for the peer: reading pauses until `drain`. */
  get full(): boolean {
    return this.#full;
  }

  /**
   * Writes one whole frame (head, body, end-line) without interleaving it with others.
   * Resolves at once while the stream has room, otherwise once it drains: await it before
   * writing more, so that a fast sender never queues unbounded bytes.
   * @throws {MsrpError} `MSRP_ERR_CONNECTION` when the connection is closed.
   */
  write(frame: readonly Uint8Array[]): Promise<void> {
    if (this.#host.closed) {
      return Promise.reject(new MsrpError('MSRP_ERR_CONNECTION', 'Connection is closed'));
    }
    // A frame is being written in parts: this one goes out right after it.
    if (this.#parts?.busy) return this.#parts.queue(frame);
    return this.#writeNow(frame) ? Promise.resolve() : this.#drain.wait();
  }

  /**
   * {@link write} without a promise, for a writer of many frames (a file's chunks): writes
   * the frame (or queues it behind a frame written in parts) and says whether the stream has
   * room for more. When false, await {@link whenWritable} before the next frame.
   * `lent`: parts of it are lent views (see {@link writePiece}).
   * @throws {MsrpError} `MSRP_ERR_CONNECTION` when the connection is closed.
   */
  tryWrite(frame: readonly Uint8Array[], lent = false): boolean {
    if (this.#host.closed) {
      if (lent) returnReads(frame);
      throw new MsrpError('MSRP_ERR_CONNECTION', 'Connection is closed');
    }
    if (this.#parts?.busy) {
      // Its lent views, if any, are left to the garbage collector: safe, only not reused.
      this.#parts.queueUnwaited(frame);
      return false;
    }
    return this.#writeNow(frame, lent);
  }

  /**
   * Resolves once the stream has room for more (at once when it has), after any frame being
   * written in parts; rejects with `MSRP_ERR_CONNECTION` when the connection closes first.
   */
  async whenWritable(): Promise<void> {
    for (;;) {
      if (this.#host.closed) throw new MsrpError('MSRP_ERR_CONNECTION', 'Connection is closed');
      const busy = this.#parts?.busy;
      if (busy) await busy;
      else if (this.#drain.pending) await this.#drain.pending;
      else return;
    }
  }

  /** Writes a frame now; false once the stream is full (a `drain` wait is then set up). */
  #writeNow(frame: readonly Uint8Array[], lent = false): boolean {
    const stream = this.#stream;
    // Activity is the first write since the stream emptied, and its drain: a clock read per
    // batch, not per frame of a corked turn (issue 12: 2 % of a sender's CPU, 8 KiB chunks).
    if (stream.bufferedAmount === 0) this.#host.active();
    if (stream.write(frame, lent)) return true;
    if (stream.bufferedAmount > this.#maxWriteBuffer && !this.#full) {
      this.#full = true;
      this.#host.fullChanged();
    }
    void this.#drain.wait();
    return false;
  }

  /**
   * Writes one piece of a frame its caller frames itself (head, body pieces, end-line, in
   * order with {@link write}): for a writer that bounds what it buffers by the stream's
   * `bufferedAmount` and {@link onDrain}, like the relay's scheduler. Returns false when
   * the connection is closed (nothing written) or its buffer is full: wait for `onDrain`.
   * On a message-framed stream each piece is one message: pass only whole frames there
   * (RFC 7977 §5.1). `lent`: `bytes` is a view lent with `lendRead`, given back
   * (`returnReads`) once the stream is done with it, or at once when nothing is written.
   */
  writePiece(bytes: Uint8Array, lent = false): boolean {
    if (this.#host.closed) {
      if (lent) returnRead(bytes);
      return false;
    }
    this.#host.active();
    return this.#stream.write([bytes], lent);
  }

  /** Calls `listener` each time the buffered bytes have been handed to the peer. */
  onDrain(listener: () => void): void {
    this.#drain.listen(listener);
  }

  /**
   * Writes one frame in parts, waiting for `drain` between them, while other frames wait:
   * how a large chunk stays interruptible (RFC 4975 §7.1). `nextPart` returns the next body
   * piece, or undefined to stop; `endLine` then gives the end-line for what was written.
   * On a message-framed stream the parts are joined and written as one message
   * (RFC 7977 §5.1), so the frame is not interruptible there: keep such chunks small.
   */
  async writeParts(
    head: Uint8Array,
    nextPart: () => Uint8Array | undefined,
    endLine: () => Uint8Array,
  ): Promise<void> {
    if (this.#stream.messageFramed === true) {
      // RFC 7977 §5.1: a chunk goes in exactly one WebSocket message, never in pieces.
      const frame = [head];
      for (let part = nextPart(); part !== undefined; part = nextPart()) frame.push(part);
      frame.push(endLine());
      return this.write(frame);
    }
    return (this.#parts ??= new ExclusiveWrites(this)).writeParts(head, nextPart, endLine);
  }

  /** The stream's `drain`: reading resumes if the buffer held it back, then writers go on. */
  drained(): void {
    this.#host.active();
    if (this.#full) {
      this.#full = false;
      this.#host.fullChanged();
    }
    this.#drain.drained();
  }

  /** The stream closed: a writer waiting for `drain` gets `MSRP_ERR_CONNECTION`. */
  closed(): void {
    this.#drain.closed();
  }
}
