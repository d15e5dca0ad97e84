import { MsrpError } from '../errors.js';
import {
  encodeLatin1,
  encodeLatin1ForWire,
  encodeUtf8ForWire,
  equalBytes,
  indexOfBytes,
} from './bytes.js';
import { formatByteRange, type ByteRange } from './byte-range.js';
import { formatHead, type Head, type RequestHead } from './head.js';
import type { ContinuationFlag } from './parser.js';

/**
 * Serializes the start line and headers of a frame. When `head.contentType` is set the
 * result ends with the blank line, and a body (possibly empty) must follow before the
 * end-line; otherwise the end-line follows directly.
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` when a field cannot be put on the wire.
 */
export function encodeHead(head: Head): Uint8Array {
  return encodeUtf8ForWire(formatHead(head));
}

/**
 * Serializes an end-line (RFC 4975 §9): `"-------" transact-id flag CRLF`, preceded by the
 * CRLF that closes a body when `afterBody` is true.
 */
export function encodeEndLine(
  transactionId: string,
  flag: ContinuationFlag,
  afterBody: boolean,
): Uint8Array {
  return encodeLatin1ForWire(`${afterBody ? '\r\n' : ''}-------${transactionId}${flag}\r\n`);
}

/**
 * Serializes a whole frame as a list of buffers `[head, body?, end-line]`, for a writer to
 * send without concatenating. A body requires `head.contentType`.
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` when the frame cannot be put on the wire.
 */
export function encodeFrame(
  head: Head,
  body?: Uint8Array,
  flag: ContinuationFlag = '$',
): Uint8Array[] {
  const headBytes = encodeHead(head);
  const hasBody = head.contentType !== undefined;
  if (!hasBody && body !== undefined && body.length > 0) {
    throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'A frame with a body needs a Content-Type');
  }
  if (hasBody && body !== undefined && containsEndLine(body, head.transactionId)) {
    // RFC 4975 §7.1: the end-line MUST NOT appear in the body; the sender picks another id.
    throw new MsrpError(
      'MSRP_ERR_INVALID_ARGUMENT',
      `Body contains the end-line of ${head.transactionId}`,
    );
  }
  const end = encodeEndLine(head.transactionId, flag, hasBody);
  return hasBody && body !== undefined && body.length > 0
    ? [headBytes, body, end]
    : [headBytes, end];
}

/**
 * Whether `body` contains `CRLF "-------" transactionId`, or starts with `"-------"
 * transactionId` (right after the blank line), so that this id cannot frame it.
 */
export function containsEndLine(body: Uint8Array, transactionId: string): boolean {
  const marker = encodeLatin1(`\r\n-------${transactionId}`);
  const atStart = equalBytes(body, 0, marker, 2, marker.length - 2);
  return atStart || indexOfBytes(body, marker, 0) >= 0;
}

const TEMPLATE_TID = 'x0template0x';
const TEMPLATE_RANGE: ByteRange = { start: 1, end: '*', total: '*' };
const TEMPLATE_RANGE_LINE = `\r\nByte-Range: ${formatByteRange(TEMPLATE_RANGE)}\r\n`;

/**
 * The heads of a message's chunks, which differ only in transaction id and Byte-Range:
 * everything else is formatted (and checked) once, by {@link formatHead}, so that a chunk
 * costs one string concatenation.
 */
export class ChunkHeadTemplate {
  readonly #before: string;
  readonly #after: string;

  /** @param head The head of every chunk; its `transactionId` and `byteRange` are ignored. */
  constructor(head: RequestHead) {
    const text = formatHead({ ...head, transactionId: TEMPLATE_TID, byteRange: TEMPLATE_RANGE });
    const at = text.indexOf(TEMPLATE_RANGE_LINE);
    this.#before = text.slice(`MSRP ${TEMPLATE_TID}`.length, at);
    this.#after = text.slice(at + TEMPLATE_RANGE_LINE.length);
  }

  /**
   * The head of one chunk: what {@link encodeHead} gives for the template's head with this
   * transaction id (an ident, as {@link newTransactionId} makes) and Byte-Range.
   */
  encode(transactionId: string, range: ByteRange): Uint8Array {
    return encodeUtf8ForWire(
      `MSRP ${transactionId}${this.#before}\r\nByte-Range: ${formatByteRange(range)}\r\n${this.#after}`,
    );
  }
}
