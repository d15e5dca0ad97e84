import type { ByteRange, ContinuationFlag, RequestHead } from '@msrp-ts/msrp-core';
import { ChunkHeadTemplate } from '@msrp-ts/msrp-core/internal';

/** Encodes the heads of one request's segments: only the transaction id and Byte-Range vary. */
export interface HeadEncoder {
  encode(transactionId: string, range: ByteRange): Uint8Array;
  /**
   * The whole frame of a request of one segment, head, `body` and end-line with `flag`, as
   * one view; undefined when it is not written so (a body of 0 or over 1024 bytes, an end
   * of `*`): then {@link encode} and the pieces.
   */
  encodeWhole(
    transactionId: string,
    range: ByteRange,
    body: Uint8Array,
    flag: ContinuationFlag,
  ): Uint8Array | undefined;
}

/**
 * The forwarded head of the requests of one route (To-Path, From-Path and every other header
 * alike), formatted once, with three slots: transaction id, Message-ID and Byte-Range. Chat
 * lines and their REPORTs differ from one message to the next only there, so each head is
 * written into msrp-core's shared slab (`ChunkHeadTemplate`) instead of formatted whole, or
 * built as a string and encoded (issue 13: small messages through the relay).
 */
export class MessageHeadTemplate {
  readonly #chunks: ChunkHeadTemplate;

  private constructor(chunks: ChunkHeadTemplate) {
    this.#chunks = chunks;
  }

  /**
   * The template of `head` (its transaction id, Message-ID and Byte-Range are ignored), or
   * undefined when it has no Message-ID or Byte-Range.
   * @throws {MsrpError} as `formatHead` does for a head it cannot format.
   */
  static of(head: RequestHead): MessageHeadTemplate | undefined {
    if (head.messageId === undefined || head.byteRange === undefined) return undefined;
    return new MessageHeadTemplate(new ChunkHeadTemplate(head));
  }

  /** The encoder of the segments of the message `messageId` (an ident the parser checked). */
  forMessage(messageId: string): HeadEncoder {
    return new MessageHeadEncoder(this.#chunks, messageId);
  }
}

/** The heads of one message's segments (an object, not a closure: one per chat line). */
class MessageHeadEncoder implements HeadEncoder {
  readonly #chunks: ChunkHeadTemplate;
  readonly #messageId: string;

  constructor(chunks: ChunkHeadTemplate, messageId: string) {
    this.#chunks = chunks;
    this.#messageId = messageId;
  }

  encode(transactionId: string, range: ByteRange): Uint8Array {
    return this.#chunks.encode(transactionId, range, this.#messageId);
  }

  encodeWhole(
    transactionId: string,
    range: ByteRange,
    body: Uint8Array,
    flag: ContinuationFlag,
  ): Uint8Array | undefined {
    const { start, end, total } = range;
    if (end === '*') return undefined;
    const chunks = this.#chunks;
    return chunks.encodeSmallChunk(transactionId, start, end, total, this.#messageId, body, flag);
  }
}
