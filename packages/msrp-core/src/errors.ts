/**
 * Stable machine-readable codes of {@link MsrpError}. A code never changes meaning; new
 * failure kinds get new codes.
 */
export type MsrpErrorCode =
  /** The start line is not `MSRP <transact-id> <method>` or `MSRP <transact-id> <code> [comment]`. */
  | 'MSRP_ERR_BAD_START_LINE'
  /** A header line or header value does not match the RFC 4975 §9 / RFC 4976 §10 grammar. */
  | 'MSRP_ERR_BAD_HEADER'
  /**
   * A content type was refused (status 415): by us, outside `acceptTypes`, or by the peer,
   * in its answer to a SEND or in a failure REPORT.
   */
  | 'MSRP_ERR_UNSUPPORTED_TYPE'
  /** A mandatory header (To-Path, From-Path) is missing. */
  | 'MSRP_ERR_MISSING_HEADER'
  /** A single-valued header appears more than once. */
  | 'MSRP_ERR_DUPLICATE_HEADER'
  /** A line did not end in CRLF (RFC 4975 §9). */
  | 'MSRP_ERR_BAD_LINE_ENDING'
  /** The start line exceeded `maxStartLineBytes`. */
  | 'MSRP_ERR_START_LINE_TOO_LONG'
  /** The header block exceeded `maxHeaderBytes`. */
  | 'MSRP_ERR_HEADER_TOO_LARGE'
  /** The header block had more than `maxHeaders` fields. */
  | 'MSRP_ERR_TOO_MANY_HEADERS'
  /** An MSRP or MSRPS URI is malformed. */
  | 'MSRP_ERR_BAD_URI'
  /** The byte stream ended in the middle of a frame. */
  | 'MSRP_ERR_TRUNCATED'
  /** A caller passed a value that cannot be put on the wire (a programming error). */
  | 'MSRP_ERR_INVALID_ARGUMENT'
  /** The connection closed, or could not be opened. */
  | 'MSRP_ERR_CONNECTION'
  /**
   * A local file could not be read: `sendFile` on a missing or unreadable path, a read error
   * of the file (or stream) being sent, a relay's users file. `cause` is the fs error.
   */
  | 'MSRP_ERR_FILE'
  /** The peer's TLS certificate does not match the expected fingerprint. */
  | 'MSRP_ERR_FINGERPRINT'
  /** No response arrived in time; treated as a 408 (RFC 4975 §7.1). */
  | 'MSRP_ERR_TIMEOUT'
  /** A frame in progress made no progress (head complete, next body piece) within `frameTimeout`. */
  | 'MSRP_ERR_FRAME_TIMEOUT'
  /** Every chunk was confirmed, but the success REPORT asked for did not come within `reportTimeout`. */
  | 'MSRP_ERR_REPORT_TIMEOUT'
  /** The peer answered with an error response or a failure REPORT. */
  | 'MSRP_ERR_REMOTE'
  /** A message was aborted, by us or by the peer (`#`). */
  | 'MSRP_ERR_ABORTED'
  /**
   * An incoming message got no new chunk within `SessionOptions.incompleteMessageTimeout`:
   * it was given up (an {@link IncompleteMessageError}).
   */
  | 'MSRP_ERR_INCOMPLETE'
  /** A session is closed, or in a state that does not allow the call. */
  | 'MSRP_ERR_SESSION'
  /** A limit of ours was exceeded (sessions, message size...). */
  | 'MSRP_ERR_LIMIT'
  /**
   * A WebSocket message held more than one MSRP frame (RFC 7977 §5.1: one chunk per
   * message); the connection is closed with WebSocket code 1002.
   */
  | 'MSRP_ERR_MESSAGE_FRAMING'
  /**
   * Received bytes do not match the hash announced for them (RFC 5547 `hash`, `File-Hash`);
   * on a send, the receiver refused the file so (its 413 says `Hash mismatch`).
   */
  | 'MSRP_ERR_HASH_MISMATCH'
  /**
   * A `message/cpim` body (RFC 3862) is malformed: a missing blank line, a header without a
   * colon, a broken `NS`, a bad From/To/cc or DateTime, too many or too large headers. The
   * message says which; `status` is 400 when the bytes came from a peer.
   */
  | 'MSRP_ERR_CPIM'
  /**
   * An XML body (IMDN, is-composing) is malformed, unsafe (a DOCTYPE or ENTITY declaration),
   * over a limit (size, nesting depth), or not the document it should be (wrong root,
   * namespace, missing status).
   */
  | 'MSRP_ERR_XML';

import type { Head } from './wire/head.js';

/** The brand every MsrpError carries, from whichever copy of the package it comes. */
const kMsrpError = Symbol.for('msrp-ts.MsrpError');

/** Options of {@link MsrpError}. */
export interface MsrpErrorOptions {
  /** RFC 4975 status code to answer the offending request with, when there is one. */
  status?: number;
  /** Transaction id of the offending frame, when it was read before the fault. */
  transactionId?: string;
  /** The frame's head as far as it was read, so that a response can still be addressed. */
  head?: Head;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * The one error class of msrp-ts. Faults of a peer carry the `status` to answer with
 * (400, 413, 415, 481, 501, 506...) and, when known, the `transactionId` to answer;
 * programming errors carry no status.
 *
 * @example
 * ```ts
 * try { parser.push(bytes); }
 * catch (e) { if (e instanceof MsrpError && e.status && e.transactionId) respond(e.transactionId, e.status); }
 * ```
 */
export class MsrpError extends Error {
  /**
   * Whether `value` is an MsrpError: it carries the `Symbol.for('msrp-ts.MsrpError')` brand,
   * so that this holds across two installed copies of the package (undici's `kUndiciError`
   * does the same). Subclasses keep the ordinary prototype test on their own class.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== MsrpError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return hasBrand(value, kMsrpError);
  }

  override readonly name = 'MsrpError';
  /** Stable code naming the failure. */
  readonly code: MsrpErrorCode;
  /** RFC 4975 status code to send back, if the fault is the peer's. */
  readonly status: number | undefined;
  /** Transaction id of the frame at fault, if it was known. */
  readonly transactionId: string | undefined;
  /** Head of the frame at fault as far as it was read, when the parser got that far. */
  readonly head: Head | undefined;

  constructor(code: MsrpErrorCode, message: string, options: MsrpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.transactionId = options.transactionId;
    this.head = options.head;
  }
}

// On the prototype, so no instance needs a field of its own; another copy of the package
// sets the same key on its own prototype.
Object.defineProperty(MsrpError.prototype, kMsrpError, { value: true });

/** @internal Whether `value` is an object carrying `brand` (set to true), own or inherited. */
export function hasBrand(value: unknown, brand: symbol): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    (value as { [key: symbol]: unknown })[brand] === true
  );
}

/**
 * The one conversion of anything caught into an {@link MsrpError}: an MsrpError (of any
 * copy of the package) as it is, anything else wrapped with `fallbackCode`, its message, and
 * the original as `cause`.
 *
 * @example
 * ```ts
 * sent.catch((e: unknown) => fail(toMsrpError(e, 'MSRP_ERR_CONNECTION')));
 * ```
 */
export function toMsrpError(e: unknown, fallbackCode: MsrpErrorCode): MsrpError {
  if (e instanceof MsrpError) return e;
  return new MsrpError(fallbackCode, e instanceof Error ? e.message : String(e), { cause: e });
}

const kIncompleteMessageError = Symbol.for('msrp-ts.IncompleteMessageError');

/**
 * An incoming message that stopped arriving: no new chunk came within
 * `SessionOptions.incompleteMessageTimeout` (its sender, or a relay on the way, went away
 * while the connection to us stayed up). Its `stream` fails with this error, `completed`
 * rejects with it, and what it held is freed; the octets `1` to `received` are the ones the
 * application got (counting `offset`). A later chunk of the same Message-ID starts a new
 * message from its Byte-Range, as a resume does. Code `MSRP_ERR_INCOMPLETE`.
 */
export class IncompleteMessageError extends MsrpError {
  /** Whether `value` is one of any copy of the package (see {@link MsrpError}). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== IncompleteMessageError) {
      return Function.prototype[Symbol.hasInstance].call(this, value);
    }
    return hasBrand(value, kIncompleteMessageError);
  }

  /** The message given up. */
  readonly messageId: string;
  /** Octets held in order (its `offset` included): the message's octets 1 to `received`. */
  readonly received: number;
  /** The message's announced total, when known. */
  readonly size: number | undefined;
  /** Octets that had come past a gap (out of order), dropped with it. */
  readonly droppedOutOfOrder: number;
  /** Milliseconds it waited for its next chunk. */
  readonly idleMs: number;

  constructor(init: {
    messageId: string;
    received: number;
    size: number | undefined;
    droppedOutOfOrder: number;
    idleMs: number;
  }) {
    const of = init.size === undefined ? '' : ` of ${init.size}`;
    const range = init.received > 0 ? `octets 1-${init.received}${of}` : `no octets${of}`;
    const dropped =
      init.droppedOutOfOrder > 0 ? ` (${init.droppedOutOfOrder} out-of-order octets dropped)` : '';
    super(
      'MSRP_ERR_INCOMPLETE',
      `Message ${init.messageId} incomplete: no new chunk for ${init.idleMs} ms; received ${range}${dropped}`,
    );
    this.messageId = init.messageId;
    this.received = init.received;
    this.size = init.size;
    this.droppedOutOfOrder = init.droppedOutOfOrder;
    this.idleMs = init.idleMs;
  }
}
Object.defineProperty(IncompleteMessageError.prototype, kIncompleteMessageError, { value: true });
