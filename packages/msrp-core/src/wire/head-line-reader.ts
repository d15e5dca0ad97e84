import { MsrpError } from '../errors.js';
import { concatBytes, copyBytes, decodeUtf8 } from './bytes.js';
import type { Head } from './head.js';

const CR = 0x0d;
const DASH = 0x2d;
const LF = 0x0a;

/**
 * The parser's slow path for a head: its start line and header lines read one at a time,
 * across pushes. A line cut by a push is copied and joined with the rest; every line is held
 * to the start-line, header-block and header-count limits, and must end in CRLF.
 */
export class HeadLineReader {
  readonly #maxStartLine: number;
  readonly #maxHeaderBytes: number;
  readonly #maxHeaders: number;

  #lineParts: Uint8Array[] = [];
  #lineBytes = 0;
  #headerBytes = 0;
  #headerCount = 0;

  /** Part of a line was read and its LF was not (a field, not a getter: read per frame). */
  partial = false;
  /** After a line read whole: where the next line begins in the push. */
  end = 0;

  constructor(maxStartLine: number, maxHeaderBytes: number, maxHeaders: number) {
    this.#maxStartLine = maxStartLine;
    this.#maxHeaderBytes = maxHeaderBytes;
    this.#maxHeaders = maxHeaders;
  }

  /**
   * Reads the line at `pos` of `buf`, of the start line (`head` undefined) or of the header
   * block of `head`. Returns it without its CRLF ({@link end} says where it ended), or
   * undefined when `buf` ends first: the part read is kept for the next push.
   * @throws {MsrpError} on a line past a limit, or one that ends in LF without CR.
   */
  read(buf: Uint8Array, pos: number, head: Head | undefined): string | undefined {
    const nl = buf.indexOf(LF, pos);
    // Count the line with its LF, so that the limit covers every byte of the block.
    this.#lineBytes += (nl < 0 ? buf.length : nl + 1) - pos;
    // A partial line still needs its LF. The end-line is not part of the header block.
    const first = this.#lineParts[0]?.[0] ?? buf[pos];
    if (first !== DASH || head === undefined || this.#lineBytes > head.transactionId.length + 10) {
      this.#checkLineLimit(head, nl < 0 ? 1 : 0);
    }
    if (nl < 0) {
      this.#lineParts.push(copyBytes(buf.subarray(pos)));
      this.partial = true;
      this.end = buf.length;
      return undefined;
    }
    let line: Uint8Array;
    if (this.#lineParts.length > 0) {
      this.#lineParts.push(buf.subarray(pos, nl));
      line = concatBytes(this.#lineParts);
      this.#lineParts = [];
    } else {
      line = buf.subarray(pos, nl);
    }
    const size = this.#lineBytes;
    this.#lineBytes = 0;
    this.partial = false;
    this.end = nl + 1;
    // RFC 4975 §9: every line of the start line and headers ends in CRLF.
    if (line.length === 0 || line[line.length - 1] !== CR) {
      throw new MsrpError('MSRP_ERR_BAD_LINE_ENDING', 'Line ends in LF without CR', {
        status: 400,
        ...(head && { transactionId: head.transactionId }),
      });
    }
    if (head === undefined) {
      // A start line (or a blank line before one): the header block of its head begins.
      this.#headerBytes = 0;
      this.#headerCount = 0;
    } else {
      this.#headerBytes += size;
    }
    return decodeUtf8(line, 0, line.length - 1);
  }

  /** A header line of `head` was read: one more against `maxHeaders`. */
  countHeader(head: Head): void {
    if (++this.#headerCount > this.#maxHeaders) {
      throw new MsrpError('MSRP_ERR_TOO_MANY_HEADERS', `More than ${this.#maxHeaders} headers`, {
        status: 400,
        transactionId: head.transactionId,
      });
    }
  }

  #checkLineLimit(head: Head | undefined, missing: number): void {
    const size = this.#lineBytes + missing;
    if (head === undefined) {
      // The limit counts the start line without its CRLF.
      if (size > this.#maxStartLine + 2) {
        throw new MsrpError(
          'MSRP_ERR_START_LINE_TOO_LONG',
          `Start line longer than ${this.#maxStartLine} bytes`,
          { status: 400 },
        );
      }
    } else if (this.#headerBytes + size > this.#maxHeaderBytes) {
      throw new MsrpError(
        'MSRP_ERR_HEADER_TOO_LARGE',
        `Header block larger than ${this.#maxHeaderBytes} bytes`,
        { status: 400, transactionId: head.transactionId },
      );
    }
  }
}
