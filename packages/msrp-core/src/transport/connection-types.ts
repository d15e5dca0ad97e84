import type { MsrpError } from '../errors.js';
import type { FrameSink, ParserOptions } from '../wire/parser.js';

/** What a {@link Connection} reports to its owner (an endpoint or a relay). */
export interface ConnectionHandler extends FrameSink {
  /**
   * The peer sent bytes that cannot be parsed, or a frame that made no progress within
   * `frameTimeout` (`MSRP_ERR_FRAME_TIMEOUT`). The connection stops reading frames and is
   * closed after this returns; the handler may still write a response (e.g. 400) before that.
   * Also a request framed right with a header that cannot be read (see `FrameSink.invalid`):
   * skipped whole, it costs its 400 only, and the connection reads on.
   */
  protocolError(error: MsrpError): void;
  /**
   * The connection is closing: called once, as soon as that is decided (a protocol error,
   * `close()`, `destroy()`, the peer's FIN, a socket error, idleness), not when the socket is
   * finally gone, so the owner can let go of it at once. No frames arrive after it and writes
   * fail. `error` says why when it was not a clean close.
   */
  closed(error?: Error): void;
  /**
   * No byte moved either way for `idleTimeout`. Close the connection here, or return to
   * keep it (the timer then starts again). Default: `close()`.
   */
  idle?(): void;
}

/** Limits of a {@link Connection}. */
export interface ConnectionOptions extends ParserOptions {
  /**
   * Bytes we may have queued for the peer before we stop reading from it: a peer that
   * sends requests but does not read our responses cannot make us buffer more. Default 4 MiB.
   */
  maxWriteBuffer?: number;
  /**
   * Milliseconds without a byte read or written after which the handler's `idle()` is
   * called (it closes by default). It also bounds how long a connection can stay paused
   * by backpressure with more unread bytes than the stream buffers, behind which a peer's
   * FIN cannot be seen. Default 0: never.
   */
  idleTimeout?: number;
  /**
   * Milliseconds a frame in progress may go without progress: its head must be complete,
   * and each piece of its body follow the last, within this time, or the handler's
   * `protocolError` gets `MSRP_ERR_FRAME_TIMEOUT` and the connection closes (peers holding
   * a connection open a byte at a time). Time between frames, and time we hold the peer
   * back (backpressure), does not count. Default 0: never.
   */
  frameTimeout?: number;
}
