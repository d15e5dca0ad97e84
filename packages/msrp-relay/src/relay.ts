import type { Head, MsrpHeaders, MsrpUri, RequestHead, TlsServerOptions } from '@msrp-ts/msrp-core';
import type { TLSSocket } from 'node:tls';
import {
  answerableRequest,
  atEnd,
  discardFrame,
  listenMsrp,
  responseFrame,
  type FrameTarget,
  defaultDialers,
  formatUri,
  MsrpError,
} from '@msrp-ts/msrp-core/internal';
import { AuthHandler } from './auth-handler.js';
import { Forwarder } from './forwarder.js';
import type { Hop, PendingForward } from './hop.js';
import { HopRegistry } from './hop-registry.js';
import { throttledWarning, type ThrottledLog } from './log-throttle.js';
import {
  checkRelayOptions,
  resolveLimits,
  silentLogger,
  type RelayLogger,
  type ResolvedLimits,
  type RelayOptions,
} from './relay-options.js';
import { RelayStats } from './relay-stats.js';
import type { RelaySession } from './relay-session.js';
import { pathsForLog, routeRequest } from './router.js';
import { replaceCertificate, type SecureContextTarget } from './tls-reload.js';
import { wholeBodyLimit } from './whole-forward.js';
import { listenWebSocket, type WebSocketListenOptions } from './ws-listener.js';

/** Where a relay listens. */
export interface RelayListenOptions {
  /** Address to bind, IPv4 or IPv6. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 picks a free one. Default 2855 (RFC 4975 §15.5). */
  port?: number;
  /** Certificate and key: listen for `msrps:` (TLS, or `wss:` with `transport: 'ws'`). */
  tls?: TlsServerOptions;
  /**
   * `ws`: listen for MSRP over WebSocket (RFC 7977), `ws:` or with `tls` `wss:`, for browsers
   * and other WebSocket clients. Default `tcp`.
   */
  transport?: 'tcp' | 'ws';
  /** The WebSocket handshake's path and allowed origins (with `transport: 'ws'`). */
  webSocket?: WebSocketListenOptions;
}

/**
 * An MSRP relay (RFC 4976): authenticates clients with AUTH and HTTP Digest, hands each a
 * relay URI in Use-Path, and forwards requests along To-Path, rewriting To-Path and
 * From-Path. Chunk bodies are forwarded as they arrive, with backpressure from the slow side
 * to the fast one, so memory stays bounded whatever the message size. Responses are hop by
 * hop: the relay answers each chunk itself and reports a failure further on with a REPORT.
 *
 * The facade over four parts: its connections ({@link HopRegistry}), where requests go
 * (`routeRequest`), how they get there ({@link Forwarder}) and AUTH ({@link AuthHandler}).
 *
 * @example
 * ```ts
 * const relay = new Relay({ credentials: new StaticCredentialStore([{ username: 'alice', password: 'pw' }]) });
 * const uri = await relay.listen({ host: '127.0.0.1', port: 0 });
 * // ... endpoints AUTH to uri and send through it ...
 * await relay.close();
 * ```
 */
export class Relay {
  /** Counters for metrics. */
  readonly stats = new RelayStats();
  readonly #options: RelayOptions;
  readonly #log: RelayLogger;
  readonly #servers: { stop: () => Promise<void>; uri: MsrpUri; tls?: SecureContextTarget }[] = [];
  readonly #limits: ResolvedLimits;
  readonly #hops: HopRegistry;
  readonly #forwarder: Forwarder;
  readonly #auth: AuthHandler;
  /** The relay session of a session-id, for `routeRequest` (one function, not one per request). */
  readonly #sessionOf: (id: string) => RelaySession | undefined;
  #closing = false;
  // A peer failing its handshakes in a loop must not flood the log.
  readonly #tlsFailedLog: ThrottledLog;
  readonly #wsRefusedLog: ThrottledLog;

  /**
   * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` for a numeric option or limit out of its
   * range, or Expires bounds that grant nothing (see {@link checkRelayOptions}).
   */
  constructor(options: RelayOptions) {
    checkRelayOptions(options);
    this.#options = options;
    const limits = (this.#limits = resolveLimits(options.limits));
    const log = (this.#log = options.logger ?? silentLogger);
    this.#tlsFailedLog = throttledWarning(log, 'TLS handshake failed');
    this.#wsRefusedLog = throttledWarning(log, 'WebSocket handshake refused');
    const stats = this.stats;
    // RFC 4975 §7.1: how long a forwarded request awaits its response.
    const transactionTimeout = options.transactionTimeout ?? 30_000;
    this.#hops = new HopRegistry({
      owner: this,
      options,
      limits,
      stats,
      log,
      dialers: options.dialers ?? defaultDialers,
      closing: () => this.#closing,
      fastPath: {
        stats,
        maxBody: wholeBodyLimit(limits),
        maxPendingTransactions: limits.maxPendingTransactions,
        maxHeaderBytes: limits.maxHeaderBytes,
        transactionTimeout,
        sessionOf: (id) => this.#sessionOf(id),
        closing: () => this.#closing,
        nextId: () => this.#forwarder.nextId(),
        response: (hop, response) => this.#forwarder.response(hop, response),
      },
    });
    const respond = this.#respond.bind(this);
    this.#forwarder = new Forwarder({
      hops: this.#hops,
      limits,
      stats,
      transactionTimeout,
      respond,
    });
    this.#auth = new AuthHandler({
      options,
      limits,
      stats,
      log,
      respond,
      shut: (hop, why, level) => this.#shut(hop, why, level),
    });
    const auth = this.#auth;
    this.#sessionOf = (id) => auth.session(id);
  }

  /** The URIs listened on (no session-id). */
  get uris(): readonly MsrpUri[] {
    return this.#servers.map((s) => s.uri);
  }

  /** Authenticated relay sessions now. */
  get sessionCount(): number {
    return this.#auth.size;
  }

  /** Connections open now, not counting those being closed. */
  get connectionCount(): number {
    return this.#hops.size;
  }

  /** Body bytes queued in the relay for slow next hops, over all connections. */
  get queuedBytes(): number {
    return this.#hops.queuedBytes;
  }

  /** Whether {@link close} was called. */
  get closing(): boolean {
    return this.#closing;
  }

  /**
   * Listens for clients and peers on TCP (`msrp:`) or, with `tls`, TLS (`msrps:`), on IPv4
   * or IPv6; with `transport: 'ws'`, on WebSocket (`ws:`/`wss:`). Returns the URI listened
   * on, with the port really bound (e.g. `msrp://127.0.0.1:40123;ws`).
   * @throws {MsrpError} `MSRP_ERR_SESSION` once {@link close} was called (also while binding:
   * the listener is closed again); `MSRP_ERR_CONNECTION` when the address cannot be bound
   * (its message names it, the system's error, `EADDRINUSE`..., is the cause);
   * `MSRP_ERR_INVALID_ARGUMENT` for a port that is not a whole number from 0 to 65535.
   */
  async listen(options: RelayListenOptions = {}): Promise<MsrpUri> {
    this.#assertOpen();
    if (options.transport === 'ws') return this.#listenWebSocket(options);
    let port = 0;
    const scheme = options.tls ? 'msrps' : 'msrp';
    const listening = await listenMsrp(
      options,
      2855,
      {
        accept: (socket) => this.#hops.accept(socket, scheme, port),
        tlsError: (error, socket) => this.#tlsFailed(error, socket),
      },
      // What it reads and forwards is lent until written (ChunkScheduler, WholeForward); of
      // thousands of quiet clients, none holds a read buffer.
      { reuseReads: true, idleHoldsNothing: true },
    );
    port = listening.port;
    const { server } = listening;
    const stop = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
    // With `tls`, listenMsrp's server is a tls.Server.
    const tls = options.tls && (server as unknown as SecureContextTarget);
    return this.#listening(scheme, 'tcp', this.#options.host ?? listening.host, port, stop, tls);
  }

  async #listenWebSocket(options: RelayListenOptions): Promise<MsrpUri> {
    let port = 0;
    const scheme = options.tls ? 'msrps' : 'msrp';
    const listening = await listenWebSocket({
      ...options.webSocket,
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 2855,
      ...(options.tls && { tls: options.tls }),
      maxPayload: this.#limits.maxWebSocketMessage,
      full: (address, remote) => this.#hops.refusesHandshake(address, remote),
      accept: (socket, address, remote) =>
        this.#hops.acceptWebSocket(socket, address, remote, scheme, port),
      refused: (remote, why) => this.#wsRefusedLog.line({ remote, transport: 'ws', why }),
      tlsError: (error, socket) => this.#tlsFailed(error, socket),
    });
    port = listening.port;
    const host = this.#options.host ?? listening.host;
    const stop = (): Promise<void> => listening.close();
    return this.#listening(scheme, 'ws', host, port, stop, listening.secureContextTarget);
  }

  /** A client's TLS handshake failed, on an msrps: or a wss: listener (one log budget). */
  #tlsFailed(error: Error, socket: TLSSocket): void {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.#tlsFailedLog.line({ remote, error: error.message });
  }

  #listening(
    scheme: 'msrp' | 'msrps',
    transport: 'tcp' | 'ws',
    host: string,
    port: number,
    stop: () => Promise<void>,
    tls?: SecureContextTarget,
  ): MsrpUri {
    // Closed while binding: close() did not see this listener.
    if (this.#closing) void stop();
    this.#assertOpen();
    const uri: MsrpUri = Object.freeze({ scheme, host, port, transport, params: [] });
    this.#servers.push({ stop, uri, ...(tls && { tls }) });
    this.#log.info({ uri: formatUri(uri) }, 'listening');
    return uri;
  }

  /** A listener opened once the relay closes would outlive it, and keep the process up. */
  #assertOpen(): void {
    if (this.#closing)
      throw new MsrpError('MSRP_ERR_SESSION', 'Cannot listen: the relay is closed');
  }

  /**
   * Replaces the certificate and key of every `msrps:` listener (TLS and `wss:`): handshakes
   * from now on get `tls`, connections already up keep theirs. All listeners or none: a
   * certificate or key that does not load, or that do not match, throws and changes nothing.
   * Returns how many listeners were updated.
   */
  setTls(tls: TlsServerOptions): number {
    const targets = this.#servers.flatMap((s) => s.tls ?? []);
    replaceCertificate(targets, tls);
    return targets.length;
  }

  /**
   * Shuts down gracefully: stops accepting, lets the chunks in progress finish and the
   * queued frames go out (up to `graceMs`, default 10 000), then closes every connection.
   */
  async close(graceMs = 10_000): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const hops = this.#hops.hops;
    this.#log.info({ connections: hops.size, sessions: this.#auth.size }, 'closing');
    const stopped = this.#servers.map(({ stop }) => stop());
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && [...hops].some((h) => h.inFrame || !h.scheduler.idle)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const grace = Math.max(100, deadline - Date.now());
    await Promise.all([...hops].flatMap((hop) => hop.connection?.close(grace) ?? []));
    this.#auth.dropAll();
    await Promise.all(stopped);
    this.#hops.flushLog();
    this.#auth.flushLog();
    this.#tlsFailedLog.flush();
    this.#wsRefusedLog.flush();
    this.#log.info({}, 'closed');
  }

  // ---- what the hops report (HopOwner) ---------------------------------------------------
  // The relay is its hops' HopOwner by shape only, with no `implements`: these members are
  // @internal, stripped from the published types, where the clause would no longer hold.

  /** @internal Decides what becomes of an inbound frame; the returned target takes its body. */
  route(hop: Hop, head: Head): FrameTarget {
    if (head.kind === 'response') {
      this.#forwarder.response(hop, head);
      return discardFrame;
    }
    if (this.#closing) {
      // Shutting down: new requests are read and dropped unanswered, so that nothing new
      // is confirmed; reading goes on, so that responses and the peers' FIN still arrive.
      return discardFrame;
    }
    // RFC 4976 §6.1: an AUTH whose To-Path is only this relay is for the relay itself.
    if (head.method === 'AUTH' && head.toPath.length === 1) {
      // Once answered, the AUTH's lines are no template for what the client sends next, and
      // most clients then stay quiet: the parser forgets them (issue 13: memory per session).
      const forget = (): void => hop.connection?.forgetHeaders();
      return atEnd(() => void this.#auth.authenticate(hop, head).then(forget, forget));
    }
    const route = routeRequest(hop, head, this.#sessionOf);
    if (route.kind === 'forward') return this.#forwarder.forward(hop, head, route);
    const { status, reason } = route;
    const fields = { remote: hop.remote, method: head.method, status, reason };
    this.#log.warn({ ...fields, ...pathsForLog(head) }, 'request not forwarded');
    return atEnd(() => this.#respond(hop, head, status, reason));
  }

  /**
   * @internal Closing a connection is decided (its slot is free already): its sessions end,
   * what waited on it fails.
   */
  closed(hop: Hop, error?: Error): void {
    this.stats.connections--;
    this.#hops.forget(hop);
    hop.scheduler.fail(
      new MsrpError('MSRP_ERR_CONNECTION', `Connection to ${hop.remote} closed`, { cause: error }),
    );
    this.#forwarder.closed(hop);
    for (const session of [...hop.sessions]) this.#auth.drop(session);
    this.#log.debug(
      { remote: hop.remote, ...(error && { error: error.message }) },
      'connection closed',
    );
  }

  /** @internal No response to a forwarded request came in time. */
  expired(hop: Hop, pending: PendingForward): void {
    this.#forwarder.expired(hop, pending);
  }

  /**
   * @internal The peer broke the protocol: answer if possible; the connection then closes
   * (not after a request with a header we cannot read: its connection may carry many users'
   * sessions, another relay's or Kamailio's).
   */
  protocolError(hop: Hop, error: MsrpError): void {
    if (error.code === 'MSRP_ERR_FRAME_TIMEOUT') {
      // A slow sender (slowloris): frameTimeout, enforced by the Connection.
      this.stats.frameTimeouts++;
      this.#log.info({ remote: hop.remote }, 'closing connection: frame timeout');
      return;
    }
    this.stats.protocolErrors++;
    this.#log.warn(
      { remote: hop.remote, code: error.code, error: error.message },
      'protocol error',
    );
    const request = answerableRequest(error);
    if (request) this.#respond(hop, request, error.status!, error.message);
  }

  /** @internal `hop` serves nothing and went `idleTimeout` without traffic. */
  idle(hop: Hop): void {
    this.#shut(hop, 'closing idle connection', 'debug');
  }

  /** @internal `hop` read nothing of what the relay wrote for `idleTimeout`. */
  stuck(hop: Hop): void {
    if (hop.retired || !hop.connection) return;
    this.stats.stuckPeersDropped++;
    this.#log.info({ remote: hop.remote }, 'closing connection: the peer stopped reading');
    // Nothing more will be flushed to it: no grace.
    hop.connection.destroy(new MsrpError('MSRP_ERR_CONNECTION', 'The peer stopped reading'));
  }

  /** Closes `hop` now: what is queued is flushed (for up to 500 ms), then FIN. */
  #shut(hop: Hop, why: string, level: 'debug' | 'info' = 'info'): void {
    if (hop.retired || !hop.connection) return;
    this.#log[level]({ remote: hop.remote }, why);
    void hop.connection.close(500);
  }

  /** Answers `request` on `hop` (RFC 4975 §7.2), ahead of the chunk bodies queued there. */
  #respond(
    hop: Hop,
    request: RequestHead,
    status: number,
    comment?: string,
    headers?: Partial<MsrpHeaders>,
  ): void {
    const frame = responseFrame(request, status, comment, headers);
    if (!frame) return;
    // A 401 challenging an AUTH without credentials is the normal first step, not an error.
    const challenge = status === 401 && request.authorization === undefined;
    if (status >= 400 && !challenge) RelayStats.bump(this.stats.errors, status);
    hop.scheduler.send(frame);
  }
}
