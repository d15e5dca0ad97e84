import { MsrpError } from '../errors.js';
import { lendRead } from '../transport/lent-reads.js';
import { concatBytes, copyBytes, unsharedBytes } from '../wire/bytes.js';
import type { ChunkAnswer } from './chunk-receiver.js';
import { IncomingMessage, isFile, type IncomingMessageInit } from './incoming-message.js';
import { PieceStream } from './piece-stream.js';
import { ReadConfirmations, type UnreadBytes } from './read-confirmations.js';
import type { SessionRuntime } from './session-runtime.js';

/** Limits of reassembly, set per session. */
export interface ReassemblyOptions {
  /** Messages up to this size are delivered whole in `body`; larger ones as `stream`. */
  inMemoryThreshold: number;
  /** Bytes of out-of-order chunks held while waiting for the gap before them. */
  maxReorderBytes: number;
  /** Largest message accepted, in bytes. */
  maxSize: number;
  /**
   * Takes stream bytes of a message the reader has not taken yet: true when held so (the
   * stream must not pause the connection), false once the reader has it.
   * @throws {MsrpError} 413 when the session holds too much for messages not taken yet.
   */
  holdQueued: (message: IncomingMessage, bytes: number) => boolean;
  /** Called when a stream consumer wants more after the connection was paused for it. */
  resume: () => void;
  /** Hashing and files for `saveTo`. */
  runtime: SessionRuntime;
  /**
   * With `SessionOptions.confirmWhenRead`: the session's count of stream bytes not read yet.
   * A streamed message's chunks are then answered once read, and its stream never pauses the
   * connection below this bound.
   */
  confirmWhenRead?: UnreadBytes;
}

/** Pieces a streamed message queues for its reader before the connection pauses. */
const STREAM_HIGH_WATER_MARK = 16;

/**
 * Reassembles one incoming message from its chunks by Byte-Range: in order, duplicates
 * trimmed, out-of-order pieces held (bounded) until the gap before them fills.
 */
export class Reassembly {
  readonly message: IncomingMessage;
  /** Time (ms, `Date.now()`) of its last chunk or body bytes: see IncompleteWatch. */
  lastActive = 0;
  readonly #options: ReassemblyOptions;
  #parts: Uint8Array<ArrayBuffer>[] | undefined = [];
  #partBytes = 0;
  /** Pieces that came early, by position; made at the first (most messages never need it). */
  #reorder: Map<number, Uint8Array> | undefined;
  #reorderBytes = 0;
  /** Offset (0-based) of the next byte of the current chunk. */
  #position = 0;
  /** Total once known: announced, or learnt from the `$` chunk. */
  #total: number | undefined;
  #delivered = false;
  #done = false;
  #refused = false;
  /** The session closed under the message: the rest of a chunk under way gets 481. */
  #sessionClosed = false;
  /** With confirmWhenRead, once streamed: the answers waiting for the reader. */
  #confirmations: ReadConfirmations | undefined;

  constructor(init: IncomingMessageInit, options: ReassemblyOptions) {
    this.message = new IncomingMessage(init, options.runtime);
    this.#options = options;
    this.#total = init.size;
    const size = init.size === undefined ? undefined : init.size - this.message.offset;
    // With confirmWhenRead a file streams whatever its size: held in memory, its chunks would
    // be confirmed before the application stored them (issue 12: nothing confirmed is lost).
    const file = options.confirmWhenRead !== undefined && isFile(this.message);
    if (file || (size !== undefined && size > options.inMemoryThreshold)) this.#toStream();
  }

  /** Whether the message must be handed to the user now (streams: at their first chunk). */
  takeDelivery(): IncomingMessage | undefined {
    if (this.#delivered || (!this.message.stream && !this.#done)) return undefined;
    this.#delivered = true;
    return this.message;
  }

  /** Whether the reader was handed the message (a stream at its first chunk, else whole). */
  get delivered(): boolean {
    return this.#delivered;
  }

  get done(): boolean {
    return this.#done;
  }

  /** Octets held past a gap, waiting for the bytes before them. */
  get outOfOrderBytes(): number {
    return this.#reorderBytes;
  }

  /** Starts a chunk whose first byte is at Byte-Range `start` (1-based). */
  beginChunk(start: number): void {
    this.#position = start - 1;
  }

  /**
   * Takes body bytes of the current chunk; returns false when the consumer is full and
   * the connection should pause.
   * @throws {MsrpError} 413 past max-size or the reorder bound, 400 past the announced total.
   */
  write(bytes: Uint8Array): boolean {
    if (this.#sessionClosed) {
      // RFC 4975 §10: 481, the session does not exist any more.
      throw new MsrpError('MSRP_ERR_SESSION', 'Session closed', { status: 481 });
    }
    if (this.#refused || this.message.aborted) {
      // RFC 4975 §7.1: 413 tells the sender to stop sending this message.
      throw new MsrpError('MSRP_ERR_ABORTED', 'The receiver stopped reading this message', {
        status: 413,
      });
    }
    let position = this.#position;
    this.#position += bytes.length;
    const end = position + bytes.length;
    if (this.#total !== undefined && end > this.#total) {
      throw new MsrpError(
        'MSRP_ERR_BAD_HEADER',
        'Chunk goes past the message total in Byte-Range',
        { status: 400 },
      );
    }
    if (end > this.#options.maxSize) {
      throw new MsrpError('MSRP_ERR_LIMIT', `Message larger than ${this.#options.maxSize} bytes`, {
        status: 413,
      });
    }
    const received = this.message.received;
    if (position < received) {
      // Duplicate bytes (a resent chunk): keep only what is new.
      if (end <= received) return true;
      bytes = bytes.subarray(received - position);
      position = received;
    }
    if (position > received) {
      const reorder = (this.#reorder ??= new Map<number, Uint8Array>());
      // A piece held already where this one starts (a resent or overlapping chunk): the
      // longer of the two holds the other, and is kept; replaced by a shorter one, the
      // bytes past it would be lost and the message would never complete.
      const held = reorder.get(position)?.length ?? 0;
      if (held >= bytes.length) return true;
      this.#reorderBytes += bytes.length - held;
      if (this.#reorderBytes > this.#options.maxReorderBytes) {
        throw new MsrpError('MSRP_ERR_LIMIT', 'Too many out-of-order bytes', { status: 413 });
      }
      reorder.set(position, copyBytes(bytes));
      return true;
    }
    let room = this.#append(bytes);
    const reorder = this.#reorder;
    if (reorder === undefined || reorder.size === 0) return room;
    // Pieces that arrived early may now be next in line.
    for (let again = true; again;) {
      again = false;
      for (const [at, piece] of reorder) {
        if (at > this.message.received) continue;
        reorder.delete(at);
        this.#reorderBytes -= piece.length;
        const skip = this.message.received - at;
        if (skip < piece.length) room = this.#append(piece.subarray(skip)) && room;
        again = true;
      }
    }
    return room;
  }

  /**
   * The whole body, when ending the current chunk with `flag` completes a message held in
   * memory; else undefined. Nothing changes but how the parts are held.
   */
  peekComplete(flag: '+' | '$' | '#'): Uint8Array | undefined {
    if (flag === '#' || !this.#parts || this.message.aborted) return undefined;
    const total = this.#total ?? (flag === '$' ? this.#position : undefined);
    if (total === undefined || this.message.received < total) return undefined;
    if (this.#parts.length > 1) this.#parts = [concatBytes(this.#parts)];
    return this.#parts[0] ?? new Uint8Array(0);
  }

  /**
   * Ends the current chunk. Returns true when the message is now complete.
   * @param flag The end-line flag: `$` last chunk, `+` more, `#` aborted by the sender.
   */
  endChunk(flag: '+' | '$' | '#', announcedHash?: string, answer?: ChunkAnswer): boolean {
    if (announcedHash !== undefined) this.message.announcedHash = announcedHash;
    if (flag === '#') {
      this.abort(
        new MsrpError(
          'MSRP_ERR_ABORTED',
          `Message ${this.message.messageId} aborted by the sender`,
        ),
      );
      answer?.respond();
      return false;
    }
    if (flag === '$' && this.#total === undefined) this.#total = this.#position;
    const complete = this.#total !== undefined && this.message.received >= this.#total;
    if (answer !== undefined) {
      // The chunk that ends the message (`$`, or one that completes it) waits for the reader
      // to read to its end, checks included (see ReadConfirmations).
      if (this.#confirmations) {
        this.#confirmations.answer(this.#position, answer, flag === '$' || complete);
      } else answer.respond();
    }
    if (!complete) return false;
    this.#done = true;
    if (this.#parts) {
      this.message.body = this.#parts.length === 1 ? this.#parts[0]! : concatBytes(this.#parts);
      this.#parts = undefined;
    }
    this.message.stream?.end();
    this.message.settle();
    return true;
  }

  /**
   * Runs `fn` once every chunk of the message has been answered: at once, or with
   * confirmWhenRead once the reader took the last byte (a success REPORT follows the 200s).
   */
  afterAnswers(fn: () => void): void {
    if (this.#confirmations) this.#confirmations.afterAnswers(fn);
    else fn();
  }

  /** Whether chunks of the message wait for the reader before their 200 (confirmWhenRead). */
  get unconfirmed(): boolean {
    return this.#confirmations?.waiting ?? false;
  }

  /** Runs `fn` once no chunk of the message waits for its answer (now if none does). */
  whenConfirmed(fn: () => void): void {
    if (this.#confirmations) this.#confirmations.whenSettled(fn);
    else fn();
  }

  /**
   * Fails the message: the sender aborted it, or the connection or session went away
   * (`sessionClosed`: its unconfirmed chunks are answered 481, not 413).
   */
  abort(error: MsrpError, sessionClosed = false): void {
    this.#sessionClosed = sessionClosed;
    const unconfirmed = this.#confirmations?.fail(sessionClosed ? 481 : 413, error) ?? false;
    if (this.#done) {
      // Arrived whole, its last chunk waiting for the reader: that chunk got 481 or 413, not
      // 200, so the sender counts the message failed and sends it again. The reader fails
      // too, where it would have kept a copy of a message that is coming again.
      if (unconfirmed) {
        const { messageId } = this.message;
        this.message.stream?.destroy(
          new MsrpError(error.code, `${error.message} before message ${messageId} was confirmed`, {
            cause: error,
          }),
        );
      }
      return;
    }
    this.#done = true;
    this.message.aborted = true;
    if (this.#parts) this.message.body = concatBytes(this.#parts);
    this.#parts = undefined;
    this.#reorder = undefined;
    this.message.stream?.destroy(error);
    this.message.settle(error);
  }

  #append(bytes: Uint8Array): boolean {
    if (this.#parts) {
      this.message.received += bytes.length;
      // Copy: the parser's slices are views of socket buffers that we must not pin.
      this.#parts.push(copyBytes(bytes));
      this.#partBytes += bytes.length;
      if (this.#partBytes > this.#options.inMemoryThreshold) this.#toStream();
      return true;
    }
    // Not taken by the reader yet: never pause for it (see ReassemblyOptions.holdQueued).
    const held = this.#options.holdQueued(this.message, bytes.length);
    this.message.received += bytes.length;
    // The one view of a read that outlives it: lent, so that its buffer is not read into
    // again before the reader gives it back (a file being saved does), if ever.
    lendRead(bytes);
    let room = this.message.stream!.push(unsharedBytes(bytes));
    if (this.#confirmations) room = this.#confirmations.pushed(bytes.length);
    return held || room;
  }

  #toStream(): void {
    const resume = this.#options.resume;
    const unread = this.#options.confirmWhenRead;
    const confirmations = unread && new ReadConfirmations(this.message.offset, unread);
    this.#confirmations = confirmations;
    if (confirmations) this.message.confirmWith(confirmations);
    // Each piece as received: 16 pieces of at most 64 KiB (a socket read) bound what waits
    // for the reader; with confirmWhenRead the sender's window does, unanswered chunks
    // holding it back, and the session's bound on unread bytes behind it.
    // A failure while the message waits unread reaches only a reader.
    const limit = confirmations ? Number.POSITIVE_INFINITY : STREAM_HIGH_WATER_MARK;
    const stream = new PieceStream(limit, {
      pull: resume,
      ...(confirmations && {
        taken: (bytes: number) => confirmations.taken(bytes),
        readToEnd: () => confirmations.readToEnd(),
      }),
      closed: (failure) => {
        // Chunks whose bytes the reader never took get 413: it stopped reading (and says why
        // when its check of the file failed).
        confirmations?.fail(413, failure);
        // The reader destroyed the stream (gave up, or could not store it): refuse the rest.
        if (!this.#done) this.#refused = true;
        // However it ended, the stream no longer holds its connection back: had the parser
        // paused for it, nothing else would resume it, and other sessions share the connection.
        resume();
      },
    });
    for (const part of this.#parts ?? []) {
      stream.push(part);
      confirmations?.pushed(part.length);
    }
    this.#parts = undefined;
    this.message.stream = stream;
  }
}
