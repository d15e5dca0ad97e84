import {
  hookedWebSocketStream,
  type WebSocketLike,
  type WebSocketStreamOptions,
} from '../browser/websocket-stream.js';
import type { ByteStream } from '../transport/byte-stream.js';

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
}

/** The `net.Socket` under a `ws` WebSocket (not in its public types). */
interface TcpSocket {
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly localAddress?: string;
}

/**
 * A {@link ByteStream} over a WebSocket of the `ws` package (RFC 7977), server side (a
 * `WebSocketServer`'s connection) or client side: `webSocketStream` with what `ws` does
 * better than a browser. `drain` comes from the send callbacks instead of polling, and
 * `pause()` pauses the socket itself (`ws` >= 8), so a paused stream holds at most what was
 * already read. One `write` is one message (RFC 7977 §5.1); text and binary messages are
 * both bytes (§4.2). The server should accept only the `msrp` subprotocol (§4.1:
 * `handleProtocols`).
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
  return hookedWebSocketStream(
    socket,
    {
      ...options,
      remote: remote ?? (address === undefined ? '?' : `${address}:${tcp()?.remotePort ?? '?'}`),
    },
    {
      send: (bytes, sent) => socket.send(bytes, () => sent()),
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
