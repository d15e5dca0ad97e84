// The types a Parser is driven by: what it emits to, and the limits it is given.
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
}

/** Limits of a {@link Parser}; every one of them bounds what a peer can make us hold. */
export interface ParserOptions {
  /** Longest start line, in bytes without CRLF. Default 1024. */
  maxStartLineBytes?: number;
  /** Largest header block after the start line, in bytes with CRLFs. Default 16 KiB. */
  maxHeaderBytes?: number;
  /** Most header fields in one frame. Default 64. */
  maxHeaders?: number;
}
