import type { WebSocket } from 'ws';
import { hookedWebSocketStream, type WebSocketStreamOptions } from '../browser/websocket-stream.js';
import type { ByteStream } from '../transport/byte-stream.js';

/** The `net.Socket` under a `ws` WebSocket (not in its public types). */
interface UnderlyingSocket {
  readonly _socket?: {
    readonly remoteAddress?: string;
    readonly remotePort?: number;
    readonly localAddress?: string;
  } | null;
}

/**
 * A {@link ByteStream} over an open WebSocket of the `ws` package (RFC 7977), server side (a
 * `WebSocketServer`'s connection) or client side: `webSocketStream` with what `ws` does
 * better than a browser. `drain` comes from the send callbacks instead of polling, and
 * `pause()` pauses the socket itself (`ws` >= 8), so a paused stream holds at most what was
 * already read. One `write` is one message (RFC 7977 §5.1); text and binary messages are
 * both bytes (§4.2). The server should accept only the `msrp` subprotocol (§4.1:
 * `handleProtocols`).
 * @param remote Names the peer in logs. Default: the TCP peer's `address:port`, else `?`.
 */
export function wsStream(
  socket: WebSocket,
  remote?: string,
  options: Omit<WebSocketStreamOptions, 'remote'> = {},
): ByteStream {
  const tcp = (socket as unknown as UnderlyingSocket)._socket ?? undefined;
  const remoteAddress = tcp?.remoteAddress;
  return hookedWebSocketStream(
    socket,
    {
      ...options,
      remote:
        remote ??
        (remoteAddress === undefined ? '?' : `${remoteAddress}:${tcp?.remotePort ?? '?'}`),
    },
    {
      send: (bytes, sent) => socket.send(bytes, () => sent()),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      remoteAddress,
      localAddress: tcp?.localAddress,
    },
  );
}
