import { MsrpError } from '../errors.js';
import type { Head } from '../wire/head.js';
import { Parser, type ContinuationFlag, type FrameSink } from '../wire/parser.js';
import type { ByteStream, ByteStreamEvents } from './byte-stream.js';
import { ClosingTimer } from './closing-timer.js';
import { ConnectionWriter, type WriterHost } from './connection-writer.js';
import { Deadline } from './deadline.js';
import { FrameDeadline } from './frame-deadline.js';
import { MessageFraming } from './message-framing.js';
import type { ConnectionHandler, ConnectionOptions } from './connection-types.js';

export type { ConnectionHandler, ConnectionOptions } from './connection-types.js';

/** A connection's parser sink, stream listener and writer host (set in its static block). */
let ConnectionIo: new (connection: Connection) => FrameSink & ByteStreamEvents & WriterHost;

/**
 * One MSRP connection over any {@link ByteStream} (a TCP or TLS socket through `socketStream`,
 * a WebSocket, an in-memory pair): it feeds the parser, writes whole frames, and applies
 * backpressure both ways.
 *
 * Reading pauses while the handler's sink returns false (until {@link resume}) or while
 * more than `maxWriteBuffer` bytes wait for the peer. A peer's FIN behind bytes we have not
 * read closes the connection at once and those bytes are dropped, as when the FIN arrives
 * while the parser holds them: a peer that went away is not owed the rest of its frames.
 * That FIN is seen as long as the stream reports it (`endWhilePaused`; Node's sockets do while
 * what the peer sent fits their read buffer); beyond, `idleTimeout` bounds the wait. A peer that closes
 * while we wait to write is seen through the write's error. Once closing is decided,
 * reading never pauses again: what the peer still sends is discarded until its FIN or
 * until the socket is destroyed.
 *
 * On a message-based stream (WebSocket), a message holding the end of one frame and the
 * start of another breaks RFC 7977 §5.1: `protocolError` gets `MSRP_ERR_MESSAGE_FRAMING`
 * and the stream is destroyed with it (a WebSocket closes with code 1002). A chunk split
 * across messages is accepted.
 */
export class Connection {
  /** The underlying stream. */
  readonly stream: ByteStream;
  /** Resolves once the stream has closed. */
  readonly whenClosed: Promise<void>;

  readonly #parser: Parser;
  readonly #handler: ConnectionHandler;
  /** Writes frames, honouring `drain`; full, it pauses reading. */
  readonly #writer: ConnectionWriter;
  readonly #idleTimeout: number;
  #idle: Deadline | undefined;
  readonly #frame: FrameDeadline;
  /** RFC 7977 §5.1 checks, on a message-based stream only. */
  readonly #framing: MessageFraming | undefined;
  #closed = false;
  /** Closing is decided: frames are no longer delivered, the handler was told. */
  #closing = false;
  #closeError: Error | undefined;
  /** Destroys the stream of a closing connection, soon. */
  readonly #closingTimer: ClosingTimer;
  #parserPaused = false;
  /** A head or body piece came in the push being read: the frame made progress. */
  #progress = false;
  #resolveClosed: () => void;

  /** Takes `stream` over: opens it, and closes it when the connection closes. */
  constructor(stream: ByteStream, handler: ConnectionHandler, options: ConnectionOptions = {}) {
    this.stream = stream;
    this.#closingTimer = new ClosingTimer(stream);
    this.#handler = handler;
    this.#idleTimeout = options.idleTimeout ?? 0;
    const frameTimeout = options.frameTimeout ?? 0;
    this.#frame = new FrameDeadline(frameTimeout, () => {
      // A frame made no progress: RFC 4975 §7.3 leaves this to us; the peer is cut off.
      if (this.#closing) return;
      const message = `A frame made no progress within ${frameTimeout} ms`;
      this.#fail(new MsrpError('MSRP_ERR_FRAME_TIMEOUT', message));
    });
    this.#framing = stream.messageFramed === true ? new MessageFraming() : undefined;
    // One object with methods as the parser's sink, the stream's listener and the writer's
    // host, not a closure per event: it is most of what an idle connection costs.
    const io = new ConnectionIo(this);
    this.#parser = new Parser(io, options);
    this.#writer = new ConnectionWriter(stream, options.maxWriteBuffer ?? 4 * 1024 * 1024, io);
    let closed!: () => void;
    this.whenClosed = new Promise((resolve) => (closed = resolve));
    this.#resolveClosed = closed;
    stream.open(io);
    this.#armIdle();
  }

  /** Whether the connection is closed (or closing): writes will fail. */
  get closed(): boolean {
    return this.#closing || this.#closed || !this.stream.writable;
  }

  /**
   * Writes one whole frame, not interleaved with others; resolves once the stream has room
   * (`ConnectionWriter.write`).
   * @throws {MsrpError} `MSRP_ERR_CONNECTION` when the connection is closed.
   */
  write(frame: readonly Uint8Array[]): Promise<void> {
    return this.#writer.write(frame);
  }

  /**
   * {@link write} without a promise: false when the stream is full; then await
   * {@link whenWritable} (`ConnectionWriter.tryWrite`). `lent`: parts are lent views.
   * @throws {MsrpError} `MSRP_ERR_CONNECTION` when the connection is closed.
   */
  tryWrite(frame: readonly Uint8Array[], lent = false): boolean {
    return this.#writer.tryWrite(frame, lent);
  }

  /**
   * Resolves once the stream has room for more, after any frame being written in parts;
   * rejects with `MSRP_ERR_CONNECTION` when the connection closes first.
   */
  whenWritable(): Promise<void> {
    return this.#writer.whenWritable();
  }

  /**
   * Whether the transport is message-based (WebSocket): each write is one message, so a
   * chunk must go out in one {@link write} (RFC 7977 §5.1), not in pieces.
   */
  get messageFramed(): boolean {
    return this.stream.messageFramed === true;
  }

  /** Whether the next byte read begins a frame: none under way or queued, reading, not closing. */
  get atFrameStart(): boolean {
    return !this.#closing && !this.#parserPaused && !this.#writer.full && !this.#parser.inFrame;
  }

  /** Whether reading is paused: by the handler (a false from a head or body) or a full writer. */
  get readingPaused(): boolean {
    return this.#parserPaused || this.#writer.full;
  }

  /** Sends what was written now, not with the rest of the turn ({@link ByteStream.flush}). */
  flushWrites(): void {
    this.stream.flush?.();
  }

  /** Bytes written and not yet handed to the peer (the stream's `bufferedAmount`). */
  get bufferedBytes(): number {
    return this.stream.bufferedAmount;
  }

  /**
   * Writes one piece of a frame its caller frames itself (one message each on a
   * {@link messageFramed} connection), bounding what it buffers by {@link bufferedBytes} and
   * {@link onDrain}; false when closed or full (`ConnectionWriter.writePiece`).
   * `lent`: `bytes` is a view lent with `lendRead`.
   */
  writePiece(bytes: Uint8Array, lent = false): boolean {
    return this.#writer.writePiece(bytes, lent);
  }

  /** Calls `listener` each time the buffered bytes have been handed to the peer. */
  onDrain(listener: () => void): void {
    this.#writer.onDrain(listener);
  }

  /**
   * Writes one frame in parts, waiting for `drain` between them, while other frames wait;
   * in one message on a {@link messageFramed} connection (`ConnectionWriter.writeParts`).
   */
  writeParts(
    head: Uint8Array,
    nextPart: () => Uint8Array | undefined,
    endLine: () => Uint8Array,
  ): Promise<void> {
    return this.#writer.writeParts(head, nextPart, endLine);
  }

  /** The peer's FIN, after its last byte. */
  #onEnd(): void {
    if (!this.#closing) {
      try {
        this.#parser.end();
      } catch (e) {
        this.#closeError ??= e as Error;
      }
    }
    // The peer is done; what we still have queued goes out, then the stream closes.
    this.#endSoon(2000, this.#closeError);
  }

  /** The parser forgets the header lines it remembers (see {@link Parser.forgetHeaders}). */
  forgetHeaders(): void {
    this.#parser.forgetHeaders();
  }

  /** Resumes reading after the handler paused the parser by returning false. */
  resume(): void {
    if (!this.#parserPaused || this.#closing) return;
    try {
      this.#parserPaused = !this.#parser.resume();
    } catch (e) {
      this.#fail(e);
      return;
    }
    this.#updateReading();
  }

  /**
   * Closes the connection: the handler is told at once (`closed`), frames stop and later
   * bytes from the peer are discarded; what is already queued is written, then FIN. The
   * socket is destroyed once the peer closed its side too, or shortly (100 ms) after our
   * last byte left, or at the latest after `graceMs` (default 2000) when the peer does not
   * read. `reason`, if given, is what the handler's `closed` gets.
   */
  close(graceMs = 2000, reason?: Error): Promise<void> {
    this.#endSoon(graceMs, reason);
    return this.whenClosed;
  }

  /** Closes at once, dropping queued writes. */
  destroy(error?: Error): void {
    if (error) this.#closeError ??= error;
    this.#beginClose(error);
    this.stream.destroy(error);
  }

  #read(bytes: Uint8Array): void {
    // Closing: read on only to see the peer's FIN; its bytes are of no use any more.
    if (this.#closing) return;
    this.#idle?.touch();
    try {
      this.#framing?.message(this.#parser.inFrame);
      this.#parserPaused = !this.#parser.push(bytes);
    } catch (e) {
      this.#fail(e);
      return;
    }
    this.#updateReading();
  }

  #fail(e: unknown): void {
    if (!(e instanceof MsrpError)) {
      this.destroy(e as Error);
      return;
    }
    this.#handler.protocolError(e);
    // A WebSocket closes with 1002 (RFC 6455 §7.4.1): at once for §5.1, else after its 400.
    if (e.code === 'MSRP_ERR_MESSAGE_FRAMING') this.destroy(e);
    else this.#endSoon(2000, e, e);
  }

  /** Closing is decided: stop delivering frames, tell the handler, drain the stream. */
  #beginClose(error?: Error): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#idle?.clear();
    this.#idle = undefined;
    this.#frame.clear();
    // Never leave a closing stream paused: the peer's FIN (or RST) must be seen.
    if (!this.#closed) this.stream.resume();
    this.#handler.closed(error);
  }

  /** Closing is decided: ends our side (telling the peer `peerBroke`), destroys it soon. */
  #endSoon(graceMs: number, reason?: Error, peerBroke?: MsrpError): void {
    this.#beginClose(reason);
    if (!this.#closed) this.#closingTimer.endSoon(graceMs, peerBroke);
  }

  #armIdle(): void {
    if (this.#idleTimeout <= 0 || this.#closing) return;
    this.#idle = new Deadline(this.#idleTimeout, () => {
      this.#idle = undefined;
      if (this.#closing) return;
      if (this.#handler.idle) this.#handler.idle();
      else void this.close();
      this.#armIdle();
    });
  }

  #updateReading(): void {
    if (this.#closing) return;
    const paused = this.#parserPaused || this.#writer.full;
    if (paused) this.stream.pause();
    else this.stream.resume();
    // frameTimeout counts only while a frame is under way and we read. Progress is marked
    // by the push's frames and timed here: one clock read per push, not one per frame.
    if (paused || !this.#parser.inFrame) this.#frame.stop();
    else if (this.#progress || !this.#frame.running) this.#frame.touch();
    this.#progress = false;
  }

  static {
    // Here, inside the class, it may reach the connection's private members.
    ConnectionIo = class implements FrameSink, ByteStreamEvents {
      readonly #c: Connection;
      constructor(connection: Connection) {
        this.#c = connection;
      }
      // Frames stop reaching the handler the moment closing is decided, even in the middle
      // of one pushed buffer: false pauses the parser, and nothing resumes it.
      // A head or a piece of body is progress of the frame; its end-line ends it.
      head(head: Head): boolean | void {
        const c = this.#c;
        if (c.#closing) return false;
        c.#framing?.head();
        c.#progress = true;
        return c.#handler.head(head);
      }
      body(part: Uint8Array): boolean | void {
        const c = this.#c;
        if (c.#closing) return false;
        c.#progress = true;
        return c.#handler.body(part);
      }
      end(flag?: ContinuationFlag): boolean | void {
        const c = this.#c;
        if (flag === undefined) {
          // The stream's end: the peer's FIN, after its last byte.
          c.#onEnd();
          return;
        }
        if (c.#closing) return false;
        c.#framing?.end();
        c.#frame.stop();
        return c.#handler.end(flag);
      }
      invalid(error: MsrpError): boolean | void {
        const c = this.#c;
        if (c.#closing) return false;
        c.#framing?.head();
        c.#framing?.end();
        c.#frame.stop();
        // Its 400, as for any protocol error; the frames after it are read on.
        c.#handler.protocolError(error);
      }
      data(bytes: Uint8Array): void {
        this.#c.#read(bytes);
      }
      holdsData(): boolean {
        // Only a parser paused, or still reading, keeps views of what it was given (a lent
        // piece given back while it reads must not free the buffer the rest lies in); a
        // closing one never reads on.
        const c = this.#c;
        return (c.#parserPaused || c.#parser.holdsViews) && !c.#closing;
      }
      drain(): void {
        this.#c.#writer.drained();
      }
      endWhilePaused(): void {
        const error = new MsrpError('MSRP_ERR_CONNECTION', 'The peer closed with bytes unread');
        this.#c.#endSoon(2000, error);
      }
      finished(): void {
        const c = this.#c;
        if (!c.#closed) c.#closingTimer.finished();
      }
      error(e: Error): void {
        this.#c.#closeError ??= e;
      }
      close(): void {
        const c = this.#c;
        if (c.#closed) return;
        c.#closed = true;
        c.#closingTimer.stop();
        c.#beginClose(c.#closeError);
        c.#writer.closed();
        c.#resolveClosed();
      }
      // The writer's host.
      get closed(): boolean {
        return this.#c.closed;
      }
      active(): void {
        this.#c.#idle?.touch();
      }
      fullChanged(): void {
        this.#c.#updateReading();
      }
    };
  }
}
