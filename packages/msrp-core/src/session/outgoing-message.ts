import { MsrpError } from '../errors.js';
import { checkNumbers, type NumberRule } from '../option-check.js';
import { concatBytes } from '../wire/bytes.js';
import { parseContentType, type ContentType } from '../wire/content-type.js';
import { headerFieldProblem, type HeaderField } from '../wire/head.js';
import { IDENT } from '../wire/grammar.js';
import { newMessageId, type IdSequence } from '../wire/ids.js';
import { uriPathError } from './uri-path.js';
import { hasPiecesAtHand, type PiecesAtHand } from './node-pieces.js';
import type { SendOptions } from './options.js';

/** The numbers of a send's options (its timer past 2^31 - 1 ms fired at once). */
const SEND_NUMBERS: Partial<Record<keyof SendOptions, NumberRule>> = {
  reportTimeout: 'timeout',
  chunkSize: 'count',
};

/**
 * The Content-Types of a session's messages, each text parsed once: a chat sends one type
 * message after message, and a parsed type is read-only, so its messages share one object
 * (which also keys the session's head templates).
 */
export class ContentTypes {
  #text: string | undefined;
  #type: ContentType | undefined;

  /** {@link parseContentType} of `text`; the same object as last time for the same text. */
  readonly parse = (text: string): ContentType | undefined => {
    if (text !== this.#text) {
      this.#type = parseContentType(text);
      this.#text = text;
    }
    return this.#type;
  };
}

/** The content headers of a message without any: one frozen array for all of them. */
const NO_HEADERS: readonly HeaderField[] = Object.freeze([]);

/** A piece of an outgoing message, ready to become one SEND chunk. */
export interface OutgoingChunk {
  /** The bytes (a view of what the source gave; never copied). */
  readonly body: Uint8Array;
  /** Byte-Range start, counting from 1. */
  readonly start: number;
  /** Whether this is the last chunk (end-line `$`), otherwise `+`. */
  readonly last: boolean;
}

/** Bytes of a message: all at once, or a stream read as the window allows. */
export type MessageSource = Uint8Array | AsyncIterable<Uint8Array>;

/**
 * A message being sent: cuts its source into chunks on demand and tracks what the peer
 * has confirmed. Reading the source only when a chunk is wanted (a Node stream: at most
 * 256 KiB ahead, see `NodePieces`) is what makes a file transfer stop reading the disk
 * while the window or the socket is full.
 */
export class OutgoingMessage {
  readonly messageId: string;
  /**
   * Whether `messageId` is known to be an ident (RFC 4975 §9): made by {@link create}, or
   * checked there. Otherwise the first chunk checks it before it goes into a head.
   */
  idChecked = false;
  readonly contentType: ContentType;
  readonly contentHeaders: readonly HeaderField[];
  /** Total size in bytes when known up front. */
  readonly size: number | undefined;
  /** Octets of the message handed out as chunks so far (from `offset` on a resume). */
  sent: number;
  /** Octets of the message the peer holds: `offset`, then every chunk answered with 200. */
  confirmed: number;
  /** Octets of the message delivered before this send (a resume): the source starts after them. */
  readonly offset: number;
  /** Chunks written and not yet answered. */
  inFlight = 0;
  /** Set once no more chunks will be written (done, failed or aborted). */
  finished = false;

  #whole: Uint8Array | undefined;
  #iterator: AsyncIterator<Uint8Array> | undefined;
  /** The iterator, when it hands over pieces at hand without a promise. */
  #atHand: PiecesAtHand | undefined;
  /** The last piece the source gave, from {@link #leftoverAt} on not yet cut. */
  #leftover: Uint8Array | undefined;
  #leftoverAt = 0;
  #ended = false;

  /**
   * A message of `options` (Content-Type, size, Message-ID), or why it cannot be sent: a bad
   * Content-Type, or a size over the peer's max-size (413). `parse` reads the Content-Type
   * (a session's {@link ContentTypes} reads each text once); `ids` gives the Message-ID of one
   * that names none (a session's; a random one without).
   */
  static create(
    source: MessageSource,
    options: SendOptions,
    remoteMaxSize: number | undefined,
    parse: (text: string) => ContentType | undefined = parseContentType,
    ids?: IdSequence,
  ): OutgoingMessage | MsrpError {
    const contentType = parse(options.contentType ?? 'application/octet-stream');
    if (!contentType)
      return new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        `Invalid content type "${options.contentType}"`,
      );
    // RFC 4975 §9: a Message-ID is an ident, 4 to 32 characters; checked here, as a bad one
    // would fail only when its first chunk is written, long after send() returned.
    if (options.messageId !== undefined && !IDENT.test(options.messageId)) {
      return new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        `Invalid Message-ID ${JSON.stringify(options.messageId)}`,
      );
    }
    const offset = options.offset ?? 0;
    const size = options.size;
    if (!Number.isSafeInteger(offset) || offset < 0 || (size !== undefined && offset > size)) {
      return new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        `Invalid offset ${offset}${size === undefined ? '' : ` of a message of ${size} bytes`}`,
      );
    }
    if (options.toPath !== undefined) {
      const error = uriPathError(options.toPath, 'toPath');
      if (error) return error;
    }
    if (options.reportTimeout !== undefined || options.chunkSize !== undefined) {
      try {
        checkNumbers(options, SEND_NUMBERS, 'Send option ');
      } catch (e) {
        return e as MsrpError;
      }
    }
    // Caught here, not when the first chunk is written, long after send() returned.
    if (options.contentHeaders !== undefined) {
      const problem = headersProblem(options.contentHeaders);
      if (problem !== undefined) return new MsrpError('MSRP_ERR_INVALID_ARGUMENT', problem);
    }
    const extra = size !== undefined || offset > 0 || options.contentHeaders !== undefined;
    const message = new OutgoingMessage(
      options.messageId ?? ids?.next() ?? newMessageId(),
      contentType,
      source,
      // None for a plain message (a chat line): no options object made per message.
      extra
        ? {
            ...(size !== undefined && { size }),
            ...(offset > 0 && { offset }),
            ...(options.contentHeaders && { contentHeaders: options.contentHeaders }),
          }
        : undefined,
    );
    message.idChecked = true;
    const limit = remoteMaxSize;
    if (limit !== undefined && message.size !== undefined && message.size > limit) {
      return new MsrpError(
        'MSRP_ERR_LIMIT',
        `Message of ${message.size} bytes exceeds the peer's max-size ${limit}`,
        { status: 413 },
      );
    }
    return message;
  }

  constructor(
    messageId: string,
    contentType: ContentType,
    source: MessageSource,
    options?: { size?: number; offset?: number; contentHeaders?: readonly HeaderField[] },
  ) {
    this.messageId = messageId;
    this.contentType = contentType;
    this.contentHeaders = options?.contentHeaders ?? NO_HEADERS;
    this.offset = options?.offset ?? 0;
    this.sent = this.offset;
    this.confirmed = this.offset;
    if (source instanceof Uint8Array) {
      this.#whole = source;
      this.size = this.offset + source.length;
    } else {
      this.#iterator = source[Symbol.asyncIterator]();
      if (hasPiecesAtHand(this.#iterator)) this.#atHand = this.#iterator;
      this.size = options?.size;
    }
  }

  /** Whether every chunk has been handed out. */
  get drained(): boolean {
    return this.#ended;
  }

  /**
   * The next chunk of at most `max` bytes, or undefined when all were handed out.
   * @throws {MsrpError} `MSRP_ERR_LIMIT` when a stream delivers more than its declared size.
   */
  async next(max: number): Promise<OutgoingChunk | undefined> {
    const now = this.nextNow(max);
    if (now !== null) return now;
    const start = this.sent + 1;
    return this.#cut(await this.#read(max), start);
  }

  /**
   * {@link next} without waiting: the next chunk when it can be cut from bytes at hand (the
   * whole message, or what the source gave last), undefined when all were handed out, or
   * null when the source must be read first (call {@link next}). What keeps a transfer
   * from costing a promise per chunk.
   * @throws {MsrpError} `MSRP_ERR_LIMIT` when a stream delivers more than its declared size.
   */
  nextNow(max: number): OutgoingChunk | undefined | null {
    if (this.#ended) return undefined;
    const start = this.sent + 1;
    if (this.#whole) {
      const whole = this.#whole;
      const at = this.sent - this.offset;
      // A message of one chunk (a chat line) is its own body: no view per message.
      const body = at === 0 && whole.length <= max ? whole : whole.subarray(at, at + max);
      this.#ended = at + body.length >= whole.length;
      return this.#cut(body, start);
    }
    let piece = this.#leftover;
    let at = this.#leftoverAt;
    while (!piece || at >= piece.length) {
      // The source's next piece, when one is queued: no promise per piece.
      const next = this.#atHand?.takeNow();
      if (!next) return null;
      piece = this.#leftover = next;
      at = this.#leftoverAt = 0;
    }
    const left = piece.length - at;
    if (left > max) {
      // The rest stays where it is (an offset, not a view of its own per chunk).
      this.#leftoverAt = at + max;
      return this.#cut(piece.subarray(at, at + max), start);
    }
    // The rest of the piece: whether it is the last needs the declared size, else a look ahead.
    if (this.size === undefined) return null;
    this.#leftover = undefined;
    this.#leftoverAt = 0;
    this.#ended = this.sent + left >= this.size;
    return this.#cut(at === 0 ? piece : piece.subarray(at), start);
  }

  /** What is left of the last piece the source gave, as a view (undefined when nothing is). */
  #takeLeftover(): Uint8Array | undefined {
    const piece = this.#leftover;
    const at = this.#leftoverAt;
    this.#leftover = undefined;
    this.#leftoverAt = 0;
    return piece === undefined || at === 0 ? piece : piece.subarray(at);
  }

  #cut(body: Uint8Array, start: number): OutgoingChunk {
    this.sent += body.length;
    if (this.size !== undefined && this.sent > this.size) {
      throw new MsrpError(
        'MSRP_ERR_LIMIT',
        `Source of ${this.messageId} is larger than its declared ${this.size} bytes`,
      );
    }
    return { body, start, last: this.#ended };
  }

  /** Gives back the unsent tail of the last chunk (an interrupted chunk); it goes out next. */
  unread(bytes: Uint8Array): void {
    this.sent -= bytes.length;
    this.#ended = false;
    if (this.#whole) return; // the next chunk is sliced from `sent` again
    const rest = this.#takeLeftover();
    this.#leftover =
      rest && rest.length > 0
        ? rest.buffer === bytes.buffer && rest.byteOffset === bytes.byteOffset + bytes.length
          ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length + rest.length)
          : concatBytes([bytes, rest])
        : bytes;
  }

  /** Stops reading the source (on abort or failure). */
  async close(): Promise<void> {
    this.finished = true;
    this.#ended = true;
    await this.#iterator?.return?.();
  }

  async #read(max: number): Promise<Uint8Array> {
    let piece = this.#takeLeftover();
    while (!piece || piece.length === 0) {
      const step = await this.#iterator!.next();
      if (step.done) {
        this.#ended = true;
        if (this.size !== undefined && this.sent < this.size) {
          throw new MsrpError(
            'MSRP_ERR_INVALID_ARGUMENT',
            `Source of ${this.messageId} ended after ${this.sent} of its declared ${this.size} bytes`,
          );
        }
        return new Uint8Array(0);
      }
      piece = step.value;
    }
    if (piece.length > max) {
      this.#leftover = piece;
      this.#leftoverAt = max;
      return piece.subarray(0, max);
    }
    if (this.size !== undefined) {
      // The declared size is reached: mark the end now so this chunk goes out with `$`.
      this.#ended = this.sent + piece.length >= this.size;
    } else {
      // Unknown size: look one piece ahead, so the last chunk carries `$` itself.
      const step = await this.#iterator!.next();
      if (step.done) this.#ended = true;
      else this.#leftover = step.value;
    }
    return piece;
  }
}

/** What is wrong with a caller's content headers (see {@link headerFieldProblem}), if anything. */
function headersProblem(headers: unknown): string | undefined {
  if (!Array.isArray(headers)) return 'contentHeaders is no array';
  for (const field of headers as readonly HeaderField[]) {
    const problem = headerFieldProblem(field);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
