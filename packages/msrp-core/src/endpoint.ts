import { EventEmitter, once } from 'node:events';
import type { Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { MsrpError } from './errors.js';
import { Session, type ChunkReceiver, type SessionOptions } from './session/session.js';
import type { SessionLink } from './session/session-link.js';
import { RelayRegistration, type RelayAccount } from './session/relay-registration.js';
import type { TransactionTableOptions } from './session/transaction-table.js';
import { discard, Peer, type FrameTarget } from './endpoint-peer.js';
import { Connection, type ConnectionOptions } from './transport/connection.js';
import { ConnectionLimits } from './transport/connection-limits.js';
import {
  checkDialable,
  defaultDialers,
  unreachableHost,
  type Dialer,
  type TlsClientOptions,
} from './transport/dial.js';
import { connectionEvent, createListener, type TlsServerOptions } from './transport/listener.js';
import type { RequestHead, ResponseHead } from './wire/head.js';
import { newSessionId } from './wire/ids.js';
import { encodeFrame } from './wire/serializer.js';
import {
  answerableRequest,
  encodeResponse,
  REASON_PHRASES,
  wantsResponse,
} from './wire/response.js';
import { uriKey, type MsrpUri } from './wire/uri.js';

/** Where and how an endpoint listens. */
export interface ListenOptions {
  /** Address to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Listen for `msrps:` (TLS) instead of `msrp:`. */
  tls?: TlsServerOptions;
}

/** Options of an {@link Endpoint}. */
export interface EndpointOptions
  extends Omit<ConnectionOptions, 'idleTimeout' | 'frameTimeout'>, TransactionTableOptions {
  /** Defaults for every session this endpoint creates. */
  session?: SessionOptions;
  /** TLS client options for dialing `msrps:` peers (CAs, or the peer's fingerprint). */
  tls?: TlsClientOptions;
  /** Dialers by URI scheme. Default: `msrp` over TCP, `msrps` over TLS. */
  dialers?: Readonly<Record<string, Dialer>>;
  /** Milliseconds to wait for a connection to open. Default 10 000. */
  connectTimeout?: number;
  /**
   * Match inbound requests to sessions by session-id alone instead of the whole URI, for
   * peers behind middleboxes that rewrite addresses (as RFC 6714 CEMA does). Default false.
   */
  matchSessionIdOnly?: boolean;
  /** Sessions at once. Default 10 000. */
  maxSessions?: number;
  /** Inbound connections at once, over all listeners. Default 1 000. */
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
   * included; such URIs are never dialed.
   */
  host?: string;
  /**
   * Relays to route every session through (RFC 4976), with our credentials, the one we
   * connect to first; call {@link Endpoint.authenticate} before creating sessions.
   */
  relays?: readonly RelayAccount[];
}

/** Options of {@link Endpoint.createSession}. */
export interface CreateSessionOptions extends SessionOptions {
  /** Our URI; default: this endpoint's authority with a fresh session-id. */
  localUri?: MsrpUri;
}

/** Events of an {@link Endpoint}, for logs. */
export interface EndpointEvents {
  /**
   * A peer sent something we could not accept, or hit a limit (connection caps,
   * `bindTimeout`, `idleTimeout`): its request is answered or its connection refused or closed.
   */
  peerError: [error: MsrpError, remote: string];
  /**
   * Refreshing the AUTH grant with our relays failed; they forget us when the last grant
   * expires, so authenticate again (or reconnect) before then.
   */
  relayError: [error: MsrpError];
}

/**
 * An MSRP endpoint (RFC 4975): listens and dials, keeps the sessions, routes each inbound
 * request to its session by the first URI of To-Path (481 when none matches, 506 when the
 * session is bound to another connection), and shares one connection among the sessions
 * to the same peer (RFC 4975 §5.4, §8.1).
 *
 * @example
 * ```ts
 * const endpoint = new Endpoint();
 * await endpoint.listen({ host: '127.0.0.1', port: 0 });
 * const session = endpoint.createSession();
 * session.accept();
 * for await (const message of session) console.log(message.text());
 * ```
 */
export class Endpoint extends EventEmitter<EndpointEvents> {
  readonly #options: EndpointOptions;
  readonly #dialers: Readonly<Record<string, Dialer>>;
  readonly #servers: Server[] = [];
  readonly #peers = new Set<Peer>();
  readonly #dialed = new Map<string, Promise<Peer>>();
  readonly #sessions = new Map<string, Session>();
  readonly #sessionsById = new Map<string, Session>();
  readonly #limits: ConnectionLimits;
  #authority: { scheme: 'msrp' | 'msrps'; host: string; port: number };
  readonly #link: SessionLink;
  #registration: RelayRegistration | undefined;

  constructor(options: EndpointOptions = {}) {
    super();
    this.#options = options;
    this.#dialers = options.dialers ?? defaultDialers;
    this.#authority = { scheme: 'msrp', host: options.host ?? unreachableHost(), port: 2855 };
    this.#limits = new ConnectionLimits({
      maxConnections: options.maxConnections ?? 1000,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 64,
    });
    this.#link = {
      connect: (session, firstHop) => this.#connect(session, firstHop),
      send: (session, transactionId, frame, awaitResponse = true) =>
        this.#send(session, transactionId, frame, awaitResponse),
      sendParts: (session, transactionId, headBytes, nextPart, endLine) =>
        this.#send(
          session,
          transactionId,
          (connection) => connection.writeParts(headBytes, nextPart, endLine),
          true,
        ),
      request: (session, head) =>
        this.#send(session, head.transactionId, encodeFrame(head), true).response,
      resume: (session) => (session.connection as Peer | undefined)?.connection.resume(),
      closed: (session) => this.#removeSession(session),
    };
  }

  /** Number of sessions. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** The relays of `options.relays`, in the order they are authenticated to. */
  get relays(): readonly RelayAccount[] {
    return this.#options.relays ?? [];
  }

  /** The relay URIs sessions route through (RFC 4976 Use-Path); empty without relays. */
  get usePath(): readonly MsrpUri[] {
    return this.#registration?.usePath ?? [];
  }

  /** The AUTH state with our relays, once {@link authenticate} was called (for its events). */
  get registration(): RelayRegistration | undefined {
    return this.#registration;
  }

  /**
   * Authenticates to the relays of `options.relays` (RFC 4976 §5.1), inside out: the first
   * directly, each next one through those before it. Sessions created afterwards route
   * through them, and their `localPath` (what SDP a=path carries) lists the relay URIs
   * before their own. The grant is refreshed with a new AUTH before it expires; the
   * connection to the first relay stays open, since the relay reaches us only over it.
   * @param from Our URI in the AUTH's From-Path; relays deliver to URIs with its host and
   * port over our connection. Default: this endpoint's authority.
   * @returns The Use-Path.
   * @throws {MsrpError} `MSRP_ERR_REMOTE` with the relay's status (401 refused credentials,
   * 403, 423...), or `MSRP_ERR_CONNECTION`.
   */
  async authenticate(from?: MsrpUri): Promise<readonly MsrpUri[]> {
    const relays = this.#options.relays ?? [];
    if (relays.length === 0)
      throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'No relays configured');
    this.#registration?.close();
    const registration = new RelayRegistration(
      {
        connect: async (firstHop) => {
          const peer = await this.#dial(firstHop);
          peer.pinned = true;
          return peer;
        },
        request: (connection, head) => {
          const peer = connection as Peer;
          const response = peer.transactions.start(head.transactionId);
          peer.connection
            .write(encodeFrame(head))
            .catch((e: unknown) =>
              peer.transactions.fail(
                head.transactionId,
                e instanceof MsrpError ? e : new MsrpError('MSRP_ERR_CONNECTION', String(e)),
              ),
            );
          return response;
        },
      },
      relays,
      from ?? { ...this.#authority, sessionId: newSessionId(), transport: 'tcp', params: [] },
    );
    // A failed refresh is an endpoint event: an 'error' nobody listens to would crash the app.
    registration.on('error', (error) => this.emit('relayError', error));
    this.#registration = registration;
    return registration.authenticate();
  }

  /**
   * Listens for connections; returns the URI of the listener (no session-id). New sessions
   * take their authority (scheme, host, port) from the first listener.
   */
  async listen(options: ListenOptions = {}): Promise<MsrpUri> {
    const tlsOptions = options.tls;
    const server = createListener(tlsOptions);
    // Counted from the TCP connection on, so a TLS handshake never completed counts too.
    server.on('connection', (socket: Socket) => this.#admit(socket));
    server.on(connectionEvent(tlsOptions), (socket: Socket) => this.#accept(socket));
    server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
      this.emit(
        'peerError',
        new MsrpError('MSRP_ERR_CONNECTION', `TLS handshake failed: ${error.message}`, {
          cause: error,
        }),
        describe(socket),
      );
    });
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    await once(server, 'listening');
    this.#servers.push(server);
    const address = server.address();
    if (address === null || typeof address === 'string')
      throw new MsrpError('MSRP_ERR_CONNECTION', 'Listener has no address');
    const scheme = tlsOptions ? 'msrps' : 'msrp';
    if (this.#servers.length === 1)
      this.#authority = { scheme, host: address.address, port: address.port };
    return { scheme, host: address.address, port: address.port, transport: 'tcp', params: [] };
  }

  /**
   * Creates a session with a fresh session-id (or the given URI).
   * @throws {MsrpError} `MSRP_ERR_LIMIT` past `maxSessions`; `MSRP_ERR_INVALID_ARGUMENT` if
   * the URI is taken.
   */
  createSession(options: CreateSessionOptions = {}): Session {
    if (this.#sessions.size >= (this.#options.maxSessions ?? 10_000)) {
      throw new MsrpError(
        'MSRP_ERR_LIMIT',
        `More than ${this.#options.maxSessions ?? 10_000} sessions`,
      );
    }
    const { localUri, ...sessionOptions } = options;
    const uri: MsrpUri = localUri ?? {
      ...this.#authority,
      sessionId: newSessionId(),
      transport: 'tcp',
      params: [],
    };
    const key = uriKey(uri);
    if (this.#sessions.has(key))
      throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'A session with this URI exists');
    const session = new Session(
      uri,
      this.#link,
      { ...this.#options.session, ...sessionOptions },
      this.usePath,
    );
    this.#sessions.set(key, session);
    if (uri.sessionId !== undefined) this.#sessionsById.set(uri.sessionId, session);
    return session;
  }

  /** Closes every session, connection and listener. */
  async close(): Promise<void> {
    this.#registration?.close();
    for (const session of [...this.#sessions.values()]) await session.close();
    // Servers report closed only once their connections are gone, so end those first.
    const servers = this.#servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve)));
    await Promise.all([...this.#peers].map((p) => p.connection.close()));
    await Promise.all(servers);
  }

  // ---- inbound ------------------------------------------------------------------------

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
    const peer = this.#attach(socket, new Peer(this, describe(socket), this.#options), {
      idleTimeout: this.#options.idleTimeout ?? 300_000,
    });
    peer.expectBind(this.#options.bindTimeout ?? 30_000);
  }

  #attach(socket: Duplex, peer: Peer, timing: { idleTimeout: number }): Peer {
    peer.connection = new Connection(socket, peer, {
      ...this.#options,
      frameTimeout: this.#options.frameTimeout ?? 30_000,
      ...timing,
    });
    this.#peers.add(peer);
    return peer;
  }

  /** @internal Routes an inbound request to its session; the returned target takes its body. */
  route(peer: Peer, request: RequestHead): FrameTarget {
    const respond = (status: number, comment?: string): void =>
      this.#respond(peer, request, status, comment);
    const refuse = (status: number, comment?: string): FrameTarget => ({
      body: () => true,
      end: () => respond(status, comment),
      abort: () => undefined,
    });
    if (request.method !== 'SEND' && request.method !== 'REPORT') {
      // RFC 4975 §12: 501 for a method we do not understand.
      return refuse(501, `Method ${request.method} not understood`);
    }
    const toUri = request.toPath[0]!;
    const session = this.#options.matchSessionIdOnly
      ? toUri.sessionId === undefined
        ? undefined
        : this.#sessionsById.get(toUri.sessionId)
      : this.#sessions.get(uriKey(toUri));
    // RFC 4975 §7.3 (481): no session matches the To-Path.
    if (!session || session.state === 'closed' || session.state === 'new') return refuse(481);
    if (session.connection !== undefined && session.connection !== peer) {
      // RFC 4975 §5.4: a session is bound to one connection; others get 506.
      return refuse(506);
    }
    if (session.connection === undefined) {
      if (session.state !== 'waiting') return refuse(481);
      session.bindInbound(peer, request);
      peer.addSession(session);
    }
    if (request.method === 'REPORT') {
      session.receiveReport(request);
      return discard; // RFC 4975 §7.1.2: REPORTs get no response
    }
    let receiver: ChunkReceiver;
    try {
      receiver = session.receiveSend(request);
    } catch (e) {
      if (e instanceof MsrpError && e.status) return refuse(e.status, e.message);
      throw e;
    }
    let failed: MsrpError | undefined;
    let answered = false;
    return {
      body: (part) => {
        if (failed) return true;
        try {
          return receiver.body(part);
        } catch (e) {
          if (!(e instanceof MsrpError)) throw e;
          failed = e;
          receiver.fail(e);
          if (e.status === 413) {
            // RFC 4975 §7.1, §10.5: 413 asks the sender to stop this message; say it now, not
            // after the rest of a chunk that may be long or endless (1-*/*), which is dropped.
            respond(413, e.message);
            answered = true;
          }
          return true;
        }
      },
      end: (flag) => {
        if (!failed) {
          failed = receiver.check(flag);
          if (failed) receiver.fail(failed);
        }
        if (failed) {
          if (!answered) respond(failed.status ?? 400, failed.message);
          return;
        }
        // The chunk's 200 goes out before any REPORT that its end may trigger.
        respond(200);
        receiver.end(flag);
      },
      abort: (error) => receiver.fail(error),
    };
  }

  #respond(peer: Peer, request: RequestHead, status: number, comment?: string): void {
    if (!wantsResponse(request, status)) return;
    peer.connection
      .write([encodeResponse(request, status, comment ?? REASON_PHRASES[status])])
      .catch(() => undefined);
  }

  /** @internal The peer broke the protocol: answer when the head got far enough, then it closes. */
  peerFault(peer: Peer, error: MsrpError): void {
    const request = answerableRequest(error);
    if (request) this.#respond(peer, request, error.status!, error.message);
    this.emit('peerError', error, peer.remote);
  }

  /** @internal A connection closed. */
  forget(peer: Peer, error?: Error): void {
    this.#peers.delete(peer);
    if (peer.key !== undefined) this.#dialed.delete(peer.key);
    for (const session of peer.sessions) session.unbind(error);
    peer.sessions.clear();
  }

  // ---- outbound -----------------------------------------------------------------------

  async #connect(session: Session, firstHop: MsrpUri): Promise<Peer> {
    const peer = await this.#dial(firstHop);
    peer.addSession(session);
    return peer;
  }

  /** Opens, or reuses, the connection to the authority of `firstHop`. */
  async #dial(firstHop: MsrpUri): Promise<Peer> {
    const key = `${firstHop.scheme}://${firstHop.host}:${firstHop.port ?? 2855}`;
    let dialing = this.#dialed.get(key);
    if (!dialing) {
      checkDialable(firstHop);
      const dialer = this.#dialers[firstHop.scheme];
      if (!dialer)
        throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `No dialer for scheme ${firstHop.scheme}`);
      dialing = dialer(firstHop, {
        ...(this.#options.tls && { tls: this.#options.tls }),
        timeout: this.#options.connectTimeout ?? 10_000,
      }).then((socket) =>
        this.#attach(socket, new Peer(this, key, this.#options, key), {
          // The dialing side keeps the connection alive (Peer.idle sends keepalives).
          idleTimeout: this.#options.keepaliveInterval ?? 60_000,
        }),
      );
      this.#dialed.set(key, dialing);
      dialing.catch(() => this.#dialed.delete(key));
    }
    const peer = await dialing;
    if (peer.connection.closed) {
      // It closed after its last session left; open a fresh one.
      this.#dialed.delete(key);
      return this.#dial(firstHop);
    }
    return peer;
  }

  #send(
    session: Session,
    transactionId: string,
    frame: readonly Uint8Array[] | ((connection: Connection) => Promise<void>),
    awaitResponse: boolean,
  ): { sent: Promise<void>; response: Promise<ResponseHead> } {
    const peer = session.connection as Peer | undefined;
    if (!peer) {
      const error = new MsrpError('MSRP_ERR_SESSION', 'Session is not bound to a connection');
      return { sent: Promise.reject(error), response: Promise.reject(error) };
    }
    let response: Promise<ResponseHead>;
    try {
      response = awaitResponse
        ? peer.transactions.start(transactionId)
        : new Promise<ResponseHead>(() => undefined);
    } catch (e) {
      const error = e as MsrpError;
      return { sent: Promise.reject(error), response: Promise.reject(error) };
    }
    const sent =
      typeof frame === 'function' ? frame(peer.connection) : peer.connection.write(frame);
    sent.catch((e: unknown) =>
      peer.transactions.fail(
        transactionId,
        e instanceof MsrpError ? e : new MsrpError('MSRP_ERR_CONNECTION', String(e), { cause: e }),
      ),
    );
    response.catch(() => undefined);
    return { sent, response };
  }

  #removeSession(session: Session): void {
    const key = uriKey(session.localUri);
    if (this.#sessions.get(key) === session) this.#sessions.delete(key);
    const id = session.localUri.sessionId;
    if (id !== undefined && this.#sessionsById.get(id) === session) this.#sessionsById.delete(id);
    const peer = session.connection as Peer | undefined;
    if (peer) {
      peer.removeSession(session);
      // A connection we opened is closed when its last session leaves.
      if (peer.key !== undefined && peer.sessions.size === 0 && !peer.pinned) {
        this.#dialed.delete(peer.key);
        void peer.connection.close();
      }
    }
  }
}

function describe(socket: { remoteAddress?: string; remotePort?: number }): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}
