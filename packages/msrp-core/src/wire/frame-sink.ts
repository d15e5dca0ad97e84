// The types a Parser is driven by: what it emits to, and the limits it is given.
import type { MsrpError } from '../errors.js';
import type { Head } from './head.js';

/** How a chunk ends (RFC 4975 §7.1): `$` last chunk, `+` more to come, `#` message aborted. */
export type ContinuationFlag = '+' | '$' | '#';

/**
 * Receives the frames a {@link Parser} reads. Returning `false` from any method pauses the
 * parser after that event: it keeps the unread bytes and waits for {@link Parser.resume}.
 */
export interface FrameSink {
  /** Start line and headers of a frame, parsed. */
  head(head: Head): boolean | void;
  /**
   * A piece of the body: a plain `Uint8Array` view into the pushed bytes (never a copy,
   * except for the few bytes held back across pushes; never a Node `Buffer`, even when a
   * Buffer was pushed). A body may arrive in any number of pieces.
   */
  body(part: Uint8Array): boolean | void;
  /** The end-line of the frame, with its continuation flag. */
  end(flag: ContinuationFlag): boolean | void;
  /**
   * A frame framed right (start line, CRLF lines, end-line) with a header the parser cannot
   * read (`MSRP_ERR_BAD_HEADER`, `MSRP_ERR_DUPLICATE_HEADER`, `MSRP_ERR_MISSING_HEADER`,
   * status 400; `error.head` holds what was read): skipped whole, nothing else of it
   * emitted, and the frames after it are read on, so that one bad request costs only its
   * own 400 (RFC 4975 §10.2: the request was unintelligible), not the connection. Without
   * this method such a frame is a parse error, and the parser fails.
   */
  invalid?(error: MsrpError, flag: ContinuationFlag): boolean | void;
}

/** The default of {@link ParserOptions.maxHeaderBytes}. */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

/** Limits of a {@link Parser}; every one of them bounds what a peer can make us hold. */
export interface ParserOptions {
  /** Longest start line, in bytes without CRLF. Default 1024. */
  maxStartLineBytes?: number;
  /** Largest header block after the start line, in bytes with CRLFs. Default 16 KiB. */
  maxHeaderBytes?: number;
  /** Most header fields in one frame. Default 64. */
  maxHeaders?: number;
}
