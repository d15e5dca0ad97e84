/**
 * The byte window while small messages go beside a file (16 chunks of the default 8 KiB), unless
 * {@link WINDOW_MS} of the rate is more: a chat line waits behind this much of the file, not
 * behind the floor, on a path too slow to fill the floor in that time. On a faster path the
 * window is that rate's already, which keeps the chat line's wait as short and the path full:
 * narrowed to 16 chunks, 8 KiB chunks on loopback stalled, each side waiting on the other's
 * turn, and a chat line every 20 ms kept it so to the end (1 GiB: 810-960 MB/s in about one
 * run in four, 1,225-1,440 otherwise; issue 12).
 */
export const NARROW_BYTES = 128 * 1024;
/** How long the window stays narrow after a small message last found it full, in ms. */
export const NARROW_MS = 500;
/**
 * The byte window to start from (or `maxBytes`, if smaller): a chat line sent beside a file on
 * a slow path waits behind this much of it at most.
 */
export const FLOOR_BYTES = 512 * 1024;
/**
 * Past the floor, the byte window holds about this many ms of the rate at which the peer
 * answers: wide enough on a fast path that the two sides do not wait on each other's turns,
 * and a chat line behind it still waits about this long. (1 GiB in 8 KiB chunks on loopback,
 * issue 12: 830-852 MB/s with 512 KiB in flight, both sides idle ~40 % of the time; 1,440
 * with 2 MiB.)
 */
export const WINDOW_MS = 5;
/**
 * {@link WINDOW_MS} when the next hop is a relay: it answers each chunk as it reads it
 * (responses are hop by hop), so a short round trip is all the window must cover, and the rest
 * would only sit in the sockets ahead of a chat line while the relay holds the sender back
 * for a slower reader. 1 GiB in 8 KiB chunks through the relay, a chat line every 20 ms, 8
 * runs each alternated: send→arrival p50 6.0 → 3.0 ms, p99 median 21.5 → 17.6 ms, 274 → 286
 * MB/s; in 1 MiB chunks 590 → 556 MB/s (medians of 9). Not direct: there the peer answers
 * once it has processed the chunks (8 KiB direct with 2 ms: 476 → 441 MB/s).
 */
export const RELAY_WINDOW_MS = 2;
/** How often, at least, the rate is measured while the window fills (ms). */
export const SAMPLE_MS = 20;
/**
 * Bytes that small messages may write beyond a full byte window, in all (one default chunk):
 * a chat line beside a file waits for none of the file's 200s, a flood of them still does.
 */
export const OVERDRAFT_BYTES = 8 * 1024;

/**
 * The window of a session's outgoing chunks: how many, and how many body bytes, were written
 * and not yet answered (RFC 4975 §7.1: each chunk gets its own response), and a wait for room.
 *
 * The byte window starts at {@link FLOOR_BYTES} and adapts, within `maxBytes`, to
 * {@link WINDOW_MS} of the rate at which chunks are answered ({@link RELAY_WINDOW_MS} through a
 * relay), measured each time it fills.
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
  readonly #floor: number;
  readonly #now: () => number;
  /** The byte window the rate allows (see {@link #adapt}). */
  #wide: number;
  /** {@link WINDOW_MS} of the rate last measured, in bytes (0 before the first measure). */
  #fitted = 0;
  /** The byte window now: `#wide`, or {@link #narrowed} until `#narrowUntil`. */
  #limit: number;
  /** Body bytes answered since `#sampledAt` (clock of `now`; -1 before the window first filled). */
  #answered = 0;
  #sampledAt = -1;
  /** When a narrowed window widens again (clock of `now`); 0 when it is not narrowed. */
  #narrowUntil = 0;
  #chunks = 0;
  #bytes = 0;
  /** Bytes of chunks written beyond the byte window and not yet answered. */
  #overdrawn = 0;
  /** Those bytes by the writer of the chunk (a message not begun: its first chunk). */
  readonly #overdrawers = new Map<K, number>();
  #opened: (() => void) | undefined;
  /** Ms of the answer rate the byte window holds: {@link WINDOW_MS} or {@link RELAY_WINDOW_MS}. */
  windowMs = WINDOW_MS;

  /** @param now The clock of {@link narrow} and of the rate, in ms. */
  constructor(maxChunks: number, maxBytes: number, maxOverdraft = 0, now = Date.now) {
    this.#maxChunks = maxChunks;
    this.#maxBytes = maxBytes;
    this.#floor = Math.min(maxBytes, FLOOR_BYTES);
    this.#wide = this.#limit = this.#floor;
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
   * No room for a chunk (see {@link hasRoom}), once the window was fitted to the rate and a
   * narrowed window whose time ran out widened: the clock is read only when the window is full.
   */
  get full(): boolean {
    if (this.hasRoom) return false;
    const now = this.#now();
    this.#adapt(now);
    if (this.#narrowUntil !== 0 && now >= this.#narrowUntil) this.#narrowUntil = 0;
    this.#limit = this.#narrowUntil === 0 ? this.#wide : this.#narrowed();
    return !this.hasRoom;
  }

  /**
   * A small message found the window full: for {@link NARROW_MS} the byte window is at most
   * {@link NARROW_BYTES} or {@link WINDOW_MS} of the rate, so that chat lines beside a file
   * wait behind little of it.
   */
  narrow(): void {
    this.#limit = this.#narrowed();
    this.#narrowUntil = this.#now() + NARROW_MS;
  }

  #narrowed(): number {
    return Math.min(this.#wide, Math.max(NARROW_BYTES, this.#fitted));
  }

  /**
   * Every {@link SAMPLE_MS} or more while the window fills: the byte window becomes
   * {@link WINDOW_MS} of the rate chunks were answered at since the last time, within the
   * floor and `maxBytes`. A peer that stops answering brings it back to the floor.
   */
  #adapt(now: number): void {
    const elapsed = now - this.#sampledAt;
    if (elapsed < SAMPLE_MS) return;
    if (this.#sampledAt >= 0) {
      this.#fitted = (this.#answered / elapsed) * this.windowMs;
      this.#wide = Math.min(this.#maxBytes, Math.max(this.#floor, this.#fitted));
    }
    this.#answered = 0;
    this.#sampledAt = now;
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
    this.#answered += bytes;
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
