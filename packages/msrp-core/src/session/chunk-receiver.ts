import { MsrpError } from '../errors.js';
import type { ByteRange } from '../wire/byte-range.js';
import type { ContinuationFlag } from '../wire/parser.js';

/**
 * How one incoming SEND chunk is answered, on the connection it came on: now, or (with
 * `SessionOptions.confirmWhenRead`) once the reader has taken its bytes. Answers and frames
 * written through it keep their order and go out batched with the others due at the same time.
 */
export interface ChunkAnswer {
  /** Answers the chunk with `status` (default 200), unless it asked for no such response. */
  respond(status?: number, comment?: string): void;
  /** Writes another frame after the answers before it: a success REPORT. */
  write(frame: readonly Uint8Array[]): void;
}

/** What receives the body and end-line of one incoming SEND chunk. */
export interface ChunkReceiver {
  /** Takes a piece of the body; false asks to pause. @throws {MsrpError} with the status to answer. */
  body(part: Uint8Array): boolean;
  /** At the end-line, before anything is answered: the error to answer instead of 200, if any. */
  check(flag: ContinuationFlag): MsrpError | undefined;
  /** The chunk passed its checks: take its end and answer it through `answer` (now or later). */
  end(flag: ContinuationFlag, answer: ChunkAnswer): void;
  /** The chunk, or the connection under it, failed: give up its message. */
  fail(error: MsrpError): void;
}

/** Answered 200 and dropped: a resent chunk of a message already delivered. */
export const emptySend: ChunkReceiver = {
  body: () => true,
  check: () => undefined,
  end: (_flag, answer) => answer.respond(),
  fail: () => undefined,
};

/** A SEND that announced no body (see {@link describesNoBody}). */
export const bodiless: ChunkReceiver = {
  body: (part) => {
    // RFC 4975 §7.1.1: a SEND with a body carries a Content-Type.
    if (part.length > 0) {
      throw new MsrpError('MSRP_ERR_BAD_HEADER', 'SEND with a body but no Content-Type', {
        status: 400,
      });
    }
    return true;
  },
  check: () => undefined,
  end: (_flag, answer) => answer.respond(),
  fail: () => undefined,
};

/** Whether a Byte-Range (or its absence) describes a SEND without body. */
export function describesNoBody(range: ByteRange | undefined): boolean {
  return range === undefined || range.total === 0 || (range.end !== '*' && range.end < range.start);
}
