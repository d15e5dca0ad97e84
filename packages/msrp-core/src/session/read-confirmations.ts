// `SessionOptions.confirmWhenRead`: the 200 of a streamed message's chunk waits until the
// reader took the chunk's last byte, so a receiver that stores each piece before pulling the
// next one has stored every byte it confirmed (issue 12: a crash loses nothing confirmed).
import type { ChunkAnswer } from './chunk-receiver.js';
import { refusalComment } from './peer-error.js';

/**
 * Chunks waiting for their 200 per message past which the connection pauses: a sender of
 * empty chunks adds no unread bytes, but must not grow the list without end either.
 */
const MAX_WAITING_ANSWERS = 4096;

/**
 * Bytes that the streamed messages of one session hold unread while their chunks wait for
 * their 200, bounded by `maxQueuedStreamBytes`: past it the connection pauses (the sender
 * broke its window or has a larger one than we hold), and resumes once readers catch up.
 */
export class UnreadBytes {
  bytes = 0;
  readonly #max: number;
  readonly #resume: () => void;
  #paused = false;

  /** @param resume Resumes the connection the session is bound to. */
  constructor(max: number, resume: () => void) {
    this.#max = max;
    this.#resume = resume;
  }

  /** Counts `n` more unread bytes; false when the connection should pause. */
  add(n: number, waiting: number): boolean {
    this.bytes += n;
    if (this.bytes <= this.#max && waiting < MAX_WAITING_ANSWERS) return true;
    this.#paused = true;
    return false;
  }

  /** `n` bytes were read (or dropped); resumes the connection once back under the bound. */
  release(n: number): void {
    this.bytes -= n;
    if (this.#paused && this.bytes <= this.#max) {
      this.#paused = false;
      this.#resume();
    }
  }
}

interface Waiting {
  /** Message octet (0-based, exclusive) the chunk ends at: answered once read this far. */
  readonly end: number;
  readonly answer: ChunkAnswer;
  /** The message's last chunk (`$`, or the one that completes it): waits for its end too. */
  readonly last: boolean;
}

/**
 * The answers of one streamed message that wait for its reader. The stream holds the message
 * in order from `start`; the reader's progress (`taken`) moves the read mark, and every
 * chunk ending at or before it is answered then, in one batch with the others due.
 */
export class ReadConfirmations {
  readonly #unread: UnreadBytes;
  /** Sorted by `end`: chunks arrive in order but for resends and out-of-order ones. */
  #waiting: Waiting[] = [];
  /** Message octets (offset included) the reader has taken. */
  #read: number;
  /** Bytes given to the stream and not taken, counted in {@link UnreadBytes}. */
  #held = 0;
  /** The reader read the stream to its end. */
  #readToEnd = false;
  #after: (() => void) | undefined;
  #settled: (() => void) | undefined;
  /** Message octets (offset included) whose chunks were answered 200, in order. */
  #confirmed: number;

  /** @param start Message octet where the stream starts (the message's `offset`). */
  constructor(start: number, unread: UnreadBytes) {
    this.#read = start;
    this.#confirmed = start;
    this.#unread = unread;
  }

  /**
   * Message octets (offset included) whose chunks were answered 200: the prefix the sender
   * was told arrived. Chunks are answered only once read to their end and the reads go in
   * order, so the highest end answered bounds a prefix with no gap.
   */
  get confirmed(): number {
    return this.#confirmed;
  }

  /** Whether chunks wait for their answer. */
  get waiting(): boolean {
    return this.#waiting.length > 0;
  }

  /** Bytes went into the stream; false when the connection should pause for the reader. */
  pushed(bytes: number): boolean {
    this.#held += bytes;
    return this.#unread.add(bytes, this.#waiting.length);
  }

  /** The reader took `bytes` more: answers the chunks it has now read to their end. */
  taken(bytes: number): void {
    const n = Math.min(bytes, this.#held);
    this.#held -= n;
    this.#read += bytes;
    this.#answerDue();
    this.#unread.release(n);
  }

  /** The reader read to the end (and checked the message, if it does): the last chunk is due. */
  readToEnd(): void {
    this.#readToEnd = true;
    this.#answerDue();
  }

  /** Answers the chunks the reader has read to their end, in one batch. */
  #answerDue(): void {
    let due = 0;
    while (due < this.#waiting.length && this.#isDue(this.#waiting[due]!)) due++;
    if (due === 0) return;
    const answers = this.#waiting.splice(0, due);
    for (const w of answers) this.#ok(w.end, w.answer);
    if (this.#waiting.length === 0) {
      this.#runAfter();
      this.#runSettled();
    }
  }

  #ok(end: number, answer: ChunkAnswer): void {
    this.#confirmed = Math.max(this.#confirmed, end);
    answer.respond();
  }

  /**
   * Whether a chunk is read: to its end, and the `last` one to the message's end too, which a
   * reader that checks the whole message (a file's hash) reaches only once it checked it
   * (PieceStream.holdEnd): a message failing its check gets 413 for its last chunk, never a
   * 200, even an empty one (no octet to hold back) or one of unknown size.
   */
  #isDue(chunk: Waiting): boolean {
    return chunk.end <= this.#read && (!chunk.last || this.#readToEnd);
  }

  /**
   * Answers a chunk ending at message octet `end` now if read that far, else once it is; the
   * `last` chunk once the reader also read to the end.
   */
  answer(end: number, answer: ChunkAnswer, last = false): void {
    const chunk = { end, answer, last };
    if (this.#isDue(chunk)) {
      this.#ok(end, answer);
      return;
    }
    let at = this.#waiting.length;
    while (at > 0 && this.#waiting[at - 1]!.end > end) at--;
    this.#waiting.splice(at, 0, chunk);
  }

  /** Runs `fn` once every waiting chunk is answered (now if none waits): the success REPORT. */
  afterAnswers(fn: () => void): void {
    if (this.#waiting.length === 0) fn();
    else this.#after = fn;
  }

  /**
   * Runs `fn` once no chunk waits for its answer any more, answered or failed (now if none
   * waits): the session stops watching the message.
   */
  whenSettled(fn: () => void): void {
    if (this.#waiting.length === 0) fn();
    else this.#settled = fn;
  }

  /**
   * The message failed or its reader stopped: the chunks still waiting were not read and get
   * 413 (RFC 4975 §7.1: stop sending this message), or 481 when their session closed (§10: the
   * session does not exist any more); their bytes no longer count as unread. `reason`, the
   * reader's failure or the message's, says what kind in the 413's comment (a hash mismatch,
   * a limit broken: see `refusalComment`).
   * @returns whether a chunk was still waiting (the sender is told the message failed).
   */
  fail(status: 413 | 481 = 413, reason?: Error): boolean {
    const waiting = this.#waiting;
    this.#waiting = [];
    this.#after = undefined;
    const comment = status === 481 ? 'Session closed' : refusalComment(reason);
    for (const w of waiting) w.answer.respond(status, comment);
    const held = this.#held;
    this.#held = 0;
    this.#unread.release(held);
    this.#runSettled();
    return waiting.length > 0;
  }

  #runAfter(): void {
    const after = this.#after;
    this.#after = undefined;
    after?.();
  }

  #runSettled(): void {
    const settled = this.#settled;
    this.#settled = undefined;
    settled?.();
  }
}
