import { MsrpError } from '../errors.js';
import { formatHead, type Head } from './head.js';
import type { ContinuationFlag } from './parser.js';

/**
 * Serializes the start line and headers of a frame. When `head.contentType` is set the
 * result ends with the blank line, and a body (possibly empty) must follow before the
 * end-line; otherwise the end-line follows directly.
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` when a field cannot be put on the wire.
 */
export function encodeHead(head: Head): Buffer {
  return Buffer.from(formatHead(head), 'utf8');
}

/**
 * Serializes an end-line (RFC 4975 §9): `"-------" transact-id flag CRLF`, preceded by the
 * CRLF that closes a body when `afterBody` is true.
 */
export function encodeEndLine(
  transactionId: string,
  flag: ContinuationFlag,
  afterBody: boolean,
): Buffer {
  return Buffer.from(`${afterBody ? '\r\n' : ''}-------${transactionId}${flag}\r\n`, 'latin1');
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
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.length);
  const marker = Buffer.from(`\r\n-------${transactionId}`, 'latin1');
  const atStart =
    buf.length >= marker.length - 2 &&
    buf.compare(marker, 2, marker.length, 0, marker.length - 2) === 0;
  return atStart || buf.indexOf(marker) >= 0;
}
