import { MsrpError } from '../errors.js';
import { formatByteRange, type ByteRange } from '../wire/byte-range.js';
import type { ContinuationFlag } from '../wire/parser.js';

/**
 * Holds a chunk's body to what its Byte-Range announces (RFC 4975 §7.1.1, §7.3.1). When the
 * range-end is a number, the body is `end - start + 1` bytes long:
 * - longer is never legal: the sender would have had to say `*`;
 * - shorter is legal only when the sender interrupted the chunk (end-line `+`, RFC 4975
 *   §7.1: the rest follows in a new chunk at its own range-start) or aborted it (`#`);
 *   shorter with `$` claims a last byte that never came.
 * A range-end of `*` says nothing about the length: the end-line decides.
 */
export class ChunkLength {
  readonly #expected: number | undefined;
  readonly #range: ByteRange | undefined;
  #received = 0;

  constructor(range: ByteRange | undefined) {
    this.#range = range;
    this.#expected = range && range.end !== '*' ? range.end - range.start + 1 : undefined;
  }

  /**
   * Counts `length` more body bytes.
   * @throws {MsrpError} 400 when the body runs past the range-end.
   */
  body(length: number): void {
    this.#received += length;
    if (this.#expected !== undefined && this.#received > this.#expected) {
      throw mismatch(`Body longer than its Byte-Range ${formatByteRange(this.#range!)}`);
    }
  }

  /** At the end-line: the 400 to answer when a last chunk (`$`) stopped short of its range-end. */
  end(flag: ContinuationFlag): MsrpError | undefined {
    if (flag !== '$' || this.#expected === undefined || this.#received === this.#expected) {
      return undefined;
    }
    return mismatch(
      `Body of ${this.#received} bytes ends the message short of its Byte-Range ${formatByteRange(this.#range!)}`,
    );
  }
}

function mismatch(message: string): MsrpError {
  return new MsrpError('MSRP_ERR_BAD_HEADER', message, { status: 400 });
}
