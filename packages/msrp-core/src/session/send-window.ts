/**
 * The byte window while small messages go beside a file (16 chunks of the default 8 KiB): a
 * chat line waits behind this much of the file, not behind the whole window.
 */
export const NARROW_BYTES = 128 * 1024;
/** How long the window stays narrow after a small message last found it full, in ms. */
export const NARROW_MS = 500;
/**
 * Bytes that small messages may write beyond a full byte window, in all (one default chunk):
 * a chat line beside a file waits for none of the file's 200s, a flood of them still does.
 */
export const OVERDRAFT_BYTES = 8 * 1024;

/**
 * The window of a session's outgoing chunks: how many, and how many body bytes, were written
 * and not yet answered (RFC 4975 §7.1: each chunk gets its own response), and a wait for room.
 *
 * Beyond the byte window, small messages may overdraw it by up to `maxOverdraft` bytes in all
 * (within `maxChunks` still): a chat line sent beside a file is written at once instead of
 * after the file's next 200, and a flood of small messages still waits its turn. Such a
 * message also {@link narrow}s the byte window for a while, so that the next one has less of
 * the file ahead of it.
 */
export class SendWindow<K = unknown> {
  readonly #maxChunks: number;
  readonly #maxBytes: number;
  readonly #maxOverdraft: number;
  readonly #now: () => number;
  /** The byte window now: `maxBytes`, or {@link NARROW_BYTES} until `#narrowUntil`. */
  #limit: number;
  /** When a narrowed window widens again (clock of `now`); 0 when it is not narrowed. */
  #narrowUntil = 0;
  #chunks = 0;
  #bytes = 0;
  /** Bytes of chunks written beyond the byte window and not yet answered. */
  #overdrawn = 0;
  /** Those bytes by the writer of the chunk (a message not begun: its first chunk). */
  readonly #overdrawers = new Map<K, number>();
  #opened: (() => void) | undefined;

  /** @param now The clock of {@link narrow}, in ms. */
  constructor(maxChunks: number, maxBytes: number, maxOverdraft = 0, now = Date.now) {
    this.#maxChunks = maxChunks;
    this.#maxBytes = maxBytes;
    this.#limit = maxBytes;
    this.#maxOverdraft = maxOverdraft;
    this.#now = now;
  }

  /** Chunks written and not yet answered. */
  get chunks(): number {
    return this.#chunks;
  }

  /** Body bytes written and not yet answered (overdrawn ones included). */
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
    return chunks < this.#maxChunks && (chunks < 2 || this.#bytes < this.#limit);
  }

  /**
   * No room for a chunk (see {@link hasRoom}), once a narrowed window whose time ran out
   * widened: the clock is read only when the window is full.
   */
  get full(): boolean {
    if (this.hasRoom) return false;
    if (this.#narrowUntil === 0 || this.#now() < this.#narrowUntil) return true;
    this.#narrowUntil = 0;
    this.#limit = this.#maxBytes;
    return !this.hasRoom;
  }

  /**
   * A small message found the window full: for {@link NARROW_MS} the byte window is at most
   * {@link NARROW_BYTES}, so that chat lines beside a file wait behind little of it.
   */
  narrow(): void {
    this.#limit = Math.min(this.#maxBytes, NARROW_BYTES);
    this.#narrowUntil = this.#now() + NARROW_MS;
  }

  /** Bytes a chunk may still overdraw the byte window by (0 at `maxChunks`). */
  get overdraft(): number {
    return this.#chunks < this.#maxChunks ? this.#maxOverdraft - this.#overdrawn : 0;
  }

  /**
   * Whether `message` may be written while the byte window is full: it has not begun and is
   * one chunk (of at most `chunkLimit`) within the overdraft left, so it adds a bounded few
   * bytes beyond the window and no transaction beyond `maxChunks` (the connection's pending
   * limit). The scheduler asks for the head of its queue only: a new message waits behind one
   * queued before it.
   */
  mayOverdraw(
    message: { readonly sent: number; readonly offset: number; readonly size?: number | undefined },
    chunkLimit: number,
  ): boolean {
    const { sent, offset, size } = message;
    return (
      sent === offset && size !== undefined && size - offset <= Math.min(this.overdraft, chunkLimit)
    );
  }

  /** Resolves once there is room (call when {@link hasRoom} is false), or on {@link wake}. */
  room(): Promise<void> {
    return new Promise<void>((resolve) => (this.#opened = resolve));
  }

  /** Ends a wait for room without room: something that needs none came (an overdraft). */
  wake(): void {
    const opened = this.#opened;
    this.#opened = undefined;
    opened?.();
  }

  /**
   * A chunk of `bytes` was written; beyond the byte window (within {@link overdraft}) when
   * `overdrawer` is given: its {@link release} gives the overdraft back.
   */
  add(bytes: number, overdrawer?: K): void {
    this.#chunks++;
    this.#bytes += bytes;
    if (overdrawer === undefined) return;
    this.#overdrawn += bytes;
    this.#overdrawers.set(overdrawer, (this.#overdrawers.get(overdrawer) ?? 0) + bytes);
  }

  /** Fewer bytes of a chunk in flight than added: it was interrupted (RFC 4975 §7.1). */
  shrink(bytes: number): void {
    this.#bytes -= bytes;
  }

  /** A chunk of `bytes`, written by `writer`, was answered (or failed). */
  release(bytes: number, writer: K): void {
    this.#chunks--;
    this.#bytes -= bytes;
    let gaveBack = false;
    if (this.#overdrawers.size > 0) {
      // Whichever of its chunks is answered first gives an overdrawer's bytes back.
      const overdrawn = this.#overdrawers.get(writer);
      gaveBack = overdrawn !== undefined && this.#overdrawers.delete(writer);
      this.#overdrawn -= overdrawn ?? 0;
    }
    // Overdraft given back is room for the small message that may wait at the queue's head.
    if (this.#opened !== undefined && (gaveBack || this.hasRoom)) this.wake();
  }
}
