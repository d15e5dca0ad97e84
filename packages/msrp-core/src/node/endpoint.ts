import type { Server, Socket } from 'node:net';
import { EndpointBase } from '../endpoint/endpoint-base.js';
import type { EndpointOptions } from '../endpoint/options.js';
import { MsrpError } from '../errors.js';
import { abortable, abortedError } from '../session/abortable.js';
import { ConnectionLimits } from '../transport/connection-limits.js';
import type { MsrpUri } from '../wire/uri.js';
import { defaultDialers } from './dial.js';
import { nodeFiles } from './files.js';
import { listenMsrp } from './listen.js';
import type { TlsServerOptions } from './listener.js';
import { nodeHasher } from './node-hasher.js';
import { defaultFileHasher } from './worker-hasher.js';
import { socketStream } from './socket-stream.js';

/** Where and how an endpoint listens. */
export interface ListenOptions {
  /** Address to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Listen for `msrps:` (TLS) instead of `msrp:`. */
  tls?: TlsServerOptions;
  /** Aborts the listen: it rejects with `MSRP_ERR_ABORTED` and the listener closes. */
  signal?: AbortSignal;
}

/**
 * An MSRP endpoint (RFC 4975) on Node: listens and dials over TCP and TLS, keeps the
 * sessions, routes each inbound request to its session by the first URI of To-Path (481 when
 * none matches, 506 when the session is bound to another connection), and shares one
 * connection among the sessions to the same peer (RFC 4975 §5.4, §8.1). Files are read and
 * written with `node:fs`, hashes computed with `node:crypto`. `await using` closes it.
 *
 * @example
 * ```ts
 * await using endpoint = new Endpoint();
 * await endpoint.listen({ host: '127.0.0.1', port: 0 });
 * const session = endpoint.createSession();
 * session.accept();
 * for await (const message of session) console.log(message.text());
 * ```
 */
export class Endpoint extends EndpointBase {
  readonly #servers: Server[] = [];
  readonly #limits: ConnectionLimits;

  constructor(options: EndpointOptions = {}) {
    super(options, {
      dialers: defaultDialers,
      createHasher: nodeHasher,
      files: nodeFiles,
      // File hashes in a worker where a core can be spare, unless the application chose.
      ...(!options.createHasher && { fileHasher: defaultFileHasher() }),
    });
    this.#limits = new ConnectionLimits({
      maxConnections: options.maxConnections ?? 1000,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 64,
    });
  }

  /**
   * Listens for connections; returns the URI of the listener (no session-id). New sessions
   * take their authority (scheme, host, port) from the first listener.
   * @throws {MsrpError} `MSRP_ERR_ABORTED` when `options.signal` aborts first (the listener
   * is closed); `MSRP_ERR_SESSION` once the endpoint is closed; `MSRP_ERR_CONNECTION` when
   * the address cannot be bound (e.g. `Cannot listen on 127.0.0.1:2855: address already in
   * use (EADDRINUSE)`, the system's error as `cause`); `MSRP_ERR_INVALID_ARGUMENT` for a port
   * that is not a whole number from 0 to 65535.
   */
  async listen(options: ListenOptions = {}): Promise<MsrpUri> {
    this.assertOpen('listen');
    const { signal } = options;
    if (signal?.aborted) throw abortedError(signal, 'listen');
    const listening = listenMsrp(
      options,
      0,
      {
        // Counted from the TCP connection on, so a TLS handshake never completed counts too.
        admit: (socket) => this.#admit(socket),
        accept: (socket) => this.#accept(socket),
        tlsError: (error, socket) =>
          this.emit(
            'peerError',
            new MsrpError('MSRP_ERR_CONNECTION', `TLS handshake failed: ${error.message}`, {
              cause: error,
            }),
            describe(socket),
          ),
      },
      // A session keeps no view of what its connection read, unless lent: bodies in memory
      // are copies, streamed pieces are lent until saved (files.ts, partial-file.ts).
      { reuseReads: true },
    );
    // Aborted while binding: the server is closed as soon as it is bound.
    const { server, scheme, host, port } = await abortable(listening, signal, 'listen', () => {
      listening.then(
        ({ server: s }) => s.close(),
        () => undefined,
      );
    });
    // Closed while binding: close() did not see this server.
    try {
      this.assertOpen('listen');
    } catch (e) {
      server.close();
      throw e;
    }
    this.#servers.push(server);
    if (this.#servers.length === 1) this.setAuthority({ scheme, host, port });
    return { scheme, host, port, transport: 'tcp', params: [] };
  }

  /** Closes every session, connection and listener. */
  override async close(): Promise<void> {
    // Listeners stop accepting at once, and report closed once their connections are gone.
    const servers = this.#servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve)));
    await super.close();
    await Promise.all(servers);
  }

  #admit(socket: Socket): void {
    const refused = this.#limits.admitSocket(socket);
    if (refused) {
      const error = new MsrpError('MSRP_ERR_LIMIT', `Connection refused: ${refused} reached`);
      this.emit('peerError', error, describe(socket));
    }
  }

  #accept(socket: Socket): void {
    if (socket.destroyed) return; // refused by #admit
    // Responses are tiny; Nagle would hold them back behind the peer's delayed ACKs.
    socket.setNoDelay(true);
    this.acceptConnection(socketStream(socket, describe(socket)));
  }
}

function describe(socket: { remoteAddress?: string; remotePort?: number }): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}
