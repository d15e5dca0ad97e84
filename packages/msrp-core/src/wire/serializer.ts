import { MsrpError } from '../errors.js';
import {
  encodeLatin1,
  encodeLatin1ForWire,
  encodeUtf8,
  encodeUtf8ForWire,
  indexOfBytes,
  indexOfBytesPortable,
  SHORT_HAYSTACK,
} from './bytes.js';
import { formatByteRange, type ByteRange } from './byte-range.js';
import { IDENT } from './grammar.js';
import { formatHead, type Head, type RequestHead } from './head.js';
import type { ContinuationFlag } from './frame-sink.js';
import { MAX_DECIMAL_DIGITS, WireSlab } from './wire-slab.js';

/** Where chunk heads and end-lines are written: views of shared slabs, none allocated of its own. */
const slab = new WireSlab();
const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;
const STAR = 0x2a;
const SLASH = 0x2f;

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
  slab.begin(transactionId.length + 12);
  if (afterBody) {
    slab.byte(CR);
    slab.byte(LF);
  }
  for (let k = 0; k < 7; k++) slab.byte(DASH);
  // A transaction id is an ident (RFC 4975 §9), ASCII; anything else goes as Latin-1 did.
  if (!slab.ascii(transactionId)) {
    return encodeLatin1ForWire(`${afterBody ? '\r\n' : ''}-------${transactionId}${flag}\r\n`);
  }
  slab.byte(flag.charCodeAt(0));
  slab.byte(CR);
  slab.byte(LF);
  return slab.take();
}

/**
 * Bodies up to this size are copied between their head and end-line (see {@link encodeChunkFrame}):
 * one write of a small message costs a socket more than copying it does.
 */
export const SMALL_BODY = 1024;

/**
 * The frame of a chunk: `[head, body, end-line]`, or, for a body of at most
 * {@link SMALL_BODY} bytes, the three as one view of a slab (one Writable entry and one iovec
 * instead of three: the 100-byte message figure of issue 12). A head that the last
 * {@link ChunkHeadTemplate.encodeRange} gave is continued where it lies, any other copied.
 * The caller checked that the end-line is not in `body`.
 */
export function encodeChunkFrame(
  head: Uint8Array,
  body: Uint8Array,
  transactionId: string,
  flag: ContinuationFlag,
): Uint8Array[] {
  const n = body.length;
  if (n === 0) return [head, encodeEndLine(transactionId, flag, true)];
  if (n > SMALL_BODY || !isAscii(transactionId)) {
    return [head, body, encodeEndLine(transactionId, flag, true)];
  }
  const size = n + transactionId.length + 12;
  // The head is the slab's last view (a template's): continued in place; else copied.
  if (!slab.extend(head, size)) {
    slab.begin(head.length + size);
    slab.bytes(head);
  }
  writeBodyAndEndLine(body, transactionId, flag);
  return [slab.take()];
}

function isAscii(text: string): boolean {
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) > 0x7f) return false;
  return true;
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
 * @param startOfEndLine What every such end-line begins with: `CRLF "-------"` (default),
 * or that followed by the start of `transactionId` (see `TransactionIds.occursIn`).
 */
export function containsEndLine(
  body: Uint8Array,
  transactionId: string,
  startOfEndLine: Uint8Array = CRLF_DASHES,
): boolean {
  if (startsWithEndLine(body, transactionId)) return true;
  // Per chunk: a search for the start of an end-line that a body almost never holds, made
  // once, rather than a needle string made for each id. A longer one is found faster
  // (Node's search of 8 KiB: ~1.9 µs for these 9 bytes, ~0.7 µs for 25).
  // A short body (a chat line) without Node's search: see SHORT_HAYSTACK.
  const search = body.length <= SHORT_HAYSTACK ? indexOfBytesPortable : indexOfBytes;
  let at = search(body, startOfEndLine, 0);
  while (at >= 0) {
    if (startsWithEndLine(body.subarray(at + 2), transactionId)) return true;
    at = search(body, startOfEndLine, at + 1);
  }
  return false;
}

/** `CRLF "-------"`: how every end-line after a body begins. */
const CRLF_DASHES = encodeLatin1('\r\n-------');

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
const MSRP_SP = encodeUtf8('MSRP ');

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
  /** The three parts above as UTF-8, and how many bytes a head takes beside its ids. */
  readonly #beforeBytes: Uint8Array;
  /** {@link #middle} and the Byte-Range header's name. */
  readonly #middleBytes: Uint8Array;
  readonly #afterBytes: Uint8Array;
  readonly #fixedBytes: number;
  /**
   * The head from the Byte-Range's `/total` on, for the total written last: the same in every
   * chunk of a message, so a chunk costs one copy of it rather than its digits and the rest.
   */
  #tail: Uint8Array = new Uint8Array(0);
  #tailTotal: number | '*' | undefined;
  /** The total of the head written last. */
  #lastTotal: number | '*' | undefined;

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
    this.#beforeBytes = encodeUtf8(this.#before);
    this.#middleBytes = encodeUtf8(`${this.#middle}\r\nByte-Range: `);
    this.#afterBytes = encodeUtf8(this.#after);
    this.#fixedBytes =
      MSRP_SP.length +
      this.#beforeBytes.length +
      this.#middleBytes.length +
      3 * MAX_DECIMAL_DIGITS +
      4 +
      this.#afterBytes.length;
  }

  /**
   * The head of one chunk: what {@link encodeHead} gives for the template's head with this
   * transaction id (an ident, as {@link newTransactionId} makes), Byte-Range and, when the
   * template's head has one, Message-ID (an ident the caller checked; default the head's).
   */
  encode(transactionId: string, range: ByteRange, messageId = this.#messageId): Uint8Array {
    return this.encodeRange(transactionId, range.start, range.end, range.total, messageId);
  }

  /** {@link encode} with the Byte-Range as its three values: no range object per chunk. */
  encodeRange(
    transactionId: string,
    start: number,
    end: number | '*',
    total: number | '*',
    messageId = this.#messageId,
  ): Uint8Array {
    if (this.#write(transactionId, start, end, total, messageId, 0)) return slab.take();
    // Ids are idents (RFC 4975 §9), ASCII, and ranges counts: this is for a caller that
    // passed something else.
    return encodeUtf8ForWire(
      `MSRP ${transactionId}${this.#before}${messageId}${this.#middle}\r\nByte-Range: ${formatByteRange({ start, end, total })}\r\n${this.#after}`,
    );
  }

  /**
   * {@link encodeRange}, then `body` (1 to {@link SMALL_BODY} bytes, without the end-line)
   * and the end-line with `flag`, as one view: what {@link encodeChunkFrame} gives, without
   * a view of the head. Undefined when the head is not written this way (`encodeRange` then).
   */
  encodeSmallChunk(
    transactionId: string,
    start: number,
    end: number,
    total: number | '*',
    messageId: string,
    body: Uint8Array,
    flag: ContinuationFlag,
  ): Uint8Array | undefined {
    const n = body.length;
    if (n === 0 || n > SMALL_BODY) return undefined;
    if (!this.#write(transactionId, start, end, total, messageId, n + transactionId.length + 12)) {
      return undefined;
    }
    writeBodyAndEndLine(body, transactionId, flag);
    return slab.take();
  }

  /**
   * The whole frame of a bodiless request (a REPORT) with this head: {@link encodeRange}, then
   * the end-line with `flag`, as one view: what {@link encodeFrame} gives. Undefined when the
   * head is not written this way (ids that are not ASCII, ranges that are not counts).
   */
  encodeBodiless(
    transactionId: string,
    start: number,
    end: number,
    total: number,
    messageId: string,
    flag: ContinuationFlag,
  ): Uint8Array | undefined {
    if (!this.#write(transactionId, start, end, total, messageId, transactionId.length + 10)) {
      return undefined;
    }
    for (let k = 0; k < 7; k++) slab.byte(DASH);
    slab.ascii(transactionId);
    slab.byte(flag.charCodeAt(0));
    slab.byte(CR);
    slab.byte(LF);
    return slab.take();
  }

  /** Writes the head into the slab, with `extra` bytes of room after it; false when it cannot. */
  #write(
    transactionId: string,
    start: number,
    end: number | '*',
    total: number | '*',
    messageId: string,
    extra: number,
  ): boolean {
    // Written into a shared slab: no string is built, flattened and encoded per chunk.
    slab.begin(this.#fixedBytes + transactionId.length + messageId.length + extra);
    slab.bytes(MSRP_SP);
    if (!slab.ascii(transactionId) || !countsOnly(start, end, total)) return false;
    slab.bytes(this.#beforeBytes);
    if (!slab.ascii(messageId)) return false;
    slab.bytes(this.#middleBytes);
    slab.decimal(start);
    slab.byte(DASH);
    if (end === '*') slab.byte(STAR);
    else slab.decimal(end);
    if (total !== this.#tailTotal) {
      if (total !== this.#lastTotal) {
        // A total not seen in the head before: a one-chunk message, written as it is.
        this.#lastTotal = total;
        slab.byte(SLASH);
        if (total === '*') slab.byte(STAR);
        else slab.decimal(total);
        slab.byte(CR);
        slab.byte(LF);
        slab.bytes(this.#afterBytes);
        return true;
      }
      // The same total twice in a row: a message of many chunks, whose tail is kept.
      this.#tailTotal = total;
      this.#tail = encodeUtf8(`/${total}\r\n${this.#after}`);
    }
    slab.bytes(this.#tail);
    return true;
  }
}

/** `body`, its CRLF and the end-line with `flag` into the slab (`transactionId` is ASCII). */
function writeBodyAndEndLine(
  body: Uint8Array,
  transactionId: string,
  flag: ContinuationFlag,
): void {
  slab.bytes(body);
  slab.byte(CR);
  slab.byte(LF);
  for (let k = 0; k < 7; k++) slab.byte(DASH);
  slab.ascii(transactionId);
  slab.byte(flag.charCodeAt(0));
  slab.byte(CR);
  slab.byte(LF);
}

const isCount = (n: number | '*'): boolean => n === '*' || (Number.isSafeInteger(n) && n >= 0);

/** Whether a head's Byte-Range values are written as {@link formatByteRange} has them. */
function countsOnly(start: number, end: number | '*', total: number | '*'): boolean {
  return Number.isSafeInteger(start) && start >= 0 && isCount(end) && isCount(total);
}
