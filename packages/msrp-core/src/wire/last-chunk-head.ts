import { parseByteRangeBytes } from './byte-range.js';
import { copyBytes, encodeLatin1, equalBytes, indexOfBytes } from './bytes.js';
import type { RequestHead } from './head.js';

const CR = 0x0d;
const BYTE_RANGE = encodeLatin1('\r\nByte-Range: ');

/**
 * The header block of the last chunk the parser read whole, with where its Byte-Range value
 * lies. The next chunk of the same message differs only in that value, so its head is
 * recognised by comparing bytes and needs no parsing beyond the value.
 */
export class LastChunkHead {
  #last: { block: Uint8Array; valueFrom: number; valueTo: number; head: RequestHead } | undefined;

  /** Keeps the header block `buf[from, to)` of `head`, when it has a Byte-Range. */
  remember(buf: Uint8Array, from: number, to: number, head: RequestHead): void {
    this.#last = undefined;
    const range = head.byteRange;
    // A chunk that ends its message (end = total) has no next chunk to recognise.
    if (!range || (range.end !== '*' && range.end === range.total)) return;
    const at = indexOfBytes(buf, BYTE_RANGE, from - 2);
    if (at < 0 || at >= to) return;
    const valueFrom = at + BYTE_RANGE.length;
    const lineEnd = buf.indexOf(CR, valueFrom);
    const valueTo = lineEnd < 0 || lineEnd > to ? to : lineEnd;
    this.#last = {
      block: copyBytes(buf.subarray(from, to)),
      valueFrom: valueFrom - from,
      valueTo: valueTo - from,
      head,
    };
  }

  /**
   * The head of the request that starts with `start` and whose header block is `buf[from, to)`,
   * when that block is the remembered one but for the Byte-Range value; else undefined.
   */
  next(buf: Uint8Array, from: number, to: number, start: RequestHead): RequestHead | undefined {
    const last = this.#last;
    if (!last || last.head.method !== start.method) return undefined;
    const { block, valueFrom, valueTo } = last;
    if (to - from < valueFrom || !equalBytes(buf, from, block, 0, valueFrom)) {
      return undefined;
    }
    const lineEnd = buf.indexOf(CR, from + valueFrom);
    const end = lineEnd < 0 || lineEnd > to ? to : lineEnd;
    if (
      to - end !== block.length - valueTo ||
      !equalBytes(buf, end, block, valueTo, block.length - valueTo)
    ) {
      return undefined;
    }
    const byteRange = parseByteRangeBytes(buf, from + valueFrom, end);
    return byteRange && { ...last.head, transactionId: start.transactionId, byteRange };
  }
}
