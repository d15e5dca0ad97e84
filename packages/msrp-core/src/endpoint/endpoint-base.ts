import { emitOrThrowLater } from '../events/throw-later.js';
import { TypedEmitter } from '../events/typed-emitter.js';
import { MsrpError } from '../errors.js';
import { checkNumbers } from '../option-check.js';
import { abortable, abortedError } from '../session/abortable.js';
import { SESSION_NUMBERS } from '../session/option-defaults.js';
import { Session } from '../session/session.js';
import type { SessionLink, SessionPort } from '../session/session-link.js';
import type { SessionRuntime } from '../session/session-runtime.js';
import { RelayRegistration, type RelayAccount } from '../session/relay-registration.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { Connection } from '../transport/connection.js';
import { maxWebSocketMessageFor, type Dialer } from '../transport/dialer.js';
import { newSessionId } from '../wire/ids.js';
import { answerableRequest } from '../wire/response.js';
import { uriKey, type MsrpUri } from '../wire/uri.js';
import { defaultAuthority, type Authority } from './authority.js';
import { ConnectionPool } from './connection-pool.js';
import {
  ENDPOINT_NUMBERS,
  type AuthenticateOptions,
  type CreateSessionOptions,
  type EndpointEvents,
  type EndpointOptions,
} from './options.js';
import { Peer, type PeerHost } from './peer.js';
import { SessionRouter } from './router.js';

// The options and events live in their own file; they are still found here.
export type {
  AuthenticateOptions,
  CreateSessionOptions,
  EndpointEvents,
  EndpointOptions,
} from './options.js';

/**
 * What an endpoint takes from the runtime it runs on: dialers, a hasher and, on Node, a file
 * system. The Node entry's `Endpoint` gives TCP/TLS, `node:crypto` and `node:fs`; the browser
 * entry's gives `@noble/hashes` and no file system.
 */
export interface EndpointRuntime extends SessionRuntime {
  /** Dialers by URI scheme, unless the options name their own. */
  readonly dialers: Readonly<Record<string, Dialer>>;
}

/**
 * What an MSRP endpoint (RFC 4975) is on every runtime: it dials, keeps the sessions, routes
 * each inbound request to its session by the first URI of To-Path (481 when none matches, 506
 * when the session is bound to another connection), and shares one connection among the
 * sessions to the same peer (RFC 4975 §5.4, §8.1). `await using` closes it. Applications use
 * the `Endpoint` of their entry: `@msrp-ts/msrp-core` (Node, which adds `listen()`) or
 * `@msrp-ts/msrp-core/browser`.
 */
export class EndpointBase extends TypedEmitter<EndpointEvents> implements AsyncDisposable {
  readonly #options: EndpointOptions;
  readonly #peers = new Set<Peer>();
  /**
   * Connections forgotten as they began to close (a session's close, the peer's FIN), until
   * they are: {@link close} waits for them too, so that a process may exit once it resolves.
   */
  readonly #closing = new Set<Promise<void>>();
  /** The connection each bound session uses. */
  readonly #boundTo = new Map<Session, Peer>();
  readonly #router: SessionRouter;
  readonly #pool: ConnectionPool;
  readonly #runtime: EndpointRuntime;
  #authority: Authority;
  readonly #link: SessionLink;
  readonly #peerHost: PeerHost;
  #registration: RelayRegistration<SessionPort> | undefined;
  #closed = false;

  /**
   * @param runtime What the runtime gives: the `Endpoint` of each entry passes its own.
   * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` for a numeric option (or session
   * default) out of its range, e.g. `maxSessions: 0`.
   */
  constructor(options: EndpointOptions, runtime: EndpointRuntime) {
    super();
    checkNumbers(options, ENDPOINT_NUMBERS, 'Endpoint option ');
    checkNumbers(options.session, SESSION_NUMBERS, 'Endpoint option session.');
    this.#options = options;
    this.#runtime = {
      ...runtime,
      ...(options.dialers && { dialers: options.dialers }),
      ...(options.createHasher && { createHasher: options.createHasher }),
    };
    this.#authority = defaultAuthority(options);
    this.#router = new SessionRouter(options.matchSessionIdOnly ?? false, (session, peer, req) => {
      // Registered before 'bound' is emitted: a handler that closes the session finds it
      // here and takes it off the connection again.
      this.#boundTo.set(session, peer);
      peer.addSession(session);
      session.bindInbound(peer.port, req);
      return session.state !== 'closed';
    });
    this.#peerHost = {
      route: (peer, request) => this.#router.route(peer, request),
      peerFault: (peer, error) => {
        const request = answerableRequest(error);
        if (request) this.#router.respond(peer, request, error.status!, error.message);
        emitOrThrowLater(this, 'peerError', error, peer.remote);
      },
      forget: (peer, error) => this.#forget(peer, error),
      peerError: (error, remote) => emitOrThrowLater(this, 'peerError', error, remote),
    };
    this.#pool = new ConnectionPool({
      dialers: this.#runtime.dialers,
      tls: options.tls,
      connectTimeout: options.connectTimeout ?? 10_000,
      maxWebSocketMessage:
        options.maxWebSocketMessage ?? maxWebSocketMessageFor(options.maxHeaderBytes),
      attach: (stream, key) =>
        this.#attach(stream, new Peer(this.#peerHost, key, this.#options, key), {
          // The dialing side keeps the connection alive (Peer.idle sends keepalives).
          idleTimeout: this.#options.keepaliveInterval ?? 60_000,
        }),
    });
    this.#link = {
      connect: (session, firstHop, signal) => this.#connect(session, firstHop, signal),
      closed: (session) => this.#removeSession(session),
    };
  }

  /** Number of sessions. */
  get sessionCount(): number {
    return this.#router.size;
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
  get registration(): RelayRegistration<SessionPort> | undefined {
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
   * 403, 423...), or `MSRP_ERR_CONNECTION`; `MSRP_ERR_ABORTED` when `options.signal` aborts
   * first (the registration is then closed and nothing refreshes).
   */
  async authenticate(
    from?: MsrpUri,
    options: AuthenticateOptions = {},
  ): Promise<readonly MsrpUri[]> {
    this.assertOpen('authenticate');
    const relays = this.#options.relays ?? [];
    if (relays.length === 0)
      throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'No relays configured');
    if (options.signal?.aborted) throw abortedError(options.signal, 'authenticate');
    this.#registration?.close();
    let relay: Peer | undefined;
    // Sessions reach the first relay's Use-Path URI over the connection we authenticated on.
    const reuse = (usePath: readonly MsrpUri[]): void => {
      if (relay && usePath[0]) this.#pool.alias(usePath[0], relay);
    };
    const registration = new RelayRegistration<SessionPort>(
      {
        connect: async (firstHop) => {
          const peer = await this.#pool.dial(firstHop);
          peer.pinned = true;
          relay = peer;
          return peer.port;
        },
        request: (port, head) => port.request(head),
      },
      relays,
      from ?? { ...this.#authority, sessionId: newSessionId(), params: [] },
      { createHasher: this.#runtime.createHasher },
    );
    // A failed refresh is an endpoint event: an 'error' nobody listens to would crash the app.
    registration.on('error', (error) => emitOrThrowLater(this, 'relayError', error));
    registration.on('refreshed', reuse);
    this.#registration = registration;
    // Refused or given up: nothing was granted, so nothing is lost when the relay closes the
    // connection later (no relayLost), which is released as any other once unused.
    const drop = (): void => {
      registration.close();
      if (this.#registration === registration) this.#registration = undefined;
      if (relay) {
        relay.pinned = false;
        this.#pool.release(relay);
      }
    };
    const granted = registration.authenticate().then(
      (usePath) => {
        reuse(usePath);
        return usePath;
      },
      (e: unknown) => {
        drop();
        throw e;
      },
    );
    return abortable(granted, options.signal, 'authenticate', drop);
  }

  /**
   * Makes a listener's authority (scheme, host, port) that of the sessions created from now
   * on, as the Node `Endpoint` does for its first listener.
   * @internal
   */
  protected setAuthority(authority: {
    scheme: 'msrp' | 'msrps';
    host: string;
    port: number;
  }): void {
    this.#authority = { ...authority, transport: 'tcp' };
  }

  /**
   * Creates a session with a fresh session-id (or the given URI).
   * @throws {MsrpError} `MSRP_ERR_LIMIT` past `maxSessions`; `MSRP_ERR_INVALID_ARGUMENT` if
   * the URI is taken (with `matchSessionIdOnly`, its session-id), or a numeric option is out
   * of its range (a `chunkSize` of 0);
   * `MSRP_ERR_SESSION` once the endpoint is closed.
   */
  createSession(options: CreateSessionOptions = {}): Session {
    this.assertOpen('create a session');
    if (this.#router.size >= (this.#options.maxSessions ?? 10_000)) {
      throw new MsrpError(
        'MSRP_ERR_LIMIT',
        `More than ${this.#options.maxSessions ?? 10_000} sessions`,
      );
    }
    const { localUri, ...sessionOptions } = options;
    const uri: MsrpUri = localUri ?? { ...this.#authority, sessionId: newSessionId(), params: [] };
    if (this.#router.has(uriKey(uri)))
      throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'A session with this URI exists');
    // Routed by session-id alone, two sessions sharing one would take each other's requests.
    const id = uri.sessionId;
    if (this.#options.matchSessionIdOnly && id !== undefined && this.#router.hasSessionId(id))
      throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'A session with this session-id exists');
    const session = new Session(
      uri,
      this.#link,
      {
        ...(this.#options.createHasher && { createHasher: this.#options.createHasher }),
        ...this.#options.session,
        ...sessionOptions,
      },
      this.usePath,
      this.#runtime,
    );
    this.#router.add(session);
    return session;
  }

  /**
   * Takes an inbound connection that arrived by other means than a listener: any
   * {@link ByteStream} (a WebSocket, `socketStream()` over one end of an in-memory pair in
   * tests). It is served as an accepted one (routing, `bindTimeout`, `idleTimeout`); the
   * connection caps of the Node `listen()` are the caller's to apply. Once the endpoint is
   * closed, the stream is closed at once.
   * @param remote Names the peer in `peerError` events. Default: the stream's `remote`.
   */
  acceptConnection(stream: ByteStream, remote = stream.remote): void {
    // Nothing would close it again: close() is over, and bindTimeout may be 0 (never).
    if (this.#closed) return stream.destroy();
    const peer = this.#attach(stream, new Peer(this.#peerHost, remote, this.#options), {
      idleTimeout: this.#options.idleTimeout ?? 300_000,
    });
    peer.expectBind(this.#options.bindTimeout ?? 30_000);
  }

  /**
   * Closes every session and connection, and stops the dials in progress: a socket being
   * connected is destroyed at once, not left until `connectTimeout`. Resolves once every
   * connection is closed: its queued bytes written and the peer's FIN read (2 s at most for
   * a peer that does not read), so that a process may exit then without resetting any.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#registration?.close();
    this.#registration = undefined;
    for (const session of [...this.#router.sessions()]) await session.close();
    // After the sessions: a connect() they were in fails as their close says, not as aborted.
    this.#pool.close(new MsrpError('MSRP_ERR_SESSION', 'The endpoint is closed'));
    await Promise.all([...[...this.#peers].map((p) => p.connection.close()), ...this.#closing]);
  }

  /**
   * Throws once {@link close} was called: what `call` would open (a session, a connection to a
   * relay, a listener) would outlive the close, and nothing would close it.
   * @throws {MsrpError} `MSRP_ERR_SESSION`.
   * @internal
   */
  protected assertOpen(call: string): void {
    if (this.#closed)
      throw new MsrpError('MSRP_ERR_SESSION', `Cannot ${call}: the endpoint is closed`);
  }

  /** Closes the endpoint, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- connections --------------------------------------------------------------------

  #attach(stream: ByteStream, peer: Peer, timing: { idleTimeout: number }): Peer {
    peer.connection = new Connection(stream, peer, {
      ...this.#options,
      frameTimeout: this.#options.frameTimeout ?? 30_000,
      ...timing,
    });
    this.#peers.add(peer);
    return peer;
  }

  /** A connection closed. */
  #forget(peer: Peer, error?: Error): void {
    this.#peers.delete(peer);
    const closed = peer.connection.whenClosed;
    this.#closing.add(closed);
    void closed.then(() => this.#closing.delete(closed));
    this.#pool.forget(peer);
    if (peer.pinned && this.#registration) {
      this.#registration.close();
      this.#registration = undefined;
      emitOrThrowLater(
        this,
        'relayLost',
        new MsrpError('MSRP_ERR_CONNECTION', `Connection to the relay ${peer.remote} lost`, {
          cause: error,
        }),
      );
    }
    for (const session of peer.sessions) {
      this.#boundTo.delete(session);
      session.unbind(error);
    }
    peer.sessions.clear();
  }

  async #connect(session: Session, firstHop: MsrpUri, signal?: AbortSignal): Promise<SessionPort> {
    let peer = await this.#dial(firstHop, signal);
    // RFC 4975 §5.4: sessions to a peer share its connection, and one session's close is no
    // failure of it; the one we got may have closed as its last session left meanwhile.
    for (let tries = 1; peer.connection.closed && !signal?.aborted; tries++) {
      if (tries > 3) throw new MsrpError('MSRP_ERR_CONNECTION', `${peer.remote} keeps closing`);
      peer = await this.#dial(firstHop, signal);
    }
    // Aborted (or closed) while dialing: a connection nobody else uses is closed again.
    if (signal?.aborted || session.state === 'closed') {
      this.#releaseSoon(peer);
      throw signal?.aborted
        ? abortedError(signal, 'connect')
        : new MsrpError('MSRP_ERR_SESSION', 'Session closed');
    }
    this.#boundTo.set(session, peer);
    peer.addSession(session);
    return peer.port;
  }

  /** The pooled connection to `firstHop`; when `signal` aborts first, the dial goes on. */
  #dial(firstHop: MsrpUri, signal: AbortSignal | undefined): Promise<Peer> {
    const dialing = this.#pool.dial(firstHop);
    return abortable(dialing, signal, 'connect', () => {
      // Once the sessions awaiting the dial took its connection, one nobody uses is closed.
      dialing.then(
        (opened) => this.#releaseSoon(opened),
        () => undefined,
      );
    });
  }

  /**
   * Closes a connection we dialed unless a session takes it within this turn of the event
   * loop: one connecting (its dial resolved) adds itself a few microtasks later. At once
   * when the endpoint is closing: no session will.
   */
  #releaseSoon(peer: Peer): void {
    if (this.#closed) this.#pool.release(peer);
    else setTimeout(() => this.#pool.release(peer), 0);
  }

  #removeSession(session: Session): void {
    this.#router.remove(session);
    const peer = this.#boundTo.get(session);
    if (peer) {
      this.#boundTo.delete(session);
      peer.removeSession(session);
      // A connection we opened is closed when its last session leaves.
      this.#releaseSoon(peer);
    }
  }
}
