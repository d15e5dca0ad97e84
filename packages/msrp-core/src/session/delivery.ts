import { MsrpError, hasBrand, type MsrpErrorCode } from '../errors.js';
import type { ByteRange } from '../wire/byte-range.js';
import type { StatusHeader } from '../wire/status-header.js';

/**
 * An incoming message the session refused, as its `refused` event gives it: its first chunk
 * (or a later one, for a limit passed before the message reached the reader) was answered
 * with the error's status (RFC 4975 §7.1: 400, 413, 415), and the reader never sees it. A
 * message refused once its reader has it (a stream) fails there instead.
 */
export interface RefusedMessage {
  /** Its Message-ID; undefined for a SEND without one (400). */
  readonly messageId: string | undefined;
  /** Its media type, e.g. `image/png`, when it had a Content-Type. */
  readonly contentType: string | undefined;
  /** Its size in bytes, when its Byte-Range gave the total. */
  readonly size: number | undefined;
  /** Why: its `status` is the response sent, its message the comment. */
  readonly error: MsrpError;
}

/** The result of a successful send. */
export interface Delivery {
  readonly messageId: string;
  /** Bytes the peer confirmed: the whole message. */
  readonly bytes: number;
  /**
   * The success REPORT's Status, when one was asked for (RFC 4975 §7.1.2); the last one when
   * the peer reported the message in parts (one REPORT per chunk, together covering it).
   */
  readonly report?: StatusHeader;
  /** The Byte-Range that REPORT covers. */
  readonly reportRange?: ByteRange;
}

/** How far a send has come. */
export interface Progress {
  /** Bytes confirmed by the peer. */
  readonly bytes: number;
  /** Total bytes, when known. */
  readonly total: number | undefined;
  /** Average rate since the send started, in bytes per second. */
  readonly rate: number;
}

/** The brand of DeliveryError, like MsrpError's: shared by every copy of the package. */
const kDeliveryError = Symbol.for('msrp-ts.DeliveryError');

/**
 * A send that failed: the peer refused it (its `status`: 413, 415, 481...), no answer came
 * (408), the connection broke, or it was aborted. `confirmedBytes` says how much of the
 * message the peer had confirmed, in order, before that.
 */
export class DeliveryError extends MsrpError {
  /** Whether `value` is a DeliveryError of any copy of the package (see {@link MsrpError}). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== DeliveryError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return hasBrand(value, kDeliveryError);
  }

  readonly messageId: string;
  readonly confirmedBytes: number;

  constructor(
    messageId: string,
    confirmedBytes: number,
    message: string,
    options: { code: MsrpErrorCode; status?: number; cause?: unknown },
  ) {
    super(
      options.code,
      `Message ${messageId} not delivered (${confirmedBytes} bytes confirmed): ${message}`,
      options,
    );
    this.messageId = messageId;
    this.confirmedBytes = confirmedBytes;
  }
}
Object.defineProperty(DeliveryError.prototype, kDeliveryError, { value: true });

/**
 * A REPORT the peer (or a relay) sent about one of our messages (RFC 4975 §7.1.2), as the
 * session's `report` event gives it: also for messages whose send has already settled.
 */
export interface ReceivedReport {
  readonly messageId: string;
  /** Its Status header: 200 for a success REPORT, the failure's code otherwise. */
  readonly status: StatusHeader;
  /** The bytes it covers, when it carries a Byte-Range. */
  readonly byteRange?: ByteRange;
}
