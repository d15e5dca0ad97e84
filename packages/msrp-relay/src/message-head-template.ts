import type { ByteRange, RequestHead } from '@msrp-ts/msrp-core';
import { formatHead } from '@msrp-ts/msrp-core/internal';

/** Encodes the heads of one request's segments: only the transaction id and Byte-Range vary. */
export interface HeadEncoder {
  encode(transactionId: string, range: ByteRange): Uint8Array;
}

const MARK_TID = 'x0template0x';
const MARK_ID = 'x0message0template0x';
const MARK_RANGE: ByteRange = { start: 1, end: '*', total: '*' };
const ID_LINE = `\r\nMessage-ID: ${MARK_ID}\r\n`;
const RANGE_LINE = '\r\nByte-Range: 1-*/*\r\n';

/**
 * The forwarded head of the requests of one route (To-Path, From-Path and every other header
 * alike), formatted once, with three slots: transaction id, Message-ID and Byte-Range. Chat
 * lines and their REPORTs differ from one message to the next only there, so each costs a
 * string concatenation instead of a head formatted whole (issue 13: small messages through
 * the relay).
 */
export class MessageHeadTemplate {
  readonly #start: string;
  readonly #middle: string;
  readonly #end: string;

  private constructor(start: string, middle: string, end: string) {
    this.#start = start;
    this.#middle = middle;
    this.#end = end;
  }

  /**
   * The template of `head` (its transaction id, Message-ID and Byte-Range are ignored), or
   * undefined when it has no Message-ID or Byte-Range.
   * @throws {MsrpError} as `formatHead` does for a head it cannot format.
   */
  static of(head: RequestHead): MessageHeadTemplate | undefined {
    if (head.messageId === undefined || head.byteRange === undefined) return undefined;
    const text = formatHead({
      ...head,
      transactionId: MARK_TID,
      messageId: MARK_ID,
      byteRange: MARK_RANGE,
    });
    // formatHead writes Message-ID before Byte-Range, each on its own line.
    const id = text.indexOf(ID_LINE);
    const range = text.indexOf(RANGE_LINE, id);
    if (id < 0 || range < 0) return undefined;
    return new MessageHeadTemplate(
      text.slice(`MSRP ${MARK_TID}`.length, id + ID_LINE.length - MARK_ID.length - 2),
      text.slice(id + ID_LINE.length - 2, range + RANGE_LINE.length - 7),
      text.slice(range + RANGE_LINE.length - 2),
    );
  }

  /** The encoder of the segments of the message `messageId` (an ident the parser checked). */
  forMessage(messageId: string): HeadEncoder {
    return new MessageHeadEncoder(this.#start + messageId + this.#middle, this.#end);
  }
}

/** The heads of one message's segments (an object, not a closure: one per chat line). */
class MessageHeadEncoder implements HeadEncoder {
  readonly #start: string;
  readonly #end: string;

  constructor(start: string, end: string) {
    this.#start = start;
    this.#end = end;
  }

  encode(transactionId: string, r: ByteRange): Uint8Array {
    return Buffer.from(
      `MSRP ${transactionId}${this.#start}${r.start}-${r.end}/${r.total}${this.#end}`,
    );
  }
}
