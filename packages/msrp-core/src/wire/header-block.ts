import { MsrpError } from '../errors.js';
import { parseByteRangeBytes } from './byte-range.js';
import { copyBytes, decodeUtf8 } from './bytes.js';
import { isIdentBytes } from './grammar.js';
import {
  addKnownLine,
  readHeaderLine,
  type Head,
  type HeaderCache,
  type KnownLine,
} from './head.js';

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const COLON = 0x3a;
const DEL = 0x7f;
const DASH = 0x2d;
/** ASCII letters OR this are lower case. */
const LOWER = 0x20;

/** `message-id` and `byte-range`, lower case: the two lines that change from message to message. */
export const MESSAGE_ID = [0x6d, 0x65, 0x73, 0x73, 0x61, 0x67, 0x65, 0x2d, 0x69, 0x64];
export const BYTE_RANGE = [0x62, 0x79, 0x74, 0x65, 0x2d, 0x72, 0x61, 0x6e, 0x67, 0x65];

/** Whether `buf[from, from + name.length)` is `name` (lower case, letters and `-`) in any case. */
export function isName(buf: Uint8Array, from: number, name: readonly number[]): boolean {
  for (let k = 0; k < name.length; k++) if ((buf[from + k]! | LOWER) !== name[k]) return false;
  return true;
}

/** A header line read before, as bytes, with its parsed value. */
interface SeenLine {
  readonly bytes: Uint8Array;
  readonly known: KnownLine;
}

/**
 * Reads a header block that lies whole in one push, straight from its bytes. The lines of a
 * session's frames repeat from frame to frame (To-Path, From-Path, Content-Type...), so each
 * line is first compared, as bytes, with the line at the same place in the block read before:
 * when equal, its parsed value is reused with no decoding at all. Message-ID and Byte-Range,
 * which change, are read from their bytes; other lines are decoded and parsed.
 */
export class HeaderBlockReader {
  readonly #cache: HeaderCache;
  readonly #maxHeaders: number;
  /** The lines of the blocks read before, by their place in the block. */
  readonly #seen: (SeenLine | undefined)[] = [];

  constructor(cache: HeaderCache, maxHeaders: number) {
    this.#cache = cache;
    this.#maxHeaders = maxHeaders;
  }

  /**
   * Adds the header lines of `buf[from, to)` (CRLF-separated, without the final CRLF) to
   * `head`, up to a line that begins with `-`, the end-line of a bodiless frame if anything.
   * Returns where that line begins, or `to + 2` when all lines were read; -1, having perhaps
   * added some lines, when a line holds a control character or a bare CR (RFC 4975 §9
   * utf8text): the caller reads the block line by line again to report it.
   * @throws {MsrpError} as {@link readHeaderLine} does, and `MSRP_ERR_TOO_MANY_HEADERS`.
   */
  read(buf: Uint8Array, from: number, to: number, head: Head): number {
    const seen = this.#seen;
    let count = 0;
    let p = from;
    while (p <= to) {
      // No header name begins with "-" (RFC 4975 §9): the end-line of a bodiless frame.
      if (buf[p] === DASH) return p;
      // A line seen here last time passed the count (it is checked below, once the line is
      // known to be well formed: a malformed one is reported as such, as line by line).
      const last = seen[count++];
      // The bytes of the line in the same place last time, up to CRLF or the block's end:
      // the same value, checked (utf8text) and parsed already.
      let e = last ? p + last.bytes.length : -1;
      if (
        last &&
        (e === to || (e < to && buf[e] === CR && buf[e + 1] === LF)) &&
        same(buf, p, last.bytes) &&
        addKnownLine(head, last.known)
      ) {
        p = e + 2;
        continue;
      }
      // The line is [p, e): utf8text up to CR LF or the end of the block.
      for (e = p; e < to; e++) {
        const c = buf[e]!;
        if (c < SP ? c !== TAB : c === DEL) break;
      }
      if (e < to && (buf[e] !== CR || buf[e + 1] !== LF)) return -1;
      if (count > this.#maxHeaders) {
        throw new MsrpError('MSRP_ERR_TOO_MANY_HEADERS', `More than ${this.#maxHeaders} headers`, {
          status: 400,
          transactionId: head.transactionId,
        });
      }
      if (!this.#changing(buf, p, e, head)) {
        // Decoded and parsed; a duplicate is reported by readHeaderLine.
        const known = readHeaderLine(head, decodeUtf8(buf, p, e), this.#cache, true);
        seen[count - 1] = known.rule.volatile
          ? undefined
          : { bytes: copyBytes(buf.subarray(p, e)), known };
      }
      p = e + 2;
    }
    return p;
  }

  /**
   * Reads a valid Message-ID or Byte-Range line `buf[p, e)` into `head` from its bytes; false
   * for any other line, or one that is invalid or repeated (readHeaderLine reports it).
   */
  #changing(buf: Uint8Array, p: number, e: number, head: Head): boolean {
    if (e - p < 11 || buf[p + 10] !== COLON) return false;
    let v = p + 11;
    while (buf[v] === SP || buf[v] === TAB) v++;
    if (isName(buf, p, MESSAGE_ID)) {
      if (head.messageId !== undefined || !isIdentBytes(buf, v, e)) return false;
      head.messageId = decodeUtf8(buf, v, e);
      return true;
    }
    if (isName(buf, p, BYTE_RANGE)) {
      if (head.byteRange !== undefined) return false;
      const range = parseByteRangeBytes(buf, v, e);
      if (!range) return false;
      head.byteRange = range;
      return true;
    }
    return false;
  }
}

/** Whether `buf` holds the bytes of `line` at `from`: a byte loop (a native compare costs as much on lines this short). */
function same(buf: Uint8Array, from: number, line: Uint8Array): boolean {
  for (let k = 0; k < line.length; k++) if (buf[from + k] !== line[k]) return false;
  return true;
}
