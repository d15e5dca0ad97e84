import {
  hookedWebSocketStream,
  oneMessage,
  type WebSocketLike,
  type WebSocketStreamOptions,
} from '../browser/websocket-stream.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { wsFrameWriter } from './ws-frame-writer.js';

/**
 * The parts of a `ws` package WebSocket (>= 8) that {@link wsStream} uses, named here so that
 * our published types do not need `@types/ws`.
 */
export interface WsSocket extends WebSocketLike {
  /** Sends one message; `callback` once it was handed to the network (or failed). */
  send(data: Uint8Array<ArrayBuffer>, callback?: (error?: Error) => void): void;
  /** Stops reading the TCP socket. */
  pause(): void;
  resume(): void;
  /** Destroys the TCP socket at once. */
  terminate(): void;
  /** `ws`'s own message event: the message's raw bytes, text or binary. */
  on(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown;
}

/**
 * Options every `ws` WebSocket that carries MSRP needs, server (`new WebSocketServer({
 * ...WS_OPTIONS, handleProtocols })`) or client (`dialWs` uses them): no per-message
 * compression (chunks are mostly file bytes, often compressed already), and no UTF-8 check
 * of text messages, whose bytes are MSRP bytes (RFC 7977 §4.2): a chunk body in a text
 * message need not be UTF-8, and `ws` would otherwise close such a connection with 1007.
 */
export const WS_OPTIONS = {
  perMessageDeflate: false,
  skipUTF8Validation: true,
} as const;

/** The `net.Socket` under a `ws` WebSocket (not in its public types). */
interface TcpSocket {
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly localAddress?: string;
}

/**
 * A {@link ByteStream} over a WebSocket of the `ws` package (RFC 7977), server side (a
 * `WebSocketServer`'s connection) or client side: `webSocketStream` with what `ws` does
 * better than a browser. The messages of one turn of the event loop leave in one `writev` at
 * its end (or at `flush`), as over TCP. `drain` comes from the send callbacks instead of
 * polling, and `pause()` pauses the socket itself (`ws` >= 8), so a paused stream holds at
 * most what was already read. One `write` is one message (RFC 7977 §5.1); text and binary
 * messages are both taken as their raw bytes (§4.2), read from `ws`'s own `message` event (the
 * socket's `binaryType` is set to `nodebuffer`): create the server with {@link WS_OPTIONS} so
 * that `ws` does not refuse text that is not UTF-8. The server should accept only the `msrp`
 * subprotocol (§4.1: `handleProtocols`).
 * @param remote Names the peer in logs. Default: the TCP peer's `address:port`, else `?`.
 */
export function wsStream(
  socket: WsSocket,
  remote?: string,
  options: Omit<WebSocketStreamOptions, 'remote'> = {},
): ByteStream {
  // Read when asked: a socket we dial has no TCP socket until it connects.
  const tcp = (): TcpSocket | undefined =>
    (socket as unknown as { _socket?: TcpSocket | null })._socket ?? undefined;
  const address = tcp()?.remoteAddress;
  // Buffers, as read: no copy into an ArrayBuffer, and text is not decoded to a string.
  socket.binaryType = 'nodebuffer';
  // Fewer copies than `send` (see ws-frame-writer.ts), where ws's internals allow it.
  const frames = wsFrameWriter(socket);
  return hookedWebSocketStream(
    socket,
    {
      ...options,
      remote: remote ?? (address === undefined ? '?' : `${address}:${tcp()?.remotePort ?? '?'}`),
    },
    {
      listen: (deliver) => socket.on('message', (data) => deliver(data)),
      send: (parts, sent) => {
        if (!frames?.write(parts, sent)) socket.send(oneMessage(parts), () => sent());
      },
      flush: frames?.flush,
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      terminate: () => socket.terminate(),
      get remoteAddress() {
        return tcp()?.remoteAddress;
      },
      get localAddress() {
        return tcp()?.localAddress;
      },
    },
  );
}
