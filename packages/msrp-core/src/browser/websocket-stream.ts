import { MsrpError } from '../errors.js';
import { backgroundTimer, type Timer } from '../events/timers.js';
import type { ByteStream, ByteStreamEvents } from '../transport/byte-stream.js';
import { returnReads } from '../transport/lent-reads.js';
import { concatBytes, unsharedBytes } from '../wire/bytes.js';

/**
 * The parts of a standard WebSocket that {@link webSocketStream} uses: a browser's (and Node
 * 22's) global `WebSocket` and the `ws` package's `WebSocket` both fit.
 */
export interface WebSocketLike {
  /** Set to `'arraybuffer'` by the stream. */
  binaryType: string;
  readonly bufferedAmount: number;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** The subprotocol the server selected: `'msrp'` for MSRP (RFC 7977 §4.1). */
  readonly protocol: string;
  readonly url: string;
  send(data: Uint8Array<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  /** A browser's error event says nothing; `ws`'s has a `message`. */
  addEventListener(type: 'error', listener: (event: object) => void): void;
  addEventListener(
    type: 'close',
    listener: (event: { readonly code: number; readonly reason: string }) => void,
  ): void;
}

/** Options of {@link webSocketStream}. */
export interface WebSocketStreamOptions {
  /**
   * `write` returns false once more than this many bytes wait in the socket
   * (`bufferedAmount`); `drain` follows when they went below it. Default 1 MiB.
   */
  highWaterMark?: number;
  /** Names the peer in logs. Default: the socket's URL. */
  remote?: string;
}

/**
 * How a runtime's WebSocket does better than the standard one (`node/ws-stream.ts`): a send
 * callback instead of polling for drain, and a socket that stops reading when paused.
 * @internal
 */
export interface WebSocketStreamHooks {
  /**
   * Listens for messages itself, handing over each one's bytes, text or binary, instead of
   * the standard `message` event (whose text is a decoded string).
   */
  listen?(deliver: (data: unknown) => void): void;
  /**
   * Sends the parts as one message (joined or not: the hook's choice); calls `sent` once it
   * was handed to the network.
   */
  send?(parts: readonly Uint8Array[], sent: () => void): void;
  /** Hands what `send` gathered to the network now (`ByteStream.flush`). */
  flush?(): void;
  pause?(): void;
  resume?(): void;
  /** Drops the connection at once, without the closing handshake. */
  terminate?(): void;
  readonly remoteAddress?: string | undefined;
  readonly localAddress?: string | undefined;
}

/** How often `bufferedAmount` is looked at while we wait for it to fall (no drain event). */
const POLL_MS = 5;
const OPEN = 1;
const CLOSED = 3;
const ENCODER = new TextEncoder();
/** RFC 6455 §7.4.1: the peer violated the protocol (here MSRP's, e.g. RFC 7977 §5.1). */
const PROTOCOL_ERROR = 1002;
/** How long a close with a code waits for the peer's closing handshake before dropping. */
const CLOSE_HANDSHAKE_MS = 1000;
/** RFC 6455 §5.5: a close reason fits a control frame, 123 bytes after the code. */
const MAX_REASON_BYTES = 123;

/**
 * A {@link ByteStream} over an open WebSocket (RFC 7977), in a browser or anywhere a standard
 * WebSocket exists. Binary and text messages are both taken as bytes (§4.2; text as its
 * UTF-8: a browser's WebSocket itself closes the connection, 1007, on a text message that is
 * not valid UTF-8, before we see it; `wsStream` on Node takes a text message's raw bytes).
 * Each `write(parts)` is sent as ONE message, the parts joined: a `Connection.write` of a
 * whole frame is one chunk in one message, as RFC 7977 §5.1 requires. The stream says so
 * (`messageFramed`): sessions then write every chunk whole (at most 256 KiB) and
 * `Connection.writeParts` joins its parts; `Connection.writePiece` is one message per call,
 * so its callers (a relay) must write whole frames.
 *
 * Backpressure out: `write` returns false above `highWaterMark` buffered bytes, and since a
 * WebSocket has no drain event, `bufferedAmount` is polled (every 5 ms) until it falls.
 * Backpressure in: a browser cannot stop a WebSocket from receiving, so while paused the
 * messages are held here; what is held is bounded only by what the peer may have in flight
 * under the connection's own limits (its chunk size, message size and write buffer), not by
 * the stream.
 *
 * `end()` closes with code 1000 once every queued byte left; `destroy()` closes at once.
 * With an {@link MsrpError} (the peer broke the protocol), both close with code 1002 (1000
 * where the WebSocket refuses 1002 from scripts, as browsers do) and the error's message as
 * reason; after `destroy(error)` the peer gets 1 s to answer the close. `destroy()` with
 * another error or none drops the connection, or where it cannot (a browser), closes with
 * 1000 and that error's message, if any, as reason.
 * The socket's `close` event is the peer's end: `end` (or `endWhilePaused` when messages are
 * held), then `close`.
 */
export function webSocketStream(
  socket: WebSocketLike,
  options: WebSocketStreamOptions = {},
): ByteStream {
  return new WebSocketStream(socket, options, {});
}

/** {@link webSocketStream} with a runtime's hooks. @internal */
export function hookedWebSocketStream(
  socket: WebSocketLike,
  options: WebSocketStreamOptions,
  hooks: WebSocketStreamHooks,
): ByteStream {
  return new WebSocketStream(socket, options, hooks);
}

class WebSocketStream implements ByteStream {
  readonly remote: string;
  readonly messageFramed = true;
  readonly #socket: WebSocketLike;
  readonly #hooks: WebSocketStreamHooks;
  readonly #highWaterMark: number;
  #events: ByteStreamEvents | undefined;
  /** Messages received while paused (or before open), in order. */
  readonly #held: Uint8Array[] = [];
  #paused = false;
  #delivering = false;
  #ended = false;
  #closed = false;
  /** The protocol error that `end(error)` closes with, once every queued byte left. */
  #endError: MsrpError | undefined;
  #peerClosed = false;
  #waitingDrain = false;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #earlyError: Error | undefined;
  #errored = false;
  #cleanClose = true;
  /** Drops the connection when the peer does not answer our close with a code. */
  #closeTimer: Timer | undefined;

  constructor(socket: WebSocketLike, options: WebSocketStreamOptions, hooks: WebSocketStreamHooks) {
    this.#socket = socket;
    this.#hooks = hooks;
    this.#highWaterMark = options.highWaterMark ?? 1024 * 1024;
    this.remote = options.remote ?? socket.url;
    // Listen at once: messages and errors that come before open() are kept for it.
    if (hooks.listen) hooks.listen((data) => this.#message(data));
    else {
      socket.binaryType = 'arraybuffer';
      socket.addEventListener('message', (event) => this.#message(event.data));
    }
    socket.addEventListener('error', (event) => {
      const { message } = event as { message?: unknown };
      this.#error(typeof message === 'string' ? message : undefined);
    });
    socket.addEventListener('close', (event) => this.#peerClose(event.code, event.reason));
  }

  get remoteAddress(): string | undefined {
    return this.#hooks.remoteAddress;
  }

  get localAddress(): string | undefined {
    return this.#hooks.localAddress;
  }

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  get writable(): boolean {
    return !this.#ended && !this.#closed && this.#socket.readyState === OPEN;
  }

  open(events: ByteStreamEvents): void {
    this.#events = events;
    if (this.#earlyError) events.error(this.#earlyError);
    this.#deliver();
    if (this.#peerClosed || this.#socket.readyState === CLOSED)
      queueMicrotask(() => this.#finish());
  }

  write(parts: readonly Uint8Array[], lent = false): boolean {
    if (!this.writable) {
      if (lent) returnReads(parts);
      return false;
    }
    // RFC 7977 §5.1: one chunk per message, never more than one.
    if (this.#hooks.send) {
      this.#hooks.send(parts, () => {
        if (lent) returnReads(parts);
        this.#checkDrain();
      });
    } else {
      // A browser's WebSocket copies what it sends (and never reads into buffers used again).
      this.#socket.send(oneMessage(parts));
    }
    if (this.#socket.bufferedAmount <= this.#highWaterMark) return true;
    this.#waitingDrain = true;
    if (!this.#hooks.send) this.#poll();
    return false;
  }

  flush(): void {
    this.#hooks.flush?.();
  }

  pause(): void {
    this.#paused = true;
    this.#hooks.pause?.();
  }

  resume(): void {
    if (this.#closed) return;
    this.#paused = false;
    this.#hooks.resume?.();
    this.#deliver();
  }

  end(error?: Error): void {
    if (this.#ended || this.#closed) return;
    this.#ended = true;
    if (error instanceof MsrpError) this.#endError = error;
    this.#poll();
  }

  destroy(error?: Error): void {
    if (this.#closed) return;
    const hooks = this.#hooks;
    if (error instanceof MsrpError && this.#socket.readyState <= OPEN) {
      // The peer broke the protocol: say so, rather than just dropping it.
      this.#closeSocket(error);
      if (hooks.terminate)
        this.#closeTimer = backgroundTimer(() => hooks.terminate?.(), CLOSE_HANDSHAKE_MS);
    } else if (hooks.terminate) hooks.terminate();
    else if (this.#socket.readyState <= OPEN) this.#closeNormally(error);
    if (error) this.#events?.error(error);
    this.#held.length = 0;
    this.#close();
  }

  #message(data: unknown): void {
    if (this.#closed) return;
    // RFC 7977 §4.2: text and binary messages alike carry MSRP bytes.
    const bytes =
      typeof data === 'string'
        ? ENCODER.encode(data)
        : data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : ArrayBuffer.isView(data)
            ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
            : undefined;
    if (!bytes) {
      this.destroy(new Error('WebSocket error: a message that is not bytes or text'));
      return;
    }
    this.#held.push(bytes);
    this.#deliver();
  }

  /** Hands held messages over until paused; re-entrant calls leave it to the running one. */
  #deliver(): void {
    const events = this.#events;
    if (!events || this.#delivering) return;
    this.#delivering = true;
    try {
      while (!this.#paused && !this.#closed && this.#held.length > 0)
        events.data(this.#held.shift()!);
    } finally {
      this.#delivering = false;
    }
  }

  #error(message: string | undefined): void {
    if (this.#closed) return;
    this.#errored = true;
    const error = new Error(`WebSocket error: ${message ?? 'connection failed'}`);
    if (this.#events) this.#events.error(error);
    else this.#earlyError ??= error;
  }

  #peerClose(code: number, reason: string): void {
    this.#peerClosed = true;
    clearTimeout(this.#closeTimer);
    // 1000 normal, 1001 going away, 1005 no status: the peer's end; anything else (1006 the
    // connection dropped, 1002 protocol error...) is an error, like a TCP reset: no end.
    this.#cleanClose = code === 1000 || code === 1001 || code === 1005;
    if (!this.#cleanClose && !this.#errored)
      this.#error(`closed with code ${code}${reason ? ` (${reason})` : ''}`);
    if (this.#events) this.#finish();
  }

  /** The socket closed: deliver what may be, then end (or endWhilePaused) and close. */
  #finish(): void {
    const events = this.#events;
    if (this.#closed || !events) return;
    if (this.#cleanClose) {
      this.#deliver();
      if (this.#held.length > 0) events.endWhilePaused();
      else events.end();
    }
    this.#close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#pollTimer);
    if (this.#events) {
      const events = this.#events;
      queueMicrotask(() => events.close());
    }
  }

  #checkDrain(): void {
    if (!this.#waitingDrain || this.#closed) return;
    if (this.#socket.bufferedAmount > this.#highWaterMark) return;
    this.#waitingDrain = false;
    this.#events?.drain();
  }

  /** Polls `bufferedAmount`: for drain after a full write, for the last byte after end(). */
  #poll(): void {
    if (this.#pollTimer !== undefined || this.#closed) return;
    const tick = (): void => {
      this.#pollTimer = undefined;
      if (this.#closed) return;
      if (!this.#hooks.send) this.#checkDrain();
      if (this.#ended && this.#socket.bufferedAmount === 0) {
        if (this.#socket.readyState <= OPEN) this.#closeSocket(this.#endError);
        this.#events?.finished();
        return;
      }
      if (this.#waitingDrain || this.#ended) this.#pollTimer = setTimeout(tick, POLL_MS);
    };
    this.#pollTimer = setTimeout(tick, this.#ended && this.bufferedAmount === 0 ? 0 : POLL_MS);
  }

  /**
   * Closes with a code, RFC 6455 §7.4.1: 1000 (normal), or 1002 (protocol error) and the
   * error's message as reason when the peer broke the protocol (MSRP's, e.g. RFC 7977 §5.1).
   */
  #closeSocket(error: MsrpError | undefined): void {
    if (!error) return this.#socket.close(1000);
    const reason = closeReason(error.message);
    try {
      this.#socket.close(PROTOCOL_ERROR, reason);
    } catch {
      // A browser's WebSocket takes only 1000 and 3000-4999 from scripts: keep the reason.
      this.#socket.close(1000, reason);
    }
  }

  /**
   * Closes with 1000 (RFC 6455 §7.4.1, normal closure) and `error`'s message as reason, if
   * any: without a code the peer sees 1005 (no status), and a browser takes no other code
   * that fits from a script (only 1000 and 3000-4999).
   */
  #closeNormally(error: Error | undefined): void {
    if (error) this.#socket.close(1000, closeReason(error.message));
    else this.#socket.close(1000);
  }
}

/** `message` cut to a close frame's reason (UTF-8, at most 123 bytes). */
function closeReason(message: string): string {
  let reason = message.slice(0, MAX_REASON_BYTES);
  while (ENCODER.encode(reason).length > MAX_REASON_BYTES) reason = reason.slice(0, -1);
  return reason;
}

/** The parts as one view of an ArrayBuffer (a WebSocket cannot send a shared buffer). @internal */
export function oneMessage(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  return parts.length === 1 ? unsharedBytes(parts[0]!) : concatBytes(parts);
}
