import type { Duplex } from 'node:stream';
import { MsrpError } from '../errors.js';
import { Parser, type FrameSink, type ParserOptions } from '../wire/parser.js';

/** What a {@link Connection} reports to its owner (an endpoint or a relay). */
export interface ConnectionHandler extends FrameSink {
  /**
   * The peer sent bytes that cannot be parsed. The connection stops reading and is closed
   * after this returns; the handler may still write a response (e.g. 400) before that.
   */
  protocolError(error: MsrpError): void;
  /** The connection closed; `error` says why when it was not a clean close. */
  closed(error?: Error): void;
}

/** Limits of a {@link Connection}. */
export interface ConnectionOptions extends ParserOptions {
  /**
   * Bytes we may have queued for the peer before we stop reading from it: a peer that
   * sends requests but does not read our responses cannot make us buffer more. Default 4 MiB.
   */
  maxWriteBuffer?: number;
}

/**
 * One MSRP connection over any Node Duplex (`net.Socket`, `tls.TLSSocket`, a WebSocket
 * stream): it feeds the parser, writes whole frames, and applies backpressure both ways.
 */
export class Connection {
  /** The underlying stream. */
  readonly socket: Duplex;
  /** Resolves once the connection has closed. */
  readonly whenClosed: Promise<void>;

  readonly #parser: Parser;
  readonly #handler: ConnectionHandler;
  readonly #maxWriteBuffer: number;
  #closed = false;
  #parserPaused = false;
  #writePaused = false;
  #drain: Promise<void> | undefined;
  #corked = false;
  /** Set while a frame is written in parts; other frames queue in the backlog. */
  #exclusive: Promise<void> | undefined;
  readonly #backlog: {
    frame: readonly Uint8Array[];
    resolve: () => void;
    reject: (e: Error) => void;
  }[] = [];

  constructor(socket: Duplex, handler: ConnectionHandler, options: ConnectionOptions = {}) {
    this.socket = socket;
    this.#handler = handler;
    this.#maxWriteBuffer = options.maxWriteBuffer ?? 4 * 1024 * 1024;
    this.#parser = new Parser(handler, options);
    let closeError: Error | undefined;
    this.whenClosed = new Promise((resolve) => {
      socket.once('close', () => {
        this.#closed = true;
        handler.closed(closeError);
        resolve();
      });
    });
    socket.on('error', (e: Error) => {
      closeError ??= e;
    });
    socket.on('data', (bytes: Buffer) => this.#read(bytes));
    socket.on('end', () => {
      try {
        this.#parser.end();
      } catch (e) {
        closeError ??= e as Error;
      }
      socket.end();
    });
    socket.on('drain', () => {
      if (this.#writePaused) {
        this.#writePaused = false;
        this.#updateReading();
      }
    });
  }

  /** Whether the connection is closed (or closing): writes will fail. */
  get closed(): boolean {
    return this.#closed || this.socket.destroyed || this.socket.writableEnded;
  }

  /**
   * Writes one whole frame (head, body, end-line) without interleaving it with others.
   * Resolves at once while the socket has room, otherwise once it drains: await it before
   * writing more, so that a fast sender never queues unbounded bytes.
   * @throws {MsrpError} `MSRP_ERR_CONNECTION` when the connection is closed.
   */
  write(frame: readonly Uint8Array[]): Promise<void> {
    if (this.closed) {
      return Promise.reject(new MsrpError('MSRP_ERR_CONNECTION', 'Connection is closed'));
    }
    if (this.#exclusive) {
      // A frame is being written in parts: this one goes out right after it.
      return new Promise((resolve, reject) => this.#backlog.push({ frame, resolve, reject }));
    }
    const socket = this.socket;
    if (!this.#corked) {
      // Frames written in the same tick (e.g. the responses to every chunk of one socket
      // read) leave in one writev when the tick ends.
      this.#corked = true;
      socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        socket.uncork();
      });
    }
    let room = true;
    for (const bytes of frame) room = socket.write(bytes);
    if (room) return Promise.resolve();
    if (socket.writableLength > this.#maxWriteBuffer && !this.#writePaused) {
      this.#writePaused = true;
      this.#updateReading();
    }
    return (this.#drain ??= this.#waitForDrain());
  }

  /**
   * Writes one frame in parts, waiting for `drain` between them, while other frames wait:
   * how a large chunk stays interruptible (RFC 4975 §7.1). `nextPart` returns the next body
   * piece, or undefined to stop; `endLine` then gives the end-line for what was written.
   */
  async writeParts(
    head: Uint8Array,
    nextPart: () => Uint8Array | undefined,
    endLine: () => Uint8Array,
  ): Promise<void> {
    while (this.#exclusive) await this.#exclusive;
    let release!: () => void;
    this.#exclusive = new Promise<void>((resolve) => (release = resolve));
    try {
      await this.#writeDirect([head]);
      for (let part = nextPart(); part !== undefined; part = nextPart())
        await this.#writeDirect([part]);
      await this.#writeDirect([endLine()]);
    } finally {
      this.#exclusive = undefined;
      release();
      const backlog = this.#backlog.splice(0);
      for (const { frame, resolve, reject } of backlog) this.write(frame).then(resolve, reject);
    }
  }

  #writeDirect(frame: readonly Uint8Array[]): Promise<void> {
    const exclusive = this.#exclusive;
    this.#exclusive = undefined;
    try {
      return this.write(frame);
    } finally {
      this.#exclusive = exclusive;
    }
  }

  #waitForDrain(): Promise<void> {
    // Plain listeners, removed each time: racing `once(drain)` against the long-lived
    // `whenClosed` promise would leave one reaction on it per wait, for the connection's life.
    const socket = this.socket;
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        socket.off('drain', done).off('close', done);
        this.#drain = undefined;
        if (this.closed)
          reject(new MsrpError('MSRP_ERR_CONNECTION', 'Connection closed while writing'));
        else resolve();
      };
      socket.on('drain', done).on('close', done);
    });
  }

  /** Resumes reading after the handler paused the parser by returning false. */
  resume(): void {
    if (!this.#parserPaused || this.#closed) return;
    try {
      this.#parserPaused = !this.#parser.resume();
    } catch (e) {
      this.#fail(e);
      return;
    }
    this.#updateReading();
  }

  /**
   * Ends the connection gracefully (after queued writes); destroys it if the peer has not
   * closed its side within `graceMs` (default 2000).
   */
  close(graceMs = 2000): Promise<void> {
    if (!this.socket.writableEnded) this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), graceMs);
    timer.unref();
    return this.whenClosed.finally(() => clearTimeout(timer));
  }

  /** Closes at once, dropping queued writes. */
  destroy(error?: Error): void {
    this.socket.destroy(error);
  }

  #read(bytes: Buffer): void {
    if (this.#closed) return;
    try {
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
    this.socket.pause();
    this.#handler.protocolError(e);
    void this.close();
  }

  #updateReading(): void {
    if (this.#parserPaused || this.#writePaused) this.socket.pause();
    else if (!this.#closed) this.socket.resume();
  }
}
