import { decodeUtf8, encodeLatin1, indexOfBytes } from './bytes.js';
import { FLAGS } from './end-line-scanner.js';
import { parseStartLine, type Head, type RequestHead } from './head.js';
import { LastChunkHead } from './last-chunk-head.js';
import type { ContinuationFlag } from './parser.js';

const CR = 0x0d;
const LF = 0x0a;
const CRLF_CRLF = encodeLatin1('\r\n\r\n');

/**
 * The parser's fast path: finds a head that lies whole in one push, so that its header block
 * is decoded and split once instead of line by line. {@link locate} fills the fields, which
 * are reused from frame to frame (no allocation per frame).
 */
export class WholeHead {
  readonly #maxStartLine: number;
  readonly #maxHeaderBytes: number;
  readonly #lastChunk = new LastChunkHead();

  /** The head: the start line parsed, or the whole head of a next chunk ({@link complete}). */
  head: Head | undefined;
  /** The head is the last chunk's with a new Byte-Range: nothing is left to parse. */
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
    const nl = buf.indexOf(LF, pos);
    if (nl <= pos + 1 || nl - pos > this.#maxStartLine + 1 || buf[nl - 1] !== CR) return false;
    // From the CRLF of the start line, within the header size limit.
    const window = buf.subarray(nl - 1, Math.min(buf.length, nl + 1 + this.#maxHeaderBytes));
    const blank = indexOfBytes(window, CRLF_CRLF, 0);
    const head = parseStartLine(decodeUtf8(buf, pos, nl - 1));
    const endLine = encodeLatin1(`\r\n-------${head.transactionId}`);
    this.endLine = endLine;
    this.blockFrom = nl + 1;
    // The next chunk of the last message: its block is the last one's but for the Byte-Range
    // value, so it holds no end-line and needs no parsing beyond that value.
    const next =
      blank > 0 && head.kind === 'request'
        ? this.#lastChunk.next(buf, nl + 1, nl - 1 + blank, head)
        : undefined;
    if (next) {
      this.head = next;
      this.complete = true;
      this.flag = undefined;
      this.blockTo = nl - 1 + blank;
      this.end = nl - 1 + blank + 4;
      return true;
    }
    const bodiless = indexOfBytes(
      window.subarray(0, blank < 0 ? window.length : blank + 2),
      endLine,
      0,
    );
    let stop: number;
    let flag: ContinuationFlag | undefined;
    if (bodiless >= 0) {
      stop = bodiless;
      const at = nl - 1 + bodiless + endLine.length;
      flag = FLAGS[buf[at]!];
      if (at + 2 >= buf.length || !flag || buf[at + 1] !== CR || buf[at + 2] !== LF) return false;
    } else if (blank >= 0) {
      stop = blank;
    } else {
      return false;
    }
    this.head = head;
    this.complete = false;
    this.flag = flag;
    this.blockTo = nl - 1 + stop;
    this.end = flag ? nl - 1 + stop + endLine.length + 3 : nl - 1 + stop + 4;
    return true;
  }

  /** Keeps the header block just located, parsed into `head`, for the next chunk's head. */
  remember(buf: Uint8Array, head: RequestHead): void {
    this.#lastChunk.remember(buf, this.blockFrom, this.blockTo, head);
  }
}
