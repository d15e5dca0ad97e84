import { MsrpError } from '../errors.js';
import { encodeLatin1 } from './bytes.js';
import { EndLineScanner, endLineFlag } from './end-line-scanner.js';
import {
  DEFAULT_MAX_HEADER_BYTES,
  type ContinuationFlag,
  type FrameSink,
  type ParserOptions,
} from './frame-sink.js';
import { checkHead, parseHeaderLine, parseStartLine, type Head, type HeaderCache } from './head.js';
import { HeaderBlockReader } from './header-block.js';
import { HeadLineReader } from './head-line-reader.js';
import type { KnownLine } from './header-line.js';
import { skipped, skips } from './skipped-frame.js';
import { WholeHead } from './whole-head.js';

export type { ContinuationFlag, FrameSink, ParserOptions } from './frame-sink.js';

type State = 'start' | 'headers' | 'body' | 'failed';

/**
 * Streaming MSRP parser (RFC 4975 §9): push bytes in any pieces, receive heads, body slices
 * and end-lines on a {@link FrameSink}. Pure: no sockets, no timers.
 *
 * Bodies are never buffered: a 1 GiB chunk passes through as views of the input, holding
 * back only the trailing bytes that could still begin this transaction's end-line.
 *
 * @example
 * ```ts
 * const parser = new Parser(sink);
 * socket.on('data', (buf) => { if (!parser.push(buf)) socket.pause(); });
 * // later, when the sink can take more:
 * if (parser.resume()) socket.resume();
 * ```
 */
export class Parser {
  readonly #sink: FrameSink;
  readonly #maxStartLine: number;
  readonly #maxHeaderBytes: number;
  readonly #maxHeaders: number;

  #state: State = 'start';
  #error: MsrpError | undefined;
  #paused = false;
  /**
   * Reading pushed bytes: a push or resume from a sink method (an aborted message's reader let
   * go, which resumes the connection) only queues or unpauses, and the read under way goes on
   * in order. Read there, later bytes went before the rest of the array being read.
   */
  #draining = false;
  /** Pushed bytes not yet read: only non-empty while paused (or read from). */
  readonly #queue: Uint8Array[] = [];

  /** Line reading (start line and headers), when a head is not whole in one push. */
  #lines: HeadLineReader | undefined;
  #head: Head | undefined;
  // What is remembered to read the next heads faster, made on first use and dropped by
  // forgetHeaders(): ~450 bytes a relay's idle client would hold for nothing.
  #known: HeaderCache | undefined;
  /** Fast path for a head that lies whole in one push. */
  #whole: WholeHead | undefined;
  #block: HeaderBlockReader | undefined;
  /** End-line of a bodiless frame whose head paused the parser. */
  #pendingEnd: ContinuationFlag | undefined;
  /** Why the frame being read is skipped to its end-line (see {@link FrameSink.invalid}). */
  #invalid: MsrpError | undefined;

  /** Body scanning: where the end-line is, across pushes. Made by the first body. */
  #scan: EndLineScanner | undefined;
  /** The array being read, for body views: `new Uint8Array` of them costs half a `subarray`. */
  #buffer: ArrayBufferLike | undefined;
  #offset = 0;

  constructor(sink: FrameSink, options: ParserOptions = {}) {
    this.#sink = sink;
    this.#maxStartLine = options.maxStartLineBytes ?? 1024;
    this.#maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    this.#maxHeaders = options.maxHeaders ?? 64;
  }

  /**
   * Forgets the header lines and heads remembered to read the next frames faster: for a
   * connection that may now stay quiet a long time (a relay's client after AUTH), they are
   * memory held for nothing. Safe at any time; the next frames are parsed in full.
   */
  forgetHeaders(): void {
    this.#known = this.#block = this.#whole = undefined;
    // An empty queue that was used keeps its backing store (~140 bytes) until this.
    if (this.#queue.length === 0) this.#queue.length = 0;
  }

  #knownHeaders(): HeaderCache {
    return (this.#known ??= new Map<string, KnownLine>());
  }

  /**
   * Whether it still holds views of bytes pushed: queued (paused), or being read (inside a
   * push or resume, where a sink may give back what lets the caller reuse their buffers).
   */
  get holdsViews(): boolean {
    return this.#draining || this.#queue.length > 0;
  }

  /** True while a sink method has asked to pause and {@link resume} has not been called. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Whether a frame is in progress: some of it was pushed and its end-line was not read. */
  get inFrame(): boolean {
    return (
      this.#state !== 'start' ||
      this.#lines?.partial === true ||
      this.#queue.length > 0 ||
      this.#pendingEnd !== undefined
    );
  }

  /**
   * Reads `bytes`. Returns false when the parser is (or was already) paused: stop pushing
   * until {@link resume} returns true. Bytes pushed while paused are queued, not lost.
   * @throws {MsrpError} on malformed input (with `status` and, when known, `transactionId`);
   * the parser then stays failed and rethrows that error on every later call.
   */
  push(bytes: Uint8Array): boolean {
    this.#throwIfFailed();
    if (bytes.length > 0) {
      // One plain Uint8Array view per push (a Buffer is a subclass): every read below then
      // sees one array shape, which keeps V8's property accesses monomorphic and fast.
      this.#queue.push(
        bytes.constructor === Uint8Array
          ? bytes
          : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
      );
    }
    if (!this.#paused && !this.#draining) this.#drain();
    return !this.#paused;
  }

  /** Continues after a pause; returns false if the sink paused again. */
  resume(): boolean {
    this.#throwIfFailed();
    this.#paused = false;
    if (!this.#draining) this.#drain();
    return !this.#paused;
  }

  /**
   * Declares the end of the byte stream.
   * @throws {MsrpError} `MSRP_ERR_TRUNCATED` when it ends inside a frame.
   */
  end(): void {
    this.#throwIfFailed();
    if (!this.inFrame) return;
    const tid = this.#head?.transactionId;
    const why = tid ? `Stream ended inside transaction ${tid}` : 'Stream ended inside a start line';
    throw this.#fail(new MsrpError('MSRP_ERR_TRUNCATED', why, tid ? { transactionId: tid } : {}));
  }

  #throwIfFailed(): void {
    if (this.#error) throw this.#error;
  }

  #fail(error: MsrpError): MsrpError {
    this.#state = 'failed';
    this.#error = error;
    this.#queue.length = 0;
    if (this.#scan) this.#scan.carry = undefined;
    this.#lines = undefined;
    return error;
  }

  #drain(): void {
    this.#draining = true;
    try {
      if (this.#pendingEnd !== undefined) {
        const flag = this.#pendingEnd;
        this.#pendingEnd = undefined;
        this.#finishFrame(flag);
      }
      while (!this.#paused && this.#queue.length > 0) {
        let buf = this.#queue.shift()!;
        if (this.#state === 'body' && this.#scan!.holding(buf, 0)) {
          // Decide whether the held-back bytes begin the end-line, looking at no more new
          // bytes than an end-line is long; the rest of `buf` is read as a view.
          const { joined, taken } = this.#scan!.joinCarry(buf);
          if (taken < buf.length) this.#queue.unshift(buf.subarray(taken));
          buf = joined;
        }
        this.#buffer = buf.buffer;
        this.#offset = buf.byteOffset;
        let pos = 0;
        while (pos < buf.length && !this.#paused) {
          // A body just began. Unless the end-line may follow at once (an empty body), it
          // starts here; otherwise let the loop above join the carry with what follows.
          if (this.#state === 'body' && this.#scan!.holding(buf, pos)) break;
          pos = this.#state === 'body' ? this.#readBody(buf, pos) : this.#readLines(buf, pos);
        }
        if (pos < buf.length) this.#queue.unshift(buf.subarray(pos));
      }
      // Pinning a socket read for as long as the connection lives would add up.
      this.#whole?.release();
      this.#buffer = undefined;
    } catch (e) {
      if (!(e instanceof MsrpError)) throw e;
      const head = this.#head;
      throw this.#fail(
        head && !e.head
          ? new MsrpError(e.code, e.message, {
              ...(e.status !== undefined && { status: e.status }),
              transactionId: head.transactionId,
              head,
              cause: e.cause,
            })
          : e,
      );
    } finally {
      this.#draining = false;
    }
  }

  #emit(result: boolean | void): void {
    if (result === false) this.#paused = true;
  }

  // ---- start line and headers -------------------------------------------------------

  #readLines(buf: Uint8Array, pos: number): number {
    if (this.#state === 'start' && this.#lines?.partial !== true) {
      const end = this.#readWholeHead(buf, pos);
      if (end !== undefined) return end;
    }
    const lines = (this.#lines ??= new HeadLineReader(
      this.#maxStartLine,
      this.#maxHeaderBytes,
      this.#maxHeaders,
    ));
    while (pos < buf.length && !this.#paused && this.#state !== 'body') {
      // In the start state there is no head yet: the line is the start line.
      const line = lines.read(buf, pos, this.#head);
      pos = lines.end;
      if (line === undefined) return pos;
      this.#readLine(line);
      // A bodiless frame ended: the caller tries the next on the fast path (a run of 200s).
      if (this.#state === 'start') return pos;
    }
    return pos;
  }

  /**
   * Fast path for a head that lies whole in `buf`: one decode and split instead of a
   * decode per line. Returns the position after it, or undefined to read line by line.
   */
  #readWholeHead(buf: Uint8Array, pos: number): number | undefined {
    const whole = (this.#whole ??= new WholeHead(this.#maxStartLine, this.#maxHeaderBytes));
    if (!whole.locate(buf, pos)) return undefined;
    const head = whole.head!;
    this.#head = head;
    this.#state = 'headers';
    if (whole.complete) {
      checkHead(head);
      if (whole.flag) this.#endBodiless(head, whole.flag);
      else this.#beginBody(head, whole.endLine);
      return whole.end;
    }
    try {
      if (whole.blockTo > whole.blockFrom) {
        this.#block ??= new HeaderBlockReader(this.#knownHeaders(), this.#maxHeaders);
        const stop = this.#block.read(buf, whole.blockFrom, whole.blockTo, head);
        // A stray control character sends it line by line for the error; so does a line that
        // begins with "-" but is not the end-line.
        if (stop < 0 || (stop <= whole.blockTo && !whole.bodilessAt(buf, stop))) {
          return this.#retreat();
        }
      }
      checkHead(head);
    } catch (e) {
      // A frame to skip: the line reader reads it again and skips it to its end-line.
      if (skips(this.#sink, e)) return this.#retreat();
      throw e;
    }
    // Only a head read and checked in full becomes the template of those that follow.
    if (whole.blockTo > whole.blockFrom) whole.remember(buf, head);
    if (whole.flag) this.#endBodiless(head, whole.flag);
    else this.#beginBody(head, whole.endLine);
    return whole.end;
  }

  #readLine(line: string): void {
    if (this.#state === 'start') {
      if (line === '') return; // tolerate blank lines between frames
      this.#head = parseStartLine(line);
      this.#state = 'headers';
      return;
    }
    const head = this.#head!;
    if (line === '') {
      // Blank line: a body follows (RFC 4975 §9 content-stuff).
      this.#check(head);
      this.#beginBody(head);
      return;
    }
    const flag = endLineFlag(line, head.transactionId);
    if (flag) {
      // A frame without body: the end-line follows the headers directly.
      this.#check(head);
      this.#endBodiless(head, flag);
      return;
    }
    this.#addHeader(head, line);
  }

  /** Runs `parse`; an error it throws that makes the frame one to skip is kept, not thrown. */
  #tolerate(head: Head, parse: () => void): void {
    try {
      parse();
    } catch (e) {
      if (!skips(this.#sink, e)) throw e;
      this.#invalid ??= skipped(e, head);
    }
  }

  #check(head: Head): void {
    this.#tolerate(head, () => checkHead(head));
  }

  /** Leaves the fast path before anything was emitted: the line reader will say what is wrong. */
  #retreat(): undefined {
    this.#head = undefined;
    this.#state = 'start';
    return undefined;
  }

  #addHeader(head: Head, line: string): void {
    this.#lines!.countHeader(head);
    this.#tolerate(head, () => parseHeaderLine(head, line, this.#knownHeaders()));
  }

  #beginBody(head: Head, marker = encodeLatin1(`\r\n-------${head.transactionId}`)): void {
    const range = head.kind === 'request' ? head.byteRange : undefined;
    const length = typeof range?.end === 'number' ? range.end - range.start + 1 : undefined;
    (this.#scan ??= new EndLineScanner()).begin(marker, length);
    this.#state = 'body';
    if (this.#invalid === undefined) this.#emit(this.#sink.head(head));
  }

  #endBodiless(head: Head, flag: ContinuationFlag): void {
    if (this.#invalid === undefined) this.#emit(this.#sink.head(head));
    if (this.#paused) this.#pendingEnd = flag;
    else this.#finishFrame(flag);
  }

  #finishFrame(flag: ContinuationFlag): void {
    this.#state = 'start';
    this.#head = undefined;
    const invalid = this.#invalid;
    if (invalid === undefined) {
      this.#emit(this.#sink.end(flag));
      return;
    }
    this.#invalid = undefined;
    this.#emit(this.#sink.invalid!(invalid, flag));
  }

  // ---- body -------------------------------------------------------------------------

  /** Emits body bytes `[from, to)` of the array being read, leaving out virtual bytes. */
  #emitBody(from: number, to: number): void {
    if (this.#invalid !== undefined) return; // a frame skipped: its body goes nowhere
    const virtual = this.#scan!.virtual;
    if (from < virtual) from = virtual;
    if (to > from)
      this.#emit(this.#sink.body(new Uint8Array(this.#buffer!, this.#offset + from, to - from)));
  }

  #readBody(buf: Uint8Array, pos: number): number {
    const scan = this.#scan!;
    const i = scan.find(buf, pos);
    if (i < 0) {
      // Emits `[pos, hold)` as body and keeps `[hold, end)` as carry.
      const hold = scan.hold;
      this.#emitBody(pos, hold);
      scan.keep(buf, hold);
      return buf.length;
    }
    const flag = scan.flag;
    this.#emitBody(pos, i);
    scan.virtual = 0;
    if (this.#paused) return i;
    this.#finishFrame(flag);
    return i + scan.marker.length + 3;
  }
}
