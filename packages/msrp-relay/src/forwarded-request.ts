import type { ContinuationFlag, MsrpError, RequestHead } from '@msrp-ts/msrp-core';
import { encodeHead } from '@msrp-ts/msrp-core/internal';
import type { HeadEncoder } from './message-head-template.js';

/** Body bytes of a message small enough to overtake longer ones' chunks (a chat line). */
const SMALL_MESSAGE = 16 * 1024;

/** What the owner of a forwarded request hears from the scheduler. */
export interface ForwardEvents {
  /**
   * A head went out: the first one, or the head that resumes a cut chunk. `offset` is the
   * number of body bytes written before it; the response to `transactionId` answers them.
   */
  segment(transactionId: string, offset: number): void;
  /** The segment of `transactionId` ended, after `bytes` body bytes, with `flag`. */
  segmentEnd(transactionId: string, bytes: number, flag: ContinuationFlag): void;
  /**
   * The sender may send again: {@link ChunkScheduler.push} had returned false, or the request
   * was `held` (this may come within `forward()` itself, when slow senders made way for it).
   */
  resume(): void;
  /**
   * The request could not be (fully) written: the connection closed or failed, or its sender
   * was too slow while others waited (`MSRP_ERR_LIMIT`, status 408; see `ReaderBudget`).
   */
  failed(error: MsrpError): void;
}

/**
 * A request being forwarded: its head, its queued body, how far it went. Its fields are
 * the {@link ChunkScheduler}'s bookkeeping; only `head`, `sent` and `done` are for others.
 */
export class ForwardedRequest {
  /** The head as first forwarded; resumed segments differ in transaction id and Byte-Range. */
  readonly head: RequestHead;
  readonly events: ForwardEvents;
  /** Body bytes written so far. */
  sent = 0;
  /** Whether everything was written (or it failed). */
  done = false;
  /** @internal Body pieces not yet written. */
  parts: Uint8Array[] = [];
  /** @internal Bytes in `parts`. */
  queued = 0;
  /** @internal The sender's end-line flag, once it came. */
  ended: ContinuationFlag | undefined;
  /**
   * @internal Its sender went away mid-request (`ChunkScheduler.abort`): ended with `#` if
   * any of it went out, else forgotten. A `#` the sender wrote itself is forwarded, bodiless
   * or not: it tells the receiver the message was aborted (RFC 4975 §7.1).
   */
  abandoned = false;
  /** @internal Transaction id of the segment on the wire (head written, end-line not). */
  open: string | undefined;
  /** @internal Body bytes of the open segment. */
  segmentBytes = 0;
  /** @internal push() returned false: call events.resume() when there is room. */
  wantsResume = false;
  /** @internal Its sender reads its body now (counted by the scheduler's `ReaderBudget`). */
  reading = false;
  /** @internal When its sender last started reading (ms), and body bytes pushed since. */
  readSince = 0;
  /** @internal */
  readBytes = 0;
  /** @internal */
  readonly hasBody: boolean;
  /** @internal RFC 4975 §7.1: only SEND chunks may be cut and resumed by Byte-Range. */
  readonly interruptible: boolean;
  /**
   * @internal A SEND, with Byte-Range or without: one without holds the whole message
   * (RFC 4975 §7.1.1), which the relay may still cut toward a message-framed peer under a
   * Byte-Range of its own (RFC 4976 §7: relays may re-chunk), see `message-segment.ts`.
   */
  readonly isSend: boolean;

  /** @internal Encodes the heads of its segments (see `ForwardTemplate`), when it has one. */
  readonly template: HeadEncoder | undefined;

  /**
   * @internal A small message whole in one chunk (a chat line): it may go ahead of the queued
   * chunks of longer messages (see `ChunkScheduler.forward`).
   */
  readonly small: boolean;

  constructor(head: RequestHead, events: ForwardEvents, template?: HeadEncoder) {
    this.head = head;
    this.events = events;
    this.template = template;
    const range = head.byteRange;
    this.small =
      head.method === 'SEND' &&
      range !== undefined &&
      range.start === 1 &&
      range.end === range.total &&
      range.total !== '*' &&
      range.total <= SMALL_MESSAGE;
    this.hasBody = head.contentType !== undefined;
    this.isSend = head.method === 'SEND';
    this.interruptible = this.isSend && head.byteRange !== undefined;
  }

  /**
   * @internal The bytes of `head`, one of its segments' heads: from the template when it has
   * one (only the transaction id and Byte-Range differ), else formatted whole.
   */
  encodeHead(head: RequestHead): Uint8Array {
    const range = head.byteRange;
    return this.template && range
      ? this.template.encode(head.transactionId, range)
      : encodeHead(head);
  }

  /**
   * Whether its sender is to stop reading until `events.resume()`: the next hop's queue had no
   * room for another sender's read when it came (see `ReaderBudget`).
   */
  get held(): boolean {
    return this.wantsResume;
  }

  /** @internal Whether it has something to write. */
  get ready(): boolean {
    return !this.done && (this.parts.length > 0 || this.ended !== undefined);
  }
}
