import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TlsServerOptions, WsSocket } from '@msrp-ts/msrp-core';
import { listenOn, peerName, WS_OPTIONS } from '@msrp-ts/msrp-core/internal';
import type { SecureContextTarget } from './tls-reload.js';
// Only the implementation uses `ws`: its types stay out of our .d.ts (no @types/ws needed).

/** How long a client whose handshake was refused may keep its side of the connection open. */
const REFUSED_GRACE_MS = 1000;

/** How a relay's WebSocket listener (RFC 7977) accepts upgrades. */
export interface WebSocketListenOptions {
  /** HTTP path upgrades are accepted on; others get 404. Default `/`. */
  path?: string;
  /**
   * Origins accepted, e.g. `https://chat.example.net` (compared as origins: scheme and host
   * in any case, a default port or a trailing `/` make no difference); other origins get
   * 403 at the handshake. A handshake without `Origin` (not from a browser) is not checked:
   * the check protects against web pages of other sites (RFC 6455 §10.2), and any other
   * client could send whatever `Origin` it likes. Default: any origin.
   */
  origins?: readonly string[];
}

/**
 * The origin `text` names, serialized as a browser sends it (RFC 6454 §6.2: lowercase scheme
 * and host, no default port, no path): `https://Chat.example.net/` is
 * `https://chat.example.net`. Undefined when it is no http(s) origin. An operator's
 * `https://chat.example.net/` matched no browser, and every page got 403.
 */
export function webOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
}

/** What {@link listenWebSocket} needs. */
export interface WebSocketListenerConfig extends WebSocketListenOptions {
  host: string;
  port: number;
  /** Certificate and key: `wss:` instead of `ws:`. */
  tls?: TlsServerOptions;
  /** Largest WebSocket message; a larger one closes its connection with 1009. */
  maxPayload: number;
  /**
   * Whether to refuse a handshake from this address with 503, there being no room for its
   * connection now (the refusal is counted and logged by this call).
   */
  full(address: string, remote: string): boolean;
  /** An upgraded connection, with the TCP peer's address. */
  accept(socket: WsSocket, address: string, remote: string): void;
  /** A handshake was refused (for logs). */
  refused(remote: string, why: string): void;
  /** With `tls`: a client's TLS handshake failed (for logs); its socket is destroyed. */
  tlsError(error: Error, socket: TLSSocket): void;
}

/** A bound WebSocket listener. */
export interface WebSocketListening {
  readonly host: string;
  readonly port: number;
  /** With `tls`: the HTTPS server, whose certificate can be replaced (wss:). */
  readonly secureContextTarget?: SecureContextTarget;
  /** Stops accepting (upgraded connections are the relay's to close). */
  close(): Promise<void>;
}

/**
 * Listens for MSRP over WebSocket (RFC 7977): an HTTP(S) server whose upgrades on `path`
 * become WebSocket connections, with the `msrp` subprotocol only.
 */
export async function listenWebSocket(
  config: WebSocketListenerConfig,
): Promise<WebSocketListening> {
  // Loaded by the first WebSocket listener: importing `ws` costs about 10 MiB of memory,
  // which a relay that only listens on TCP should not pay.
  // So are node:http and node:https (~2-4 MiB of file-backed RSS: the node binary's pages).
  const { WebSocketServer } = await import('ws');
  const https =
    config.tls &&
    process
      .getBuiltinModule('node:https')
      .createServer({ cert: config.tls.cert, key: config.tls.key });
  const server = https || process.getBuiltinModule('node:http').createServer();
  // Unheard, a failed handshake (http:// to the wss port, a certificate the browser refuses)
  // left the operator nothing to go on.
  if (https) https.on('tlsClientError', (error, socket) => config.tlsError(error, socket));
  // Plain HTTP requests get nothing here but a 426.
  server.on('request', (_req, res) => {
    res.writeHead(426, { Connection: 'close', Upgrade: 'websocket' }).end();
  });
  const path = config.path ?? '/';
  const origins = config.origins && new Set(config.origins.map((o) => webOrigin(o) ?? o));
  const wss = new WebSocketServer({
    // No deflate (chunks are mostly file bytes), no UTF-8 check of text messages: they are
    // MSRP bytes like binary ones, and a chunk may end inside a character (RFC 7977 §4.2).
    ...WS_OPTIONS,
    noServer: true,
    maxPayload: config.maxPayload,
    // RFC 7977 §4.1: the client MUST offer `msrp`; the server selects it or fails.
    handleProtocols: (offered) => (offered.has('msrp') ? 'msrp' : false),
  });
  const remoteOf = (req: IncomingMessage): string =>
    peerName(req.socket.remoteAddress ?? '?', req.socket.remotePort);
  // Connections that are not (yet) WebSocket ones, by peer address (the TCP socket, also for
  // wss: one still in its TLS handshake counts): closing the listener ends them, else one
  // that never sends a request holds server.close, and the relay's shutdown, for ever.
  const notUpgraded = new Map<string, Socket>();
  const key = (socket: Socket): string => `${socket.remoteAddress}:${socket.remotePort}`;
  server.on('connection', (socket: Socket) => {
    const peer = key(socket);
    notUpgraded.set(peer, socket);
    socket.once('close', () => notUpgraded.get(peer) === socket && notUpgraded.delete(peer));
  });
  server.on('upgrade', (req, socket, head) => {
    notUpgraded.delete(key(req.socket));
    const remote = remoteOf(req);
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, why: string, logged = false): void => {
      if (!logged) config.refused(remote, why);
      // RFC 9112 §9.6: having sent `Connection: close`, the server MUST close the connection,
      // in stages: a half-close, then a full close once the client closed too or had time to
      // read the answer. The half-close alone let a client that kept its side open hold the
      // socket, and the listener's close (the relay's shutdown), for ever.
      const timer = setTimeout(() => socket.destroy(), REFUSED_GRACE_MS);
      socket.once('close', () => clearTimeout(timer));
      socket.end(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = new URL(req.url ?? '/', 'http://relay');
    if (url.pathname !== path) return refuse(404, 'Not Found');
    const origin = req.headers.origin;
    if (origins && origin !== undefined && !origins.has(webOrigin(origin) ?? origin))
      return refuse(403, 'Forbidden');
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    // RFC 7977 §4.1: no `msrp` subprotocol, no MSRP.
    if (!offered.includes('msrp')) return refuse(400, 'Bad Request');
    const address = req.socket.remoteAddress ?? '?';
    if (config.full(address, remote)) return refuse(503, 'Service Unavailable', true);
    wss.handleUpgrade(req, socket, head, (ws) => config.accept(ws, address, remote));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await listenOn(server, config.host, config.port);
  const bound = server.address();
  if (bound === null || typeof bound === 'string') {
    server.close();
    throw new Error('WebSocket listener has no address');
  }
  return {
    host: bound.address,
    port: bound.port,
    ...(https && { secureContextTarget: https }),
    close: async () => {
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of notUpgraded.values()) socket.destroy();
      await closed;
    },
  };
}
