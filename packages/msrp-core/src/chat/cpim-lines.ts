// Splits the header blocks of a message/cpim body into lines, bounded, tolerating LF-only
// line ends. The body after the last block is never scanned.
import { MsrpError } from '../errors.js';

const LF = 0x0a;
const CR = 0x0d;

/** Limits on the headers of a CPIM body; the body itself is bounded by whoever read it. */
export interface CpimLimits {
  /** Largest total size of all header lines (MIME, metadata and content), in bytes. Default 64 KiB. */
  maxHeaderBytes?: number;
  /** Most header lines in all blocks together. Default 256. */
  maxHeaders?: number;
}

/** Default {@link CpimLimits.maxHeaderBytes}: what a reader with default limits takes. */
export const DEFAULT_CPIM_MAX_HEADER_BYTES = 64 * 1024;

/** @internal An error about malformed CPIM bytes from a peer (answered with 400). */
export function cpimError(message: string): MsrpError {
  return new MsrpError('MSRP_ERR_CPIM', `message/cpim: ${message}`, { status: 400 });
}

/** @internal Reads header lines from `bytes`, charging each against shared limits. */
export class LineReader {
  /** Offset of the next unread byte. */
  at = 0;
  readonly #bytes: Uint8Array;
  readonly #maxBytes: number;
  readonly #maxLines: number;
  #bytesUsed = 0;
  #linesUsed = 0;

  constructor(bytes: Uint8Array, limits: CpimLimits = {}) {
    this.#bytes = bytes;
    this.#maxBytes = limits.maxHeaderBytes ?? DEFAULT_CPIM_MAX_HEADER_BYTES;
    this.#maxLines = limits.maxHeaders ?? 256;
  }

  /**
   * The lines of one header block up to its blank line (consumed, not returned), each
   * without its line end; `what` names the block in errors.
   */
  block(what: string): Uint8Array[] {
    const lines: Uint8Array[] = [];
    for (;;) {
      const line = this.#line(what);
      if (line.length === 0) return lines;
      if (++this.#linesUsed > this.#maxLines) {
        throw cpimError(`more than ${this.#maxLines} header lines`);
      }
      lines.push(line);
    }
  }

  /** Everything after the blocks read so far: the encapsulated body, as a view. */
  rest(): Uint8Array {
    return this.#bytes.subarray(this.at);
  }

  #line(what: string): Uint8Array {
    const bytes = this.#bytes;
    const budget = this.#maxBytes - this.#bytesUsed;
    // Search no further than the budget allows, so that a huge body without line ends
    // costs no more than the limit.
    const end = Math.min(bytes.length, this.at + budget + 2);
    const lf = bytes.subarray(0, end).indexOf(LF, this.at);
    if (lf < 0) {
      if (end < bytes.length || end - this.at > budget) {
        throw cpimError(`headers larger than ${this.#maxBytes} bytes`);
      }
      throw cpimError(`missing blank line after the ${what}`);
    }
    // Tolerate LF-only line ends from sloppy peers; CRLF is what we write.
    const stop = lf > this.at && bytes[lf - 1] === CR ? lf - 1 : lf;
    const size = lf + 1 - this.at;
    if (size > budget) throw cpimError(`headers larger than ${this.#maxBytes} bytes`);
    this.#bytesUsed += size;
    const line = bytes.subarray(this.at, stop);
    this.at = lf + 1;
    return line;
  }
}
