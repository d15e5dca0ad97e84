// The web chat's server (what `pnpm demo:web` runs): an msrp-relay listening on WebSocket for
// pages and on TCP for terminals, and an HTTP server with the page, its script (bundled by
// esbuild at startup), the page's configuration and the rendezvous (rendezvous.ts).
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { formatUri, type MsrpUri } from '@msrp-ts/msrp-core';
import { Relay, StaticCredentialStore, type RelayLogger } from '@msrp-ts/msrp-relay';
import type { RoomEntry, WebChatConfig } from './api.js';
import { Rendezvous } from './rendezvous.js';

/** A demo account of the relay. */
export interface DemoUser {
  readonly username: string;
  readonly password: string;
}

/** The embedded demo accounts: printed by `pnpm demo:web`, never for real use. */
export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'alice', password: 'alice-demo-password' },
  { username: 'bob', password: 'bob-demo-password' },
  { username: 'carol', password: 'carol-demo-password' },
];

/** Options of {@link startWebChat}. */
export interface WebChatOptions {
  /** Address the HTTP server and the relay bind. Default `127.0.0.1`. */
  host?: string;
  /** Port of the page (HTTP). Default 0: a free one. */
  port?: number;
  /** Port of the relay's WebSocket listener (RFC 7977). Default 0. */
  wsPort?: number;
  /** Port of the relay's TCP listener. Default 0. */
  tcpPort?: number;
  /**
   * Host name pages and terminals reach the relay by (in its URIs and Use-Path). Default
   * `host`, or `127.0.0.1` when `host` is a wildcard (`0.0.0.0`, `::`).
   */
  publicHost?: string;
  /** The relay's accounts. Default {@link DEMO_USERS}. */
  users?: readonly DemoUser[];
  /** Where the relay logs. Default: nowhere. */
  logger?: RelayLogger;
}

/** A running web chat. */
export interface WebChat {
  /** The page's URL. */
  readonly url: string;
  /** The relay's WebSocket URI (for pages) and TCP URI (for `msrp` commands). */
  readonly relay: { readonly ws: MsrpUri; readonly tcp: MsrpUri };
  readonly users: readonly DemoUser[];
  /**
   * Stops the relay (its clients lose their connection) and starts a new one on the same
   * ports, as an operator restarting it would: pages sign in again by themselves.
   */
  restartRelay(): Promise<void>;
  /** Stops the relay and the HTTP server. */
  close(): Promise<void>;
}

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
/** Largest rendezvous request: a name and a path of a few URIs. */
const MAX_BODY = 8 * 1024;

/** Bundles page.ts for the browser, from msrp-core's TypeScript sources. */
async function bundlePage(): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [here('./page.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    conditions: ['source'],
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents;
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const piece of request as AsyncIterable<Buffer>) {
    body += piece.toString('utf8');
    if (body.length > MAX_BODY) throw new Error('request too large');
  }
  return body;
}

function isRoomEntry(value: unknown): value is RoomEntry {
  const entry = value as Partial<RoomEntry> | null;
  return (
    typeof entry?.id === 'string' &&
    typeof entry.name === 'string' &&
    typeof entry.path === 'string'
  );
}

/**
 * Starts the web chat: the relay (WebSocket and TCP listeners, the demo accounts) and the
 * HTTP server of the page, each on `host` and its port (0: free ones).
 */
export async function startWebChat(options: WebChatOptions = {}): Promise<WebChat> {
  const host = options.host ?? '127.0.0.1';
  const publicHost =
    options.publicHost ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
  const users = options.users ?? DEMO_USERS;
  const [html, script] = await Promise.all([readFile(here('./index.html')), bundlePage()]);

  let wsPort = options.wsPort ?? 0;
  let tcpPort = options.tcpPort ?? 0;
  let relay!: Relay;
  let uris!: { ws: MsrpUri; tcp: MsrpUri };
  const startRelay = async (): Promise<void> => {
    relay = new Relay({
      credentials: new StaticCredentialStore(users),
      realm: 'web-chat-demo',
      host: publicHost,
      ...(options.logger && { logger: options.logger }),
    });
    const ws = await relay.listen({ host, port: wsPort, transport: 'ws' });
    const tcp = await relay.listen({ host, port: tcpPort });
    wsPort = ws.port!;
    tcpPort = tcp.port!;
    uris = { ws, tcp };
  };
  await startRelay();

  const rendezvous = new Rendezvous();
  const config = (): WebChatConfig => ({
    relay: formatUri(uris.ws),
    relayTcp: formatUri(uris.tcp),
  });
  const json = (response: ServerResponse, status: number, value: unknown): void => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(value));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://web-chat');
    const room = /^\/rooms\/([^/]{1,64})$/.exec(url.pathname)?.[1];
    if (request.method === 'GET' && url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else if (request.method === 'GET' && url.pathname === '/chat.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (request.method === 'GET' && url.pathname === '/favicon.ico') {
      response.writeHead(204).end(); // none, rather than a 404 in the browser's console
    } else if (request.method === 'GET' && url.pathname === '/config.json') {
      json(response, 200, config());
    } else if (request.method === 'POST' && room !== undefined) {
      const entry: unknown = JSON.parse(await readBody(request));
      if (!isRoomEntry(entry)) return json(response, 400, { error: 'id, name and path' });
      // A page that goes away while it waits leaves the room.
      response.on('close', () => {
        if (!response.writableEnded) rendezvous.leave(room, entry.id);
      });
      json(response, 200, await rendezvous.join(room, entry));
    } else if (request.method === 'DELETE' && room !== undefined) {
      rendezvous.leave(room, url.searchParams.get('id') ?? '');
      response.writeHead(204).end();
    } else {
      response.writeHead(404).end();
    }
  };
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) json(response, 400, { error: 'bad request' });
      else response.destroy();
    });
  });
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${publicHost.includes(':') ? `[${publicHost}]` : publicHost}:${port}/`,
    get relay() {
      return uris;
    },
    users,
    restartRelay: async () => {
      await relay.close(1000);
      await startRelay();
    },
    close: async () => {
      rendezvous.close();
      await relay.close(1000);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
