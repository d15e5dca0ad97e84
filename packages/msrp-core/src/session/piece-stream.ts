import { MsrpError } from '../errors.js';
import { returnReads } from '../transport/lent-reads.js';

/** Options of {@link PieceStream.nextPieces}. */
export interface NextPiecesOptions {
  /**
   * The pieces are read only until the next call: their memory may then be read into again
   * (on Node, they are views of socket reads), so a reader that hashes, counts or stores each
   * batch before it asks for the next receives without a new buffer per socket read for the
   * garbage collector (issue 12: 1 GiB received at 8 KiB chunks). Default false: pieces stay
   * as they are for as long as they are referenced.
   */
  reuse?: boolean;
}

/** What a {@link PieceStream} tells its producer. */
export interface PieceStreamHooks {
  /** The reader took pieces after {@link PieceStream.push} said the queue was full. */
  pull(): void;
  /**
   * The stream ended early (destroyed by its reader or by a failure), with that failure (or
   * `MSRP_ERR_ABORTED`); called once.
   */
  closed(failure: Error): void;
  /**
   * The reader took `bytes`: it was pulled past the piece that held them (its next `next()`
   * call, the one that may end the loop). Not called for a piece the loop broke out on.
   */
  taken?(bytes: number): void;
  /**
   * The reader read to the end (its call found no more pieces), after any {@link taken}; a
   * reader that checks the whole message first, once it did (see {@link PieceStream.holdEnd}).
   */
  readToEnd?(): void;
}

/**
 * The body of a streamed incoming message, on any runtime: an `AsyncIterable<Uint8Array>`
 * (views of `ArrayBuffer`s, so `new Blob(pieces)` type-checks) of the pieces as they were received (never joined, never copied again), with a bounded
 * queue that tells the producer to pause the connection.
 *
 * A failure reaches only a reader (it is thrown from its loop): a message that failed while
 * nobody read it crashes nothing. On Node, `stream.pipeline(message.stream, file)` and
 * `Readable.from(message.stream)` take it as it is.
 *
 * @example
 * ```ts
 * for await (const piece of message.stream) hash.update(piece);
 * ```
 */
export class PieceStream implements AsyncIterableIterator<Uint8Array<ArrayBuffer>> {
  readonly #highWaterMark: number;
  readonly #hooks: PieceStreamHooks;
  #queue: Uint8Array<ArrayBuffer>[] = [];
  /** The last push found the queue full: the producer waits for {@link PieceStreamHooks.pull}. */
  #full = false;
  #ended = false;
  /** The reader's last call found the end. */
  #readToEnd = false;
  /** Taken by a reader that reads it whole ({@link claim}). */
  #claimed = false;
  #closed = false;
  #failure: Error | undefined;
  /** The end found counts as read only once the reader checked the message ({@link holdEnd}). */
  #holdEnd = false;
  /** Bytes of the piece last returned, not yet reported {@link PieceStreamHooks.taken}. */
  #lent = 0;
  /** Pieces handed by the last `nextPieces({ reuse: true })`: given back at the next call. */
  #reused: Uint8Array<ArrayBuffer>[] | undefined;
  /** Readers waiting for a piece (more than one only if `next()` is called concurrently). */
  #waiting: Array<() => void> = [];

  /** Not for applications: sessions make these. */
  constructor(highWaterMark: number, hooks: PieceStreamHooks) {
    this.#highWaterMark = highWaterMark;
    this.#hooks = hooks;
  }

  /** Pieces received and not read yet. */
  get bufferedPieces(): number {
    return this.#queue.length;
  }

  /** Whether the message's last piece came (its end-line was read): none follows those queued. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Whether the stream was destroyed or failed (it delivers no more pieces). */
  get destroyed(): boolean {
    return this.#closed;
  }

  /**
   * @internal Adds a piece; false when the queue is full (pause until `pull`). Pieces
   * after the end or a destroy are dropped (and never pause: nobody would pull).
   */
  push(piece: Uint8Array<ArrayBuffer>): boolean {
    if (this.#closed || this.#ended) return true;
    this.#queue.push(piece);
    this.#wakeReader();
    if (this.#queue.length < this.#highWaterMark) return true;
    this.#full = true;
    return false;
  }

  /** @internal No more pieces: the reader ends after the queued ones. */
  end(): void {
    if (this.#closed) return;
    this.#ended = true;
    this.#wakeReader();
  }

  /**
   * Stops the stream: queued pieces are dropped and a reader's loop throws `error`, or
   * `MSRP_ERR_ABORTED` without one (its bytes are incomplete). Does nothing once destroyed,
   * or read to the end: pieces handed out and not yet reported taken (the reader did not
   * come back for more, e.g. it failed to store them) are not read to the end, nor is a
   * stream whose reader did not ask for its end, or did and has not checked it yet
   * ({@link holdEnd}).
   */
  destroy(error?: Error): void {
    if (this.#closed || this.#readToEnd) return;
    this.#closed = true;
    this.#queue = [];
    const failure = error ?? new MsrpError('MSRP_ERR_ABORTED', 'The message stream was destroyed');
    this.#failure = failure;
    this.#wakeReader();
    this.#hooks.closed(failure);
  }

  /** The next piece; throws the failure of a destroyed stream. */
  async next(): Promise<IteratorResult<Uint8Array<ArrayBuffer>, undefined>> {
    this.#reportLent();
    for (;;) {
      const piece = this.#queue.shift();
      if (piece) {
        this.#lent = piece.length;
        this.#pullIfRoom();
        return { done: false, value: piece };
      }
      if (this.#failure) throw this.#failure;
      if (this.#ended) {
        this.#foundEnd();
        return { done: true, value: undefined };
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  /**
   * Every piece queued now (waiting for one when none is), in order, or undefined at the
   * end; throws the failure of a destroyed stream. Like `next()`, the pieces count as taken
   * (with `confirmWhenRead`: their chunks are answered) only at the following call, so a
   * reader that stores the whole batch at once (one `writev`) before calling again has
   * stored every byte confirmed. Not to be mixed with a `for await` loop on the same stream.
   *
   * @example
   * ```ts
   * // Hashing a file as it arrives, its pieces read over once hashed.
   * for (let pieces; (pieces = await message.stream.nextPieces({ reuse: true })); )
   *   for (const piece of pieces) hash.update(piece);
   * ```
   */
  async nextPieces(options?: NextPiecesOptions): Promise<Uint8Array<ArrayBuffer>[] | undefined> {
    this.#reportLent();
    for (;;) {
      if (this.#queue.length > 0) {
        const pieces = this.#queue;
        this.#queue = [];
        for (const piece of pieces) this.#lent += piece.length;
        // Its own list: what the reader does with the one it gets changes nothing here.
        if (options?.reuse === true) this.#reused = pieces.slice();
        this.#pullIfRoom();
        return pieces;
      }
      if (this.#failure) throw this.#failure;
      if (this.#ended) {
        this.#foundEnd();
        return undefined;
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  /**
   * @internal Takes the stream for one reader that reads it whole (saveTo, receiveBlob,
   * PartialFile.receive). A second one is refused: it read what the first left, nothing or
   * half the message, and saved that as if it were the message.
   * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` once claimed.
   */
  claim(): void {
    if (this.#claimed) {
      throw new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        'The message stream is read already: save or receive a message once',
      );
    }
    this.#claimed = true;
  }

  /**
   * @internal The reader checks the message once it has read it whole (a file's hash), and
   * its last chunk must not be confirmed before (`confirmWhenRead`): the call that finds the
   * end no longer counts as reading to it, {@link endChecked} does. A reader whose check
   * fails destroys the stream instead, and that chunk is refused (413).
   */
  holdEnd(): void {
    this.#holdEnd = true;
  }

  /**
   * @internal After {@link holdEnd}: the reader found the end and checked the message.
   * @throws the failure of a stream destroyed meanwhile (its last chunk was not confirmed).
   */
  endChecked(): void {
    if (this.#failure) throw this.#failure;
    if (!this.#holdEnd || this.#readToEnd) return;
    this.#holdEnd = false;
    if (this.#ended && this.#queue.length === 0) this.#foundEnd();
  }

  /** The reader's call found the end: read to it, unless the reader holds it to check first. */
  #foundEnd(): void {
    if (this.#holdEnd) return;
    this.#readToEnd = true;
    this.#hooks.readToEnd?.();
  }

  /**
   * Reports the bytes handed out by the last call as taken: the reader came back for more.
   * Pieces it had with `reuse` go back (a destroyed stream leaves them to the collector: its
   * reader may still be reading them).
   */
  #reportLent(): void {
    const reused = this.#reused;
    if (reused !== undefined) {
      this.#reused = undefined;
      returnReads(reused);
    }
    if (this.#lent === 0) return;
    const lent = this.#lent;
    this.#lent = 0;
    this.#hooks.taken?.(lent);
  }

  /** Tells a producer paused on a full queue to go on once there is room again. */
  #pullIfRoom(): void {
    if (this.#full && this.#queue.length < this.#highWaterMark) {
      this.#full = false;
      this.#hooks.pull();
    }
  }

  /** A reader left its loop early (`break`): the rest of the message is refused. */
  return(): Promise<IteratorResult<Uint8Array<ArrayBuffer>, undefined>> {
    this.destroy();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #wakeReader(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }
}
