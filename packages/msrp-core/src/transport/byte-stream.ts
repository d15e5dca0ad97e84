/**
 * A bidirectional byte stream that a {@link Connection} reads and writes: a TCP or TLS socket
 * (`socketStream` in `node/`), a WebSocket (RFC 7977), or an in-memory pair in tests. It
 * names no runtime type, so the connection code runs unchanged in browsers.
 *
 * The stream starts delivering once {@link open} is called: `data` until the peer's `end`
 * (`endWhilePaused` may come earlier, while paused with data held back), `finished` after
 * {@link end}, `error` at any time, and `close` last, once.
 */
export interface ByteStream {
  /**
   * Starts delivering to `events`. Called once, by the connection that owns the stream.
   * Call its methods on it (`events.data(bytes)`): a connection's are class methods, which
   * a spread (`{ ...events }`) or a detached reference would lose.
   */
  open(events: ByteStreamEvents): void;
  /**
   * Queues bytes for the peer: a whole frame, or pieces of one in order (a message-based
   * transport such as WebSocket sends each call as one message, RFC 7977 §5.1). Returns
   * false once more than the stream wants is queued: wait for `drain` before writing more.
   * `lent`: some parts are views lent with `lendRead` (a relay forwarding what it read). A
   * stream that learns when the transport is done with its parts gives them back then
   * (`returnReads`); one that does not leaves them to the garbage collector, so their reads
   * are not used again (safe, only not reused).
   */
  write(parts: readonly Uint8Array[], lent?: boolean): boolean;
  /**
   * Hands the bytes written so far to the transport now, where the stream gathers a turn's
   * writes into one (a socket's writev): answers that let the peer go on while we read.
   */
  flush?(): void;
  /** Bytes queued and not yet handed to the peer. */
  readonly bufferedAmount: number;
  /** Whether {@link write} may be called: false once ended, destroyed or closed. */
  readonly writable: boolean;
  /** Stops delivering `data` (backpressure) until {@link resume}. */
  pause(): void;
  /** Restarts delivering `data`. A no-op once the stream is closed. */
  resume(): void;
  /**
   * Closes our side (FIN) once the queued bytes went out; `finished` follows. An `MsrpError`
   * says the peer broke the protocol, as for {@link destroy}, but what is queued (an answer
   * to the peer) still goes out first: a WebSocket then closes with code 1002 and the
   * error's message as reason; a TCP stream has no close code and ignores it.
   */
  end(error?: Error): void;
  /**
   * Closes at once, dropping what is queued; `close` follows. An `MsrpError` says the peer
   * broke the protocol: a message-based stream tells the peer so if it can (a WebSocket
   * closes with code 1002 and the error's message as reason).
   */
  destroy(error?: Error): void;
  /** Names the peer in logs, e.g. `127.0.0.1:52344`, or `?` when unknown. */
  readonly remote: string;
  /** The peer's IP address, when the transport knows it (limits per address). */
  readonly remoteAddress?: string | undefined;
  /** Our local IP address, when the transport knows it (the relay puts it in URIs). */
  readonly localAddress?: string | undefined;
  /**
   * True on a message-based transport (WebSocket, RFC 7977 §5.1): each {@link write} is one
   * message, so a chunk must be written in one call, and a message read may hold at most one
   * chunk (a `Connection` refuses more; it accepts a chunk split across messages).
   */
  readonly messageFramed?: boolean;
}

/** What a {@link ByteStream} tells its owner. */
export interface ByteStreamEvents {
  /**
   * Bytes from the peer. Most streams never reuse them (the parser takes views). One that
   * reads into buffers it uses again (Node's accepted TCP connections) does so only once
   * {@link holdsData} is false, and not while a view of them is lent (`lendRead`).
   */
  data(bytes: Uint8Array): void;
  /**
   * Whether views of delivered bytes are still held beyond `data` (a paused parser's queue).
   * Without it, a stream that reuses its buffers takes the answer to be yes.
   */
  holdsData?(): boolean;
  /** The queued bytes were handed to the peer after a `write` returned false. */
  drain(): void;
  /** The peer closed its side (FIN), after all of its data was delivered. */
  end(): void;
  /**
   * The peer closed its side while the stream was paused with bytes still undelivered: the
   * owner decides whether they are still owed (a `Connection` drops them and closes).
   */
  endWhilePaused(): void;
  /** Our side is closed and every queued byte went out (after {@link ByteStream.end}). */
  finished(): void;
  /** The stream failed; `close` follows. */
  error(error: Error): void;
  /** The stream is gone: nothing more is delivered or written. */
  close(): void;
}
