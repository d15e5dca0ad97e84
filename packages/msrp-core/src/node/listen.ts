import { once, type EventEmitter } from 'node:events';
import type { Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { getSystemErrorMap } from 'node:util';
import { MsrpError } from '../errors.js';
import { connectionEvent, createListener, type TlsServerOptions } from './listener.js';
import { reusingReads } from './socket-stream.js';

/** Where to listen for MSRP connections. */
export interface ListenAddress {
  /** Address to bind, IPv4 or IPv6. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 picks a free one. */
  port?: number;
  /** Certificate and key: listen for `msrps:` (TLS). */
  tls?: TlsServerOptions;
}

/** What a listener hands to its owner. */
export interface ListenHandlers {
  /** A connection is ready (for TLS: after the handshake). */
  readonly accept: (socket: Socket) => void;
  /**
   * A TCP connection arrived, before any TLS handshake: where to count it against limits,
   * so that a handshake never completed counts too. Optional.
   */
  readonly admit?: (socket: Socket) => void;
  /** A TLS handshake failed. Optional; without it the failure is ignored. */
  readonly tlsError?: (error: Error, socket: TLSSocket) => void;
}

/** A listening server and what it is bound to. */
export interface Listening {
  readonly server: Server;
  readonly scheme: 'msrp' | 'msrps';
  /** The address really bound (e.g. `127.0.0.1`, `::1`). */
  readonly host: string;
  /** The port really bound. */
  readonly port: number;
}

/** How a listener's connections read. */
export interface ListenReads {
  /**
   * TCP connections read into buffers used again (see `reusingReads`), not into a new one
   * per read: for an owner whose connections keep no view of what they read beyond each
   * read, unless lent (`lendRead`), as an endpoint's do. Not for TLS. Default false.
   */
  reuseReads?: boolean;
  /**
   * With `reuseReads`, for many mostly quiet connections (a relay's): a quiet connection holds
   * no read buffer, at the cost of a copy after each read that drained the socket (see
   * `ReadBuffers`). Default false.
   */
  idleHoldsNothing?: boolean;
}

/** `host:port`, an IPv6 host in brackets. */
function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The error of a bind that failed (a port in use, an address not ours, a port we may not
 * take): `MSRP_ERR_CONNECTION`, naming the address and why, e.g. `Cannot listen on
 * 127.0.0.1:2855: address already in use (EADDRINUSE)`, the system's error as cause.
 */
function bindError(error: NodeJS.ErrnoException, host: string, port: number): MsrpError {
  const known = error.errno === undefined ? undefined : getSystemErrorMap().get(error.errno);
  const why = known ? `${known[1]} (${known[0]})` : error.message;
  return new MsrpError('MSRP_ERR_CONNECTION', `Cannot listen on ${hostPort(host, port)}: ${why}`, {
    cause: error,
  });
}

/**
 * Tells `server` (an MSRP, WebSocket or HTTP listener of the endpoint or the relay) to listen
 * on `host`:`port`, and resolves once it is bound.
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` for a port number that is not a whole
 * number from 0 to 65535 (Node threw a RangeError that named no listener);
 * `MSRP_ERR_CONNECTION` when the bind fails (see {@link bindError}).
 */
export async function listenOn(
  server: EventEmitter & Pick<Server, 'listen'>,
  host: string,
  port: number,
): Promise<void> {
  if (typeof port === 'number' && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new MsrpError(
      'MSRP_ERR_INVALID_ARGUMENT',
      `Cannot listen on ${hostPort(host, port)}: the port must be a whole number from 0 to 65535`,
    );
  }
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (e) {
    throw bindError(e as NodeJS.ErrnoException, host, port);
  }
}

/**
 * Listens for MSRP connections on TCP (`msrp:`) or, with `tls`, TLS (`msrps:`), and resolves
 * once bound. The one listening code of the endpoint and the relay.
 * @throws {MsrpError} `MSRP_ERR_CONNECTION` when the bind fails (a port in use: its message
 * names the address, the system's error, `EADDRINUSE`..., is its cause), or the server has
 * no address.
 */
export async function listenMsrp(
  address: ListenAddress,
  defaultPort: number,
  handlers: ListenHandlers,
  reads: ListenReads = {},
): Promise<Listening> {
  const tls = address.tls;
  const reuse = reads.reuseReads === true && tls === undefined;
  const server = createListener(tls, reuse);
  const { admit, tlsError } = handlers;
  if (reuse) {
    const idleHoldsNothing = reads.idleHoldsNothing === true;
    server.on('connection', (accepted: Socket) => {
      const socket = reusingReads(accepted, idleHoldsNothing);
      admit?.(socket);
      handlers.accept(socket);
    });
  } else {
    if (admit) server.on('connection', (socket: Socket) => admit(socket));
    server.on(connectionEvent(tls), (socket: Socket) => handlers.accept(socket));
  }
  server.on('tlsClientError', (error: Error, socket: TLSSocket) => tlsError?.(error, socket));
  const host = address.host ?? '127.0.0.1';
  const port = address.port ?? defaultPort;
  await listenOn(server, host, port);
  const bound = server.address();
  if (bound === null || typeof bound === 'string') {
    server.close();
    throw new MsrpError('MSRP_ERR_CONNECTION', 'Listener has no address');
  }
  return { server, scheme: tls ? 'msrps' : 'msrp', host: bound.address, port: bound.port };
}
