import { once } from 'node:events';
import type { Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  Connection,
  ConnectionLimits,
  MsrpError,
  defaultDialers,
  encodeFrame,
  formatUri,
  newSessionId,
  newTransactionId,
  uriEquals,
  type Dialer,
  type Head,
  type MsrpHeaders,
  type MsrpUri,
  type RequestHead,
  type ResponseHead,
  answerableRequest,
  connectionEvent,
  createListener,
  wantsResponse,
  type TlsServerOptions,
} from '@msrp-ts/msrp-core';
import type { ChunkSchedulerOptions } from './chunk-scheduler.js';
import { DigestAuthenticator } from './digest-authenticator.js';
import { discardFrame, Hop, type FrameTarget, type HopOwner, type PendingForward } from './hop.js';
import {
  resolveLimits,
  silentLogger,
  type RelayLogger,
  type RelayOptions,
  type ResolvedLimits,
} from './relay-options.js';
import { authorityKey, RelaySession } from './relay-session.js';
import { RelayStats } from './relay-stats.js';
import { pathsForLog, routeRequest } from './router.js';
import { failureReport, responseHead } from './hop-frames.js';

/** Where a relay listens. */
export interface RelayListenOptions {
  /** Address to bind, IPv4 or IPv6. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 picks a free one. Default 2855 (RFC 4975 §15.5). */
  port?: number;
  /** Certificate and key: listen for `msrps:` (TLS). */
  tls?: TlsServerOptions;
}

/**
 * An MSRP relay (RFC 4976): authenticates clients with AUTH and HTTP Digest, hands each a
 * relay URI in Use-Path, and forwards requests along To-Path, rewriting To-Path and
 * From-Path. Chunk bodies are forwarded as they arrive, with backpressure from the slow side
 * to the fast one, so memory stays bounded whatever the message size. Responses are hop by
 * hop: the relay answers each chunk itself and reports a failure further on with a REPORT.
 *
 * @example
 * ```ts
 * const relay = new Relay({ credentials: new StaticCredentialStore([{ username: 'alice', password: 'pw' }]) });
 * const uri = await relay.listen({ host: '127.0.0.1', port: 0 });
 * // ... endpoints AUTH to uri and send through it ...
 * await relay.close();
 * ```
 */
export class Relay implements HopOwner {
  /** Counters for metrics. */
  readonly stats = new RelayStats();
  readonly #options: RelayOptions;
  readonly #limits: ResolvedLimits;
  readonly #log: RelayLogger;
  readonly #auth: DigestAuthenticator;
  readonly #dialers: Readonly<Record<string, Dialer>>;
  readonly #scheduler: ChunkSchedulerOptions;
  readonly #servers: { server: Server; uri: MsrpUri }[] = [];
  /** Live connections, in all and per address (inbound): closing ones no longer count. */
  readonly #connections: ConnectionLimits;
  /** Every connection until its socket has closed. */
  readonly #hops = new Set<Hop>();
  readonly #dialed = new Map<string, Hop>();
  readonly #sessions = new Map<string, RelaySession>();
  readonly #sweep: NodeJS.Timeout;
  #closing = false;

  constructor(options: RelayOptions) {
    this.#options = options;
    this.#limits = resolveLimits(options.limits);
    this.#connections = new ConnectionLimits(this.#limits);
    this.#log = options.logger ?? silentLogger;
    this.#dialers = options.dialers ?? defaultDialers;
    this.#auth = new DigestAuthenticator({
      realm: options.realm ?? 'msrp-relay',
      store: options.credentials,
      ...(options.nonceLifetime !== undefined && { nonceLifetime: options.nonceLifetime }),
    });
    this.#scheduler = {
      maxQueued: this.#limits.maxQueuedBytes,
      maxQueuedPerChunk: this.#limits.maxQueuedBytes,
    };
    const sweep = Math.max(50, Math.min(1000, (options.transactionTimeout ?? 30_000) / 2));
    this.#sweep = setInterval(() => this.#expirePending(), sweep);
    this.#sweep.unref();
  }

  /** The URIs listened on (no session-id). */
  get uris(): readonly MsrpUri[] {
    return this.#servers.map((s) => s.uri);
  }

  /** Authenticated relay sessions now. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Connections open now, not counting those being closed. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Body bytes queued in the relay for slow next hops, over all connections. */
  get queuedBytes(): number {
    let bytes = 0;
    for (const hop of this.#hops) bytes += hop.scheduler.queuedBytes;
    for (const hop of this.#dialed.values())
      if (!this.#hops.has(hop)) bytes += hop.scheduler.queuedBytes;
    return bytes;
  }

  /** Whether {@link close} was called. */
  get closing(): boolean {
    return this.#closing;
  }

  /**
   * Listens for clients and peers on TCP (`msrp:`) or, with `tls`, TLS (`msrps:`), on IPv4
   * or IPv6. Returns the URI listened on, with the port really bound.
   */
  async listen(options: RelayListenOptions = {}): Promise<MsrpUri> {
    const tls = options.tls;
    const scheme = tls ? 'msrps' : 'msrp';
    const server = createListener(tls);
    let port = 0;
    server.on(connectionEvent(tls), (socket: Socket) => this.#accept(socket, scheme, port));
    server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
      this.#log.warn(
        { remote: `${socket.remoteAddress}:${socket.remotePort}`, error: error.message },
        'TLS handshake failed',
      );
    });
    server.listen(options.port ?? 2855, options.host ?? '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') {
      server.close();
      throw new MsrpError('MSRP_ERR_CONNECTION', 'Listener has no address');
    }
    port = address.port;
    const uri: MsrpUri = Object.freeze({
      scheme,
      host: this.#options.host ?? address.address,
      port,
      transport: 'tcp',
      params: [],
    });
    this.#servers.push({ server, uri });
    this.#log.info({ uri: formatUri(uri) }, 'listening');
    return uri;
  }

  /**
   * Shuts down gracefully: stops accepting, lets the chunks in progress finish and the
   * queued frames go out (up to `graceMs`, default 10 000), then closes every connection.
   */
  async close(graceMs = 10_000): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#log.info({ connections: this.#hops.size, sessions: this.#sessions.size }, 'closing');
    const stopped = this.#servers.map(
      ({ server }) => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && [...this.#hops].some((h) => h.inFrame || !h.scheduler.idle)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const grace = Math.max(100, deadline - Date.now());
    await Promise.all([...this.#hops].flatMap((hop) => hop.connection?.close(grace) ?? []));
    clearInterval(this.#sweep);
    for (const session of [...this.#sessions.values()]) this.#dropSession(session);
    await Promise.all(stopped);
    this.#log.info({}, 'closed');
  }

  // ---- connections ----------------------------------------------------------------------

  #accept(socket: Socket, scheme: 'msrp' | 'msrps', port: number): void {
    const address = socket.remoteAddress ?? '?';
    const remote = `${address}:${socket.remotePort ?? '?'}`;
    const admission = this.#closing ? undefined : this.#connections.admit(address);
    if (!admission?.admitted) {
      this.stats.connectionsRefused++;
      this.#log.warn({ remote }, 'connection refused: limit reached');
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const hop = new Hop(this, { kind: 'inbound', scheme, port }, remote, address, this.#scheduler);
    this.#attach(hop, socket, admission.release);
    this.stats.connectionsOpened.inbound++;
    // An inbound connection must authenticate, or bring a request we forward, in time.
    hop.expectTrust(this.#limits.unauthenticatedTimeout, () => {
      this.#log.info({ remote }, 'closing unauthenticated connection');
      hop.connection?.destroy();
    });
    this.#log.debug({ remote }, 'connection accepted');
  }

  #attach(hop: Hop, socket: Socket, release: () => void): void {
    const { maxHeaderBytes, idleTimeout, frameTimeout } = this.#limits;
    const connection = new Connection(socket, hop, { maxHeaderBytes, idleTimeout, frameTimeout });
    hop.connection = connection;
    hop.release = release;
    this.#hops.add(hop);
    void connection.whenClosed.then(() => this.#hops.delete(hop));
    this.stats.connections++;
    hop.scheduler.attach(connection);
  }

  /** The connection to the authority of `uri`: reused, or dialed (TCP or TLS by scheme). */
  #outbound(uri: MsrpUri): Hop {
    const key = `${uri.scheme}://${authorityKey(uri)}`;
    const known = this.#dialed.get(key);
    if (known) return known;
    const hop = new Hop(this, { kind: 'outbound', key }, key, uri.host, this.#scheduler);
    this.#dialed.set(key, hop);
    const dialer = this.#dialers[uri.scheme];
    const refuse = (error: MsrpError): void => {
      if (this.#dialed.get(key) === hop) this.#dialed.delete(key);
      this.#log.warn({ next: formatUri(uri), error: error.message }, 'next hop unreachable');
      hop.scheduler.fail(error);
    };
    if (!dialer || this.#connections.size >= this.#limits.maxConnections) {
      queueMicrotask(() =>
        refuse(
          new MsrpError(
            'MSRP_ERR_CONNECTION',
            dialer ? 'Too many connections' : `No dialer for ${uri.scheme}`,
          ),
        ),
      );
      return hop;
    }
    dialer(uri, {
      ...(this.#options.tls && { tls: this.#options.tls }),
      timeout: this.#options.connectTimeout ?? 10_000,
    }).then(
      (socket) => {
        // Outbound connections count in all, not per address.
        const admission = this.#closing ? undefined : this.#connections.admit();
        if (!admission?.admitted) {
          socket.destroy();
          const why = this.#closing ? 'Relay is shutting down' : 'Too many connections';
          refuse(new MsrpError('MSRP_ERR_CONNECTION', why));
          return;
        }
        hop.remote = `${socket.remoteAddress}:${socket.remotePort}`;
        hop.address = socket.remoteAddress ?? uri.host;
        this.stats.connectionsOpened.outbound++;
        this.#attach(hop, socket, admission.release);
        this.#log.debug({ remote: hop.remote }, 'connected to next hop');
      },
      (e: unknown) =>
        refuse(
          e instanceof MsrpError
            ? e
            : new MsrpError('MSRP_ERR_CONNECTION', String(e), { cause: e }),
        ),
    );
    return hop;
  }

  /**
   * @internal Closing a connection is decided (its slot is free already): its sessions end,
   * what waited on it fails.
   */
  closed(hop: Hop, error?: Error): void {
    this.stats.connections--;
    if (hop.origin.kind === 'outbound' && this.#dialed.get(hop.origin.key) === hop) {
      this.#dialed.delete(hop.origin.key);
    }
    hop.scheduler.fail(
      new MsrpError('MSRP_ERR_CONNECTION', `Connection to ${hop.remote} closed`, { cause: error }),
    );
    for (const pending of hop.pending.values()) this.#giveUp(pending, 408, 'Next hop went away');
    hop.pending.clear();
    this.#unblock(hop, true);
    this.#release(hop);
    for (const session of [...hop.sessions]) this.#dropSession(session);
    this.#log.debug(
      { remote: hop.remote, ...(error && { error: error.message }) },
      'connection closed',
    );
  }

  /** @internal The peer broke the protocol: answer if possible; the connection then closes. */
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

  /** Closes `hop` now: what is queued is flushed (for up to 500 ms), then FIN. */
  #shut(hop: Hop, why: string, level: 'debug' | 'info' = 'info'): void {
    if (hop.retired || !hop.connection) return;
    this.#log[level]({ remote: hop.remote }, why);
    void hop.connection.close(500);
  }

  /**
   * `origin` went away: the requests it had forwarded stop holding their next hops' pending
   * slots (nobody is left to report to), so a dead sender never keeps a receiver full.
   */
  #release(origin: Hop): void {
    for (const target of origin.awaiting) {
      for (const [tid, pending] of target.pending)
        if (pending.origin === origin) target.pending.delete(tid);
      this.#unblock(target, false);
    }
    origin.awaiting.clear();
  }

  // ---- routing --------------------------------------------------------------------------

  /** @internal Decides what becomes of an inbound frame; the returned target takes its body. */
  route(hop: Hop, head: Head): FrameTarget {
    if (head.kind === 'response') {
      this.#response(hop, head);
      return discardFrame;
    }
    if (this.#closing) {
      // Shutting down: new requests are read and dropped unanswered, so that nothing new
      // is confirmed; reading goes on, so that responses and the peers' FIN still arrive.
      return discardFrame;
    }
    // RFC 4976 §6.1: an AUTH whose To-Path is only this relay is for the relay itself.
    if (head.method === 'AUTH' && head.toPath.length === 1) {
      return {
        body: () => true,
        end: () => void this.#authenticate(hop, head),
        abort: () => undefined,
      };
    }
    return this.#forward(hop, head);
  }

  #forward(hop: Hop, request: RequestHead): FrameTarget {
    const route = routeRequest(hop, request, (id) => this.#sessions.get(id));
    if (route.kind === 'refuse') return this.#refuse(hop, request, route.status, route.reason);
    const { to, toPath, fromPath } = route;
    const target = to instanceof Hop ? to : this.#outbound(to);
    if (!hop.trusted) hop.trust();
    if (target.pending.size >= this.#limits.maxPendingTransactions) {
      // The next hop is slow to answer: stop reading this sender until it catches up.
      target.blocked.add(hop);
      hop.pauseAfterHead = true;
      this.stats.sendersHeldBack++;
    }
    return this.#stream(
      hop,
      request,
      { ...request, transactionId: newTransactionId(), toPath, fromPath },
      target,
    );
  }

  /** Forwards a request's body as it arrives (cut-through) and answers it hop by hop. */
  #stream(origin: Hop, request: RequestHead, forwarded: RequestHead, target: Hop): FrameTarget {
    const isSend = request.method === 'SEND';
    const failureReport = request.failureReport ?? 'yes';
    // RFC 4975 §7.1.2: REPORTs get no response; Failure-Report "no" asks for none either.
    const awaitResponse =
      request.method === 'REPORT' ? false : isSend ? failureReport !== 'no' : true;
    const kind = isSend ? 'report' : 'relay';
    const timeout = this.#options.transactionTimeout ?? 30_000;
    const stats = this.stats;
    let received = 0;
    let ended = false;
    let paused = false;
    let failed: { status: number; comment: string } | undefined;
    let openTid: string | undefined;
    let openOffset = 0;
    let segments = 0;
    const forward = target.scheduler.forward(forwarded, {
      segment: (tid, offset) => {
        openTid = tid;
        openOffset = offset;
        segments++;
        // A dead sender's segment (its `#` end) awaits nothing: nobody is left to report to.
        if (!awaitResponse || origin.retired) return;
        target.pending.set(tid, { origin, request, offset, bytes: 0, kind, deadline: Infinity });
        origin.awaitOn(target);
      },
      segmentEnd: (tid, bytes, flag) => {
        openTid = undefined;
        stats.requestsForwarded++;
        if (flag === '+' && !(ended && forward.sent >= received)) stats.chunksInterrupted++;
        const pending = target.pending.get(tid);
        if (pending) {
          pending.bytes = bytes;
          pending.deadline = Date.now() + timeout;
        }
      },
      resume: () => {
        if (!paused) return;
        paused = false;
        origin.resume();
      },
      failed: (error) => {
        if (!ended) {
          // Answer the chunk with the failure once its end arrives; read and drop the rest.
          failed = { status: 408, comment: `Next hop failed: ${error.message}` };
          if (paused) {
            paused = false;
            origin.resume();
          }
          return;
        }
        // What was not written (from the open segment on) is reported lost.
        let from = forward.sent;
        if (openTid !== undefined) {
          target.pending.delete(openTid);
          from = openOffset;
        }
        if (from < received || segments === 0 || openTid !== undefined)
          this.#giveUp(
            { origin, request, offset: from, bytes: received - from, kind, deadline: 0 },
            408,
            `Next hop failed: ${error.message}`,
          );
      },
    });
    return {
      body: (part) => {
        if (failed) return true;
        received += part.length;
        if (received > this.#limits.maxChunkSize) {
          failed = { status: 413, comment: 'Chunk too large for this relay' };
          target.scheduler.abort(forward);
          return true;
        }
        stats.bytesForwarded += part.length;
        if (target.scheduler.push(forward, part)) return true;
        paused = true;
        return false;
      },
      end: (flag) => {
        ended = true;
        if (failed) {
          this.#respond(origin, request, failed.status, failed.comment);
          return;
        }
        target.scheduler.end(forward, flag);
        // Hop by hop (RFC 4976 §7.2): the relay answers the chunk itself.
        if (isSend) this.#respond(origin, request, 200);
      },
      abort: () => target.scheduler.abort(forward),
    };
  }

  #refuse(hop: Hop, request: RequestHead, status: number, comment: string): FrameTarget {
    const fields = { remote: hop.remote, method: request.method, status, reason: comment };
    this.#log.warn({ ...fields, ...pathsForLog(request) }, 'request not forwarded');
    return {
      body: () => true,
      end: () => this.#respond(hop, request, status, comment),
      abort: () => undefined,
    };
  }

  /** A response from a next hop: settles the request we forwarded there. */
  #response(hop: Hop, response: ResponseHead): void {
    const pending = hop.pending.get(response.transactionId);
    if (!pending) return;
    hop.pending.delete(response.transactionId);
    this.#unblock(hop, false);
    if (pending.kind === 'relay') {
      // Not a chunk: the response (401 with a challenge, 200 with Use-Path...) goes back
      // one hop, addressed as RFC 4975 §7.2 says.
      const back: ResponseHead = {
        ...response,
        transactionId: pending.request.transactionId,
        toPath: [pending.request.fromPath[0]!],
        fromPath: [pending.request.toPath[0]!],
      };
      pending.origin.scheduler.send(encodeFrame(back));
      return;
    }
    if (response.statusCode !== 200) this.#giveUp(pending, response.statusCode, response.comment);
  }

  /**
   * A forwarded request failed further on. A chunk already answered with 200 is reported
   * lost with a REPORT when its Failure-Report asks for one (RFC 4975 §7.1.2, RFC 4976 §7.2);
   * a relayed request of another method gets the failure as its response.
   */
  #giveUp(pending: PendingForward, status: number, comment?: string): void {
    const { origin, request } = pending;
    if (pending.kind === 'relay') {
      this.#respond(origin, request, status, comment);
      return;
    }
    const report = failureReport(pending, status, comment);
    if (!report) return;
    RelayStats.bump(this.stats.errors, status);
    origin.scheduler.send(encodeFrame(report));
  }

  /** Gives up on requests whose response did not come in time (RFC 4975 §7.1: 408). */
  #expirePending(): void {
    const now = Date.now();
    for (const hop of this.#hops) {
      if (hop.pending.size === 0) continue;
      let expired = false;
      for (const [tid, pending] of hop.pending) {
        if (pending.deadline > now) continue;
        hop.pending.delete(tid);
        expired = true;
        this.#giveUp(pending, 408, 'No response from the next hop');
      }
      if (expired) this.#unblock(hop, false);
    }
  }

  #unblock(hop: Hop, all: boolean): void {
    if (hop.blocked.size === 0) return;
    if (!all && hop.pending.size > this.#limits.maxPendingTransactions / 2) return;
    const blocked = [...hop.blocked];
    hop.blocked.clear();
    for (const sender of blocked) sender.resume();
  }

  #respond(
    hop: Hop,
    request: RequestHead,
    status: number,
    comment?: string,
    headers: Partial<MsrpHeaders> = {},
  ): void {
    if (!wantsResponse(request, status)) return;
    // A 401 challenging an AUTH without credentials is the normal first step, not an error.
    const challenge = status === 401 && request.authorization === undefined;
    if (status >= 400 && !challenge) RelayStats.bump(this.stats.errors, status);
    hop.scheduler.send(encodeFrame(responseHead(request, status, comment, headers)));
  }

  // ---- AUTH -----------------------------------------------------------------------------

  /** RFC 4976 §6.1: challenges, checks credentials and Expires, grants a relay session. */
  async #authenticate(hop: Hop, request: RequestHead): Promise<void> {
    const result = await this.#auth.verify(request, hop.address);
    if (!hop.connection || hop.connection.closed) return;
    if (!result.ok) {
      if (result.reason !== 'missing') RelayStats.bump(this.stats.authFailures, result.reason);
      const fields = { remote: hop.remote, reason: result.reason, username: result.username };
      if (result.reason === 'missing') this.#log.debug(fields, 'AUTH challenged');
      else this.#log.warn(fields, 'AUTH failed');
      if (result.reason !== 'missing' && ++hop.authFailures >= this.#limits.maxAuthAttempts) {
        this.#respond(hop, request, 403, 'Too many failed AUTH attempts');
        this.#shut(hop, 'closing after too many failed AUTH attempts');
        return;
      }
      // RFC 7616 §3.3: stale=true tells a client with the right password to retry at once.
      this.#respond(hop, request, 401, undefined, {
        wwwAuthenticate: this.#auth.challenge(hop.address, result.reason === 'stale'),
      });
      return;
    }
    const min = this.#options.minExpires ?? 60;
    const max = this.#options.maxExpires ?? 3600;
    const expires =
      request.expires ?? this.#options.defaultExpires ?? Math.min(max, Math.max(min, 600));
    // RFC 4976 §6.1: an Expires out of bounds gets 423 with the bound it crossed.
    if (expires < min) return this.#respond(hop, request, 423, undefined, { minExpires: min });
    if (expires > max) return this.#respond(hop, request, 423, undefined, { maxExpires: max });
    const client = request.fromPath[0]!;
    let session = [...hop.sessions].find(
      (s) => s.username === result.username && uriEquals(s.authPath[0]!, client),
    );
    if (!session) {
      if (hop.sessions.size >= this.#limits.maxSessionsPerConnection) {
        return this.#respond(hop, request, 403, 'Too many relay sessions on this connection');
      }
      session = this.#createSession(hop, request, result.username);
    }
    clearTimeout(session.timer);
    session.expiresAt = Date.now() + expires * 1000;
    const s = session;
    session.timer = setTimeout(() => {
      this.#log.info({ session: s.toString(), username: s.username }, 'relay session expired');
      this.#dropSession(s);
    }, expires * 1000);
    session.timer.unref();
    hop.trust();
    this.stats.authSuccesses++;
    // RFC 4976 §6.1: Use-Path lists the relays the AUTH crossed (From-Path without the
    // client, reversed), then this relay's URI for the client.
    const usePath = [...request.fromPath.slice(0, -1)].reverse().concat(session.uri);
    this.#log.info(
      { remote: hop.remote, username: result.username, session: session.toString(), expires },
      'AUTH succeeded',
    );
    this.#respond(hop, request, 200, undefined, {
      usePath,
      expires,
      authenticationInfo: result.authenticationInfo,
    });
  }

  #createSession(hop: Hop, request: RequestHead, username: string): RelaySession {
    const socket = hop.connection!.socket as Socket;
    const listener =
      hop.origin.kind === 'inbound' ? hop.origin : { scheme: 'msrp' as const, port: 2855 };
    const id = newSessionId();
    const uri: MsrpUri = {
      scheme: listener.scheme,
      host: this.#options.host ?? socket.localAddress ?? '127.0.0.1',
      port: listener.port,
      sessionId: id,
      transport: 'tcp',
      params: [],
    };
    const session = new RelaySession(id, uri, username, hop, request.fromPath);
    this.#sessions.set(id, session);
    hop.sessions.add(session);
    this.stats.sessions++;
    return session;
  }

  #dropSession(session: RelaySession): void {
    if (this.#sessions.get(session.id) !== session) return;
    clearTimeout(session.timer);
    this.#sessions.delete(session.id);
    session.client.sessions.delete(session);
    this.stats.sessions--;
  }
}
