import { encodeLatin1, indexOfBytes } from './bytes.js';
import { FLAGS } from './end-line-scanner.js';
import { type Head } from './head.js';
import { okResponseHead, parseStartLineBytes, RequestLineReader } from './start-line.js';
import { HeadTemplate } from './head-template.js';
import { ResponseTemplate } from './response-template.js';
import type { ContinuationFlag } from './frame-sink.js';

const CR = 0x0d;
const LF = 0x0a;
const CRLF_CRLF = encodeLatin1('\r\n\r\n');
/** Where a head's end is looked for first: most heads are a few hundred bytes. */
const NEAR_BYTES = 1024;

/**
 * The parser's fast path: finds a head that lies whole in one push, so that its header block
 * is decoded and split once instead of line by line. {@link locate} fills the fields, which
 * are reused from frame to frame (no allocation per frame).
 */
export class WholeHead {
  readonly #maxStartLine: number;
  readonly #maxHeaderBytes: number;
  readonly #template = new HeadTemplate();
  /** Of bodiless requests: a run of success REPORTs (RFC 4975 §7.1.2), one per message. */
  readonly #bodiless = new HeadTemplate(true);
  readonly #responses = new ResponseTemplate();
  readonly #requestLine = new RequestLineReader();

  /** The head: the start line parsed, or the whole head of a next chunk ({@link complete}). */
  head: Head | undefined;
  /**
   * The head matched the last one's template (see HeadTemplate, ResponseTemplate): nothing is
   * left to parse; a bodiless frame (a response) has its {@link flag} and {@link end} too.
   */
  complete = false;
  /** Where the header block lies in the push (after the start line's CRLF, before the CRLF that ends it). */
  blockFrom = 0;
  blockTo = 0;
  /** The flag of the end-line that follows the headers of a bodiless frame, else undefined. */
  flag: ContinuationFlag | undefined;
  /** `CRLF "-------" transact-id` of the frame. */
  endLine: Uint8Array = new Uint8Array(0);
  /** Where the frame goes on after the head: its body, or the next frame when bodiless. */
  end = 0;

  constructor(maxStartLine: number, maxHeaderBytes: number) {
    this.#maxStartLine = maxStartLine;
    this.#maxHeaderBytes = maxHeaderBytes;
  }

  /**
   * Whether `buf` holds a whole head at `pos`, within the limits: the block ends at CRLF CRLF
   * (a body follows) or at CRLF end-line flag CRLF (no body). False: read it line by line.
   * @throws {MsrpError} from {@link parseStartLine} on a malformed start line.
   */
  locate(buf: Uint8Array, pos: number): boolean {
    // Most start lines are requests, read with no search for their LF first.
    const line = this.#requestLine;
    let nl = line.read(buf, pos, this.#maxStartLine);
    const request = nl >= 0;
    let head: Head | undefined;
    if (!request) {
      // Most others are the 200s to our chunks: read on from where the request line stopped.
      const sp = line.idEnd;
      head =
        sp < 0 || sp + 8 - pos > this.#maxStartLine + 1 ? undefined : okResponseHead(buf, pos, sp);
      if (head) {
        nl = sp + 8;
      } else {
        nl = buf.indexOf(LF, pos);
        if (nl <= pos + 1 || nl - pos > this.#maxStartLine + 1 || buf[nl - 1] !== CR) return false;
        head = parseStartLineBytes(buf, pos, nl - 1);
      }
    }
    // From the CRLF of the start line, within the header size limit.
    const limit = Math.min(buf.length, nl + 1 + this.#maxHeaderBytes);
    // CRLF "-------" transact-id, copied from the start line (the id is ASCII) as it was read.
    const id = request ? line.idEnd - line.idFrom : head!.transactionId.length;
    if (line.idEnd !== pos + 5 + id) line.copyId(buf, pos + 5, pos + 5 + id);
    const endLine = line.endLine(id);
    this.endLine = endLine;
    this.blockFrom = nl + 1;
    // The block of the last request but for its Message-ID and Byte-Range values: it holds no
    // end-line and needs no parsing beyond those values.
    if (head?.kind === 'response') {
      // A run of 200s to our chunks: the last response's block, then this one's end-line.
      const responses = this.#responses;
      if (responses.match(buf, nl + 1, limit, head)) {
        this.head = head;
        this.complete = true;
        this.flag = responses.flag;
        this.end = responses.end;
        this.blockTo = responses.end - this.endLine.length - 3;
        return true;
      }
    }
    const template = this.#template;
    const hit = request ? template.match(buf, nl + 1, limit, line) : undefined;
    if (hit) {
      this.head = hit;
      this.complete = true;
      this.flag = undefined;
      this.blockTo = template.end - 4;
      this.end = template.end;
      return true;
    }
    const bodiless = this.#bodiless;
    const report = request ? bodiless.match(buf, nl + 1, limit, line, endLine) : undefined;
    if (report) {
      this.head = report;
      this.complete = true;
      this.flag = bodiless.flag;
      this.end = bodiless.end;
      this.blockTo = bodiless.end - endLine.length - 3;
      return true;
    }
    head ??= line.head();
    this.head = head;
    this.complete = false;
    this.flag = undefined;
    // A bodiless request (a REPORT) has no CRLF CRLF: searched for up to the limit, the
    // frames after it in the push (a run of REPORTs and 200s) would be searched for each.
    // Look within a head's usual size first, and for the end-line before the blank line.
    const near = Math.min(limit, nl + 1 + NEAR_BYTES);
    return this.#blockEnd(buf, nl, near) || (near < limit && this.#blockEnd(buf, nl, limit));
  }

  /**
   * Whether the block that starts after the start line's LF at `nl` ends before `limit`: at
   * the first CRLF CRLF (a body follows) if one comes before the end-line, else at the
   * end-line (bodiless). The same block as the first CRLF CRLF within the limit gives.
   */
  #blockEnd(buf: Uint8Array, nl: number, limit: number): boolean {
    const within = limit < buf.length ? buf.subarray(0, limit) : buf;
    const endLine = indexOfBytes(within, this.endLine, nl - 1);
    const blank = indexOfBytes(
      endLine < 0 ? within : buf.subarray(0, endLine + 4),
      CRLF_CRLF,
      nl - 1,
    );
    if (blank >= 0) {
      // A body follows, unless the end-line of a bodiless frame comes first: the caller
      // finds out as it reads the lines (see bodilessAt).
      this.blockTo = blank;
      this.end = blank + 4;
      return true;
    }
    return endLine >= 0 && this.bodilessAt(buf, endLine + 2);
  }

  /**
   * Whether the line at `at`, inside the block located last, is its end-line with a flag and
   * CRLF; if so the frame is bodiless, its block ends before that line.
   */
  bodilessAt(buf: Uint8Array, at: number): boolean {
    const endLine = this.endLine;
    const flagAt = at - 2 + endLine.length;
    if (flagAt + 2 >= buf.length) return false;
    for (let k = 2; k < endLine.length; k++) if (buf[at - 2 + k] !== endLine[k]) return false;
    const flag = FLAGS[buf[flagAt]!];
    if (!flag || buf[flagAt + 1] !== CR || buf[flagAt + 2] !== LF) return false;
    this.flag = flag;
    this.blockTo = at - 2;
    this.end = flagAt + 3;
    return true;
  }

  /** The parser is done with the bytes pushed: keep no view of them. */
  release(): void {
    this.#requestLine.release();
    this.#template.release();
    this.#responses.release();
    this.#bodiless.release();
  }

  /**
   * Keeps the header block just located, parsed into `head` and checked, as the template of
   * the next: a request's with a body, or a bodiless response's.
   */
  remember(buf: Uint8Array, head: Head): void {
    // A bodiless frame's block ends at its end-line, not at a blank line.
    if (head.kind === 'request') {
      const template = this.flag === undefined ? this.#template : this.#bodiless;
      template.remember(buf, this.blockFrom, this.blockTo, head);
    } else if (this.flag !== undefined) {
      this.#responses.remember(buf, this.blockFrom, this.blockTo, head);
    }
  }
}
