import type { NodeReadableLike } from './byte-source.js';

/**
 * Bytes a Node stream may push ahead of its reader before it is paused: a few pieces, so that
 * the stream is not paused and resumed (a tick and an event or two each) for every piece.
 */
const READ_AHEAD = 256 * 1024;

/** A source of pieces that can hand over one at hand without a promise. */
export interface PiecesAtHand {
  /** The next piece when one is queued; null when none is (await the iterator's `next()`). */
  takeNow(): Uint8Array | null;
}

/** Whether `iterator` is a {@link PiecesAtHand} (a {@link NodePieces}). */
export function hasPiecesAtHand(iterator: object): iterator is PiecesAtHand {
  return typeof (iterator as Partial<PiecesAtHand>).takeNow === 'function';
}

/**
 * Reads a Node stream piece by piece as it was pushed. A Readable's own async iterator calls
 * `read()`, which joins everything buffered into one new Buffer (a copy of every byte);
 * flowing mode hands over each piece as it is. The stream flows until {@link READ_AHEAD}
 * bytes (or one larger piece) wait here, and resumes once they were taken. A reader takes
 * the pieces at hand with {@link takeNow} (no promise per piece), and awaits {@link next}
 * only when none is. Stopping early (`return`, or a failure) destroys the stream.
 */
export class NodePieces implements AsyncIterableIterator<Uint8Array>, PiecesAtHand {
  readonly #stream: NodeReadableLike;
  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  #paused = false;
  #ended = false;
  /** Listeners removed: the reader is done (or stopped). */
  #finished = false;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;
  readonly #onData = (data: unknown): void => {
    const piece = data as Uint8Array;
    this.#queue.push(piece);
    this.#queued += piece.length;
    if (this.#queued >= READ_AHEAD && !this.#paused) {
      this.#paused = true;
      this.#stream.pause();
    }
    this.#wake?.();
  };
  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#wake?.();
  };
  readonly #onError = (e: unknown): void => {
    this.#failure = e as Error;
    this.#wake?.();
  };
  // Destroyed without an error (a file send given up releases its stream): no 'end' comes,
  // and a reader waiting for the next piece would wait for ever.
  readonly #onClose = (): void => {
    if (!this.#ended) this.#failure ??= new Error('The stream was closed before its end');
    this.#wake?.();
  };

  constructor(stream: NodeReadableLike) {
    this.#stream = stream;
    stream
      .on('data', this.#onData)
      .once('end', this.#onEnd)
      .once('error', this.#onError)
      .once('close', this.#onClose);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  takeNow(): Uint8Array | null {
    return this.#queue.length > 0 && !this.#finished ? this.#take() : null;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    for (;;) {
      if (this.#finished) return { done: true, value: undefined };
      if (this.#queue.length > 0) return { done: false, value: this.#take() };
      const failure = this.#failure;
      if (failure) {
        this.#finish();
        throw failure;
      }
      if (this.#ended) {
        this.#finish();
        return { done: true, value: undefined };
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }

  /** Stops reading: the stream is destroyed unless it ended; a `next()` waiting ends too. */
  return(): Promise<IteratorResult<Uint8Array>> {
    this.#finish();
    return Promise.resolve({ done: true, value: undefined });
  }

  #take(): Uint8Array {
    const piece = this.#queue.shift()!;
    this.#queued -= piece.length;
    if (this.#paused && this.#queue.length === 0) {
      this.#paused = false;
      this.#stream.resume();
    }
    return piece;
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#queue.length = 0;
    this.#stream
      .off('data', this.#onData)
      .off('end', this.#onEnd)
      .off('error', this.#onError)
      .off('close', this.#onClose);
    if (!this.#ended) this.#stream.destroy();
    this.#wake?.();
  }
}
