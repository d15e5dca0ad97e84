// A ws WebSocketServer on 127.0.0.1 (port 0) for the RFC 7977 tests, plain or over TLS.
import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { parseUri, unreachableHost, WS_OPTIONS, type MsrpUri } from '../../src/index.js';

export interface WsServer {
  readonly wss: WebSocketServer;
  readonly port: number;
  /** Every message the server received, as text. */
  readonly received: string[];
  /** Every message the server received, as its bytes. */
  readonly raw: Buffer[];
  /** Terminates every connection and stops listening. */
  close(): Promise<void>;
}

export interface WsServerOptions {
  /** Which offered subprotocol to select. Default: `msrp` when offered, else none. */
  selectProtocol?: (offered: Set<string>) => string | false;
  /** Listen for wss: with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
}

const decoder = new TextDecoder();

export async function wsServer(
  onConnection: (socket: WebSocket) => void,
  options: WsServerOptions = {},
): Promise<WsServer> {
  const handleProtocols =
    options.selectProtocol ?? ((offered: Set<string>) => (offered.has('msrp') ? 'msrp' : false));
  const https = options.tls && createServer(options.tls);
  const wss = https
    ? new WebSocketServer({ server: https, ...WS_OPTIONS, handleProtocols })
    : new WebSocketServer({ host: '127.0.0.1', port: 0, ...WS_OPTIONS, handleProtocols });
  if (https) https.listen(0, '127.0.0.1');
  await once(https ?? wss, 'listening');
  const received: string[] = [];
  const raw: Buffer[] = [];
  wss.on('connection', (socket) => {
    socket.on('message', (data: RawData) => {
      raw.push(data as Buffer);
      received.push(decoder.decode(data as Buffer));
    });
    onConnection(socket);
  });
  const port = ((https ?? wss).address() as AddressInfo).port;
  return {
    wss,
    port,
    received,
    raw,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
      if (https) {
        https.closeAllConnections();
        await new Promise((resolve) => https.close(resolve));
      }
    },
  };
}

/** A URI as RFC 7977 §7 writes it: `msrp://host:port/session-id;ws` (or msrps). */
export function wsUri(port: number, sessionId: string, scheme = 'msrp'): MsrpUri {
  return parseUri(`${scheme}://127.0.0.1:${port}/${sessionId};ws`);
}

/** Our own URI as a WebSocket client's (RFC 7977 §8.1.1): unreachable, transport ws. */
export function clientUri(sessionId: string): MsrpUri {
  return parseUri(`msrp://${unreachableHost()}:2855/${sessionId};ws`);
}
