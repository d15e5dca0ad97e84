import type { MsrpError } from '../errors.js';
import type { NumberRule } from '../option-check.js';
import type { HasherFactory } from '../session/hasher.js';
import type { RelayAccount } from '../session/relay-registration.js';
import type { SessionOptions } from '../session/options.js';
import type { TransactionTableOptions } from '../session/transaction-table.js';
import type { ConnectionOptions } from '../transport/connection.js';
import type { Dialer, TlsClientOptions } from '../transport/dialer.js';
import type { MsrpUri } from '../wire/uri.js';

/** Options of {@link EndpointBase.authenticate}. */
export interface AuthenticateOptions {
  /** Aborts the AUTH exchange: it rejects with `MSRP_ERR_ABORTED` and the grant is dropped. */
  signal?: AbortSignal;
}

/** Options of an `Endpoint`. */
export interface EndpointOptions
  extends Omit<ConnectionOptions, 'idleTimeout' | 'frameTimeout'>, TransactionTableOptions {
  /** Defaults for every session this endpoint creates. */
  session?: SessionOptions;
  /** TLS client options for dialing `msrps:` peers (CAs, or the peer's fingerprint). */
  tls?: TlsClientOptions;
  /**
   * Dialers by URI scheme. Default: the runtime's (on Node `msrp` over TCP and `msrps` over
   * TLS, `;ws` URIs of both over a WebSocket; in a browser `;ws` URIs only, RFC 7977).
   */
  dialers?: Readonly<Record<string, Dialer>>;
  /** Milliseconds to wait for a connection to open. Default 10 000. */
  connectTimeout?: number;
  /**
   * Largest WebSocket message, in bytes, that a WebSocket we dial (a `;ws` URI, on Node) takes
   * from the peer: one message is one chunk (RFC 7977 §5.1), which is held whole before it
   * is parsed. A peer sending a larger one is closed with 1009 (RFC 6455 §7.4.1). Default
   * 4 MiB plus `maxHeaderBytes` plus 1 KiB (start and end lines).
   */
  maxWebSocketMessage?: number;
  /**
   * Match inbound requests to sessions by session-id alone instead of the whole URI, for
   * peers behind middleboxes that rewrite addresses (as RFC 6714 CEMA does); a session-id
   * then names one session at a time (`createSession` refuses one in use). Default false.
   */
  matchSessionIdOnly?: boolean;
  /** Sessions at once. Default 10 000. */
  maxSessions?: number;
  /** Inbound connections at once, over all listeners (Node's `listen()`). Default 1 000. */
  maxConnections?: number;
  /**
   * Inbound connections at once from one remote address; more are destroyed at once and
   * reported as `peerError` (`MSRP_ERR_LIMIT`). Default 64.
   */
  maxConnectionsPerAddress?: number;
  /**
   * Milliseconds an inbound connection may go without a session bound to it (by a request
   * routed to one of our sessions) before it is closed; counted again whenever its last
   * session leaves. 0 disables. Default 30 000.
   */
  bindTimeout?: number;
  /**
   * Milliseconds a frame in progress may go without progress (its head completed, body
   * bytes arriving) before its connection is closed, so that a peer trickling bytes cannot
   * hold a session; time we hold the peer back does not count. 0 disables. Default 30 000.
   */
  frameTimeout?: number;
  /**
   * Milliseconds an inbound connection may go without a byte read or written before it is
   * closed and its sessions unbound, so that a silent peer cannot hold a session. Peers
   * that stay quiet longer must send keepalives (a bodiless SEND, RFC 4975 §5.4, as
   * RFC 7977 §6 does). It also ends a connection our application stopped reading for that
   * long. Connections we dial are never closed for idleness: see `keepaliveInterval`.
   * 0 disables. Default 300 000 (5 minutes).
   */
  idleTimeout?: number;
  /**
   * Milliseconds a connection we dialed (to a peer, or to the relay `authenticate()` keeps)
   * may go without a byte read or written before we send a keepalive on it: a bodiless SEND
   * (RFC 4975 §7.1.1) for one session bound to it, which the peer answers 200 without
   * delivering a message. A connection without bound sessions sends none. Keep it well under
   * the peer's idle timeout (ours defaults to 5 minutes). A failed keepalive (481, timeout)
   * is ignored. 0 disables. Default 60 000.
   */
  keepaliveInterval?: number;
  /**
   * Host to put in session URIs before `listen()` (an active-only endpoint). Default: a
   * random name under `.invalid` (as RFC 7977 §8.1.1 gives clients that cannot be reached),
   * fixed for the endpoint, so that our URI can never equal anyone else's, a relay's
   * included; such URIs are never dialed. Behind a first relay reached over WebSocket they
   * carry that relay's scheme and the `ws` transport (`msrps://x.invalid:2855/id;ws`).
   */
  host?: string;
  /**
   * Relays to route every session through (RFC 4976), with our credentials, the one we
   * connect to first; call {@link EndpointBase.authenticate} before creating sessions.
   */
  relays?: readonly RelayAccount[];
  /**
   * Where hashes come from: the digest of `authenticate()` and, unless `session` names its
   * own, the file hashes of every session. Default: the runtime's (`node:crypto` on Node,
   * `@noble/hashes` in a browser).
   */
  createHasher?: HasherFactory;
}

/** Options of `createSession()`. */
export interface CreateSessionOptions extends SessionOptions {
  /** Our URI; default: this endpoint's authority with a fresh session-id. */
  localUri?: MsrpUri;
}

/**
 * Events of an `Endpoint`, for logs. They come from the endpoint's own work (reading or
 * closing a connection, a timer, a listener's socket), never from a call of the application,
 * and concern no one session: a listener that throws neither stops that work nor closes a
 * connection its sessions share; what it threw is thrown again in a microtask (or out of the
 * socket's event), an uncaught exception, as from any listener of a Node socket.
 */
export interface EndpointEvents {
  /**
   * A peer sent something we could not accept, or hit a limit (connection caps,
   * `bindTimeout`, `idleTimeout`): its request is answered or its connection refused or closed.
   */
  peerError: [error: MsrpError, remote: string];
  /**
   * Refreshing the AUTH grant with our relays failed. It is tried again while the last grant
   * lasts (halfway to its end each time, each failure reported here); should none succeed,
   * the relays forget us when it expires, so authenticate again (or reconnect) before then.
   */
  relayError: [error: MsrpError];
  /**
   * The connection to our first relay, kept open by `authenticate()`, closed: peers can no
   * longer reach our sessions through the relays (RFC 4976 §5.1). The grant is dropped;
   * authenticate again (with new sessions, since the Use-Path changes) to be reachable.
   */
  relayLost: [error: MsrpError];
}

/** What each numeric {@link EndpointOptions} may be (checked by `checkNumbers`). */
export const ENDPOINT_NUMBERS: Partial<Record<keyof EndpointOptions, NumberRule>> = {
  maxStartLineBytes: 'count',
  maxHeaderBytes: 'count',
  maxWebSocketMessage: 'count',
  maxHeaders: 'count',
  maxWriteBuffer: 'count',
  timeout: 'wait',
  maxPending: 'count',
  connectTimeout: 'wait',
  maxSessions: 'count',
  maxConnections: 'count',
  maxConnectionsPerAddress: 'count',
  bindTimeout: 'timeout',
  frameTimeout: 'timeout',
  idleTimeout: 'timeout',
  keepaliveInterval: 'timeout',
};
