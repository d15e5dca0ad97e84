import type { Server } from 'node:http';
import type { Registry } from 'prom-client';
import { listenOn } from '@msrp-ts/msrp-core/internal';

/** Options of {@link startAdminServer}. */
export interface AdminServerOptions {
  /** Address to bind. Default `127.0.0.1`: metrics are for the operator, not the world. */
  host?: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** What `/metrics` serves. */
  registry: Registry;
  /** What `/health` reports; `ok: false` answers 503 (e.g. while shutting down). */
  health: () => { ok: boolean } & Record<string, unknown>;
}

/** A running admin server. */
export interface AdminServer {
  /** `http://host:port` really listened on. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The relay's operator endpoint over HTTP: `GET /metrics` in the Prometheus text format and
 * `GET /health` as JSON (200 while serving, 503 otherwise).
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  // node:http loaded by the first admin server: a relay without one never loads it.
  const server: Server = process.getBuiltinModule('node:http').createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
      return;
    }
    if (path === '/health') {
      const health = options.health();
      res
        .writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(`${JSON.stringify({ status: health.ok ? 'ok' : 'unavailable', ...health })}\n`);
      return;
    }
    res
      .writeHead(404, { 'content-type': 'text/plain' })
      .end('not found: try /metrics or /health\n');
  });
  const listenHost = options.host ?? '127.0.0.1';
  await listenOn(server, listenHost, options.port);
  const address = server.address();
  const { address: host, port } =
    address !== null && typeof address === 'object' ? address : { address: '?', port: 0 };
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
