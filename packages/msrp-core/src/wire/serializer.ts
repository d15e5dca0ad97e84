import { MsrpError } from '../errors.js';
import { encodeLatin1ForWire, encodeUtf8ForWire, indexOfLatin1 } from './bytes.js';
import { formatByteRange, type ByteRange } from './byte-range.js';
import { IDENT } from './grammar.js';
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
  return (
    startsWithEndLine(body, transactionId) ||
    indexOfLatin1(body, `\r\n-------${transactionId}`, 0) >= 0
  );
}

const DASH = 0x2d;

/** Whether `body` starts with `"-------" transactionId`. */
function startsWithEndLine(body: Uint8Array, transactionId: string): boolean {
  const n = transactionId.length;
  if (body.length < 7 + n) return false;
  for (let k = 0; k < 7; k++) if (body[k] !== DASH) return false;
  for (let k = 0; k < n; k++) if (body[7 + k] !== transactionId.charCodeAt(k)) return false;
  return true;
}

const TEMPLATE_TID = 'x0template0x';
const TEMPLATE_MESSAGE_ID = 'x0message0x';
const TEMPLATE_RANGE: ByteRange = { start: 1, end: '*', total: '*' };
const TEMPLATE_RANGE_LINE = `\r\nByte-Range: ${formatByteRange(TEMPLATE_RANGE)}\r\n`;
const TEMPLATE_MESSAGE_ID_LINE = `\r\nMessage-ID: ${TEMPLATE_MESSAGE_ID}`;

/**
 * The heads of a message's chunks, which differ only in transaction id and Byte-Range (and,
 * for a session's messages of one kind, Message-ID): everything else is formatted (and
 * checked) once, by {@link formatHead}, so that a chunk costs one string concatenation.
 */
export class ChunkHeadTemplate {
  /** Start line after the transaction id, up to the Message-ID value (or Byte-Range line). */
  readonly #before: string;
  /** From after the Message-ID value to the Byte-Range line; '' without a Message-ID. */
  readonly #middle: string;
  readonly #after: string;
  readonly #messageId: string;

  /** @param head The head of every chunk; its `transactionId` and `byteRange` are ignored. */
  constructor(head: RequestHead) {
    const withId = head.messageId !== undefined;
    if (withId && !IDENT.test(head.messageId!)) {
      throw new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        `Invalid Message-ID ${JSON.stringify(head.messageId)}`,
      );
    }
    const text = formatHead({
      ...head,
      transactionId: TEMPLATE_TID,
      byteRange: TEMPLATE_RANGE,
      ...(withId && { messageId: TEMPLATE_MESSAGE_ID }),
    });
    const at = text.indexOf(TEMPLATE_RANGE_LINE);
    const id = withId
      ? text.indexOf(TEMPLATE_MESSAGE_ID_LINE) + TEMPLATE_MESSAGE_ID_LINE.length
      : at;
    this.#before = text.slice(
      `MSRP ${TEMPLATE_TID}`.length,
      withId ? id - TEMPLATE_MESSAGE_ID.length : at,
    );
    this.#middle = withId ? text.slice(id, at) : '';
    this.#after = text.slice(at + TEMPLATE_RANGE_LINE.length);
    this.#messageId = head.messageId ?? '';
  }

  /**
   * The head of one chunk: what {@link encodeHead} gives for the template's head with this
   * transaction id (an ident, as {@link newTransactionId} makes), Byte-Range and, when the
   * template's head has one, Message-ID (an ident the caller checked; default the head's).
   */
  encode(transactionId: string, range: ByteRange, messageId = this.#messageId): Uint8Array {
    return encodeUtf8ForWire(
      `MSRP ${transactionId}${this.#before}${messageId}${this.#middle}\r\nByte-Range: ${formatByteRange(range)}\r\n${this.#after}`,
    );
  }
}
