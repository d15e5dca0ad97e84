/**
 * The responses (and success REPORTs) an endpoint owes on one connection, written together:
 * every frame added while the parser works through one socket read (or while a reader's
 * `next()` confirms several chunks) goes out in one write, in the order added, once the
 * current task has run. One write for a batch of 200s instead of one per chunk; on a
 * message-framed transport (WebSocket) one write per frame, as RFC 7977 §5.1 requires.
 */
export class AnswerBatch {
  readonly #write: (frames: readonly Uint8Array[]) => void;
  readonly #messageFramed: () => boolean;
  #frames: Uint8Array[] = [];
  /** Where each frame starts in `#frames`, for a message-framed transport. */
  #starts: number[] = [];
  #scheduled = false;
  readonly #flush = (): void => this.flush();

  /**
   * @param write Writes buffers as one frame list (`Connection.write`).
   * @param messageFramed Whether each write is one transport message (then one per frame).
   */
  constructor(write: (frames: readonly Uint8Array[]) => void, messageFramed: () => boolean) {
    this.#write = write;
    this.#messageFramed = messageFramed;
  }

  /** Queues a frame's buffers for the next flush. */
  add(frame: readonly Uint8Array[]): void {
    this.#starts.push(this.#frames.length);
    for (const part of frame) this.#frames.push(part);
    if (this.#scheduled) return;
    this.#scheduled = true;
    // A microtask runs after the whole socket read was parsed, before the next read.
    queueMicrotask(this.#flush);
  }

  /** Writes what is queued now: before a write that must follow it, or before a close. */
  flush(): void {
    this.#scheduled = false;
    if (this.#frames.length === 0) return;
    const frames = this.#frames;
    const starts = this.#starts;
    this.#frames = [];
    this.#starts = [];
    if (!this.#messageFramed()) {
      this.#write(frames);
      return;
    }
    for (let i = 0; i < starts.length; i++) this.#write(frames.slice(starts[i], starts[i + 1]));
  }
}
