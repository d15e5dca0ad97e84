/**
 * The window of a session's outgoing chunks: how many, and how many body bytes, were written
 * and not yet answered (RFC 4975 §7.1: each chunk gets its own response), and a wait for room.
 */
export class SendWindow {
  readonly #maxChunks: number;
  readonly #maxBytes: number;
  #chunks = 0;
  #bytes = 0;
  #opened: (() => void) | undefined;

  constructor(maxChunks: number, maxBytes: number) {
    this.#maxChunks = maxChunks;
    this.#maxBytes = maxBytes;
  }

  /** Chunks written and not yet answered. */
  get chunks(): number {
    return this.#chunks;
  }

  /** Body bytes written and not yet answered. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Room for one more chunk: within `maxChunks`, and within `maxBytes` unless fewer than two
   * chunks are in flight, so that chunks larger than the byte window still overlap (one on
   * the wire while the peer answers the other) instead of waiting turn by turn.
   */
  get hasRoom(): boolean {
    const chunks = this.#chunks;
    return chunks < this.#maxChunks && (chunks < 2 || this.#bytes < this.#maxBytes);
  }

  /** Resolves once there is room (call when {@link hasRoom} is false). */
  room(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#opened = () => {
        if (!this.hasRoom) return;
        this.#opened = undefined;
        resolve();
      };
    });
  }

  /** A chunk of `bytes` was written. */
  add(bytes: number): void {
    this.#chunks++;
    this.#bytes += bytes;
  }

  /** Fewer bytes of a chunk in flight than added: it was interrupted (RFC 4975 §7.1). */
  shrink(bytes: number): void {
    this.#bytes -= bytes;
  }

  /** A chunk of `bytes` was answered (or failed). */
  release(bytes: number): void {
    this.#chunks--;
    this.#bytes -= bytes;
    this.#opened?.();
  }
}
