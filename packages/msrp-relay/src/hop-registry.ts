import type { Socket } from 'node:net';
import type { Dialer, MsrpUri, WsSocket } from '@msrp-ts/msrp-core';
import {
  Connection,
  ConnectionLimits,
  peerName,
  socketStream,
  type ByteStream,
  MsrpError,
  formatUri,
  toMsrpError,
  wsStream,
} from '@msrp-ts/msrp-core/internal';
import type { ChunkSchedulerOptions } from './chunk-scheduler.js';
import { FastPath, type FastPathContext } from './fast-path.js';
import { FastPathStream } from './fast-path-stream.js';
import { Hop, type HopOrigin, type HopOwner } from './hop.js';
import { throttledWarning, type ThrottledLog } from './log-throttle.js';
import type { RelayLogger, RelayOptions, ResolvedLimits } from './relay-options.js';
import { authorityKey } from './relay-session.js';
import { RelayStats } from './relay-stats.js';

/** What a {@link HopRegistry} needs from its relay. */
export interface HopRegistryContext {
  readonly owner: HopOwner;
  readonly options: RelayOptions;
  readonly limits: ResolvedLimits;
  readonly stats: RelayStats;
  readonly log: RelayLogger;
  readonly dialers: Readonly<Record<string, Dialer>>;
  /** Whether the relay is shutting down: no new connections then. */
  closing(): boolean;
  /** For the byte-level fast path of clients' TCP and TLS connections; none without it. */
  readonly fastPath?: FastPathContext;
}

/**
 * The relay's connections: accepts inbound ones within the connection limits, dials the next
 * hops (one connection per authority, reused) and keeps every {@link Hop} until its socket
 * has closed.
 */
export class HopRegistry {
  readonly #context: HopRegistryContext;
  readonly #scheduler: ChunkSchedulerOptions;
  /** Live connections, in all and per address (inbound): closing ones no longer count. */
  readonly #connections: ConnectionLimits;
  /** Every connection until its socket has closed. */
  readonly #hops = new Set<Hop>();
  readonly #dialed = new Map<string, Hop>();
  /** A client reconnecting in a loop past a limit must not flood the log. */
  readonly #refusedLog: ThrottledLog;

  constructor(context: HopRegistryContext) {
    this.#context = context;
    this.#refusedLog = throttledWarning(context.log, 'connection refused: limit reached');
    this.#connections = new ConnectionLimits(context.limits);
    this.#scheduler = {
      maxQueued: context.limits.maxQueuedBytes,
      maxQueuedPerChunk: context.limits.maxQueuedBytes,
      messageChunkBytes: context.limits.maxWebSocketChunk,
      maxInFlight: context.limits.maxPendingBytes,
    };
  }

  /** Connections open now, not counting those being closed. */
  get size(): number {
    return this.#connections.size;
  }

  /** Every hop whose socket has not closed yet. */
  get hops(): ReadonlySet<Hop> {
    return this.#hops;
  }

  /** Body bytes queued for slow next hops, over all connections (dialing ones included). */
  get queuedBytes(): number {
    let bytes = 0;
    for (const hop of this.#hops) bytes += hop.scheduler.queuedBytes;
    for (const hop of this.#dialed.values())
      if (!this.#hops.has(hop)) bytes += hop.scheduler.queuedBytes;
    return bytes;
  }

  /** A client or peer connected to a TCP or TLS listener of ours on `port`. */
  accept(socket: Socket, scheme: 'msrp' | 'msrps', port: number): void {
    const address = socket.remoteAddress ?? '?';
    const remote = peerName(address, socket.remotePort);
    const origin = { kind: 'inbound', scheme, transport: 'tcp', port } as const;
    this.#inbound(origin, address, remote, {
      refuse: () => socket.destroy(),
      open: (hop) => {
        socket.setNoDelay(true);
        // msrp-core's default: a turn's writes leave in one writev (the chunks of several
        // socket reads and the 200s answering them). Per 8 KiB chunk forwarded, 0.28 writes
        // became 0.05 and the relay's CPU fell ~20 % against per-tick writes (issue 13).
        const stream = socketStream(socket, remote);
        const fast = this.#context.fastPath;
        if (!fast) return stream;
        hop.fast = new FastPath(fast, hop);
        return new FastPathStream(stream, hop);
      },
    });
  }

  /** A client or peer connected to a WebSocket listener of ours on `port` (RFC 7977). */
  acceptWebSocket(
    socket: WsSocket,
    address: string,
    remote: string,
    scheme: 'msrp' | 'msrps',
    port: number,
  ): void {
    const origin = { kind: 'inbound', scheme, transport: 'ws', port } as const;
    this.#inbound(origin, address, remote, {
      refuse: () => socket.terminate(),
      open: () => wsStream(socket, remote),
    });
  }

  /**
   * Whether a WebSocket handshake from `address` is to be refused before it is upgraded (and
   * answered 503): a connection from there would be refused now (a cap reached, or closing).
   * Refused then, it counts and is logged as any refused connection. Upgraded and dropped at
   * once, as before, a client saw its WebSocket open and close with no reason.
   */
  refusesHandshake(address: string, remote: string): boolean {
    const admission = this.#context.closing() ? undefined : this.#connections.admit(address);
    if (admission?.admitted) {
      admission.release();
      return false;
    }
    this.#refused(remote, 'ws');
    return true;
  }

  #refused(remote: string, transport: string): void {
    this.#context.stats.connectionsRefused++;
    this.#refusedLog.line({ remote, transport });
  }

  /** Writes the count of the refusals not logged, if any (the relay closing). */
  flushLog(): void {
    this.#refusedLog.flush();
  }

  #inbound(
    origin: Extract<HopOrigin, { kind: 'inbound' }>,
    address: string,
    remote: string,
    socket: { refuse(): void; open(hop: Hop): ByteStream },
  ): void {
    const { stats, log, limits } = this.#context;
    const transport = transportName(origin.scheme, origin.transport);
    const admission = this.#context.closing() ? undefined : this.#connections.admit(address);
    if (!admission?.admitted) {
      this.#refused(remote, transport);
      socket.refuse();
      return;
    }
    const hop = new Hop(this.#context.owner, origin, remote, address, this.#scheduler);
    this.#attach(hop, socket.open(hop), admission.release);
    stats.connectionsOpened.inbound++;
    RelayStats.bump(stats.connectionsByTransport, transport);
    // An inbound connection must authenticate, or bring a request we forward, in time.
    hop.expectTrust(limits.unauthenticatedTimeout, () => {
      log.info({ remote }, 'closing unauthenticated connection');
      hop.connection?.destroy();
    });
    log.debug({ remote, transport }, 'connection accepted');
  }

  /** The connection to the authority of `uri`: reused, or dialed (TCP or TLS by scheme). */
  outbound(uri: MsrpUri): Hop {
    const { options, limits, stats, log } = this.#context;
    const key = `${uri.scheme}://${authorityKey(uri)}`;
    const known = this.#dialed.get(key);
    if (known) return known;
    const origin = { kind: 'outbound', key } as const;
    const hop = new Hop(this.#context.owner, origin, key, uri.host, this.#scheduler);
    this.#dialed.set(key, hop);
    const dialer = this.#context.dialers[uri.scheme];
    const refuse = (error: MsrpError): void => {
      if (this.#dialed.get(key) === hop) this.#dialed.delete(key);
      log.warn({ next: formatUri(uri), error: error.message }, 'next hop unreachable');
      hop.scheduler.fail(error);
    };
    if (!dialer || this.#connections.size >= limits.maxConnections) {
      const why = dialer ? 'Too many connections' : `No dialer for ${uri.scheme}`;
      queueMicrotask(() => refuse(new MsrpError('MSRP_ERR_CONNECTION', why)));
      return hop;
    }
    dialer(uri, {
      ...(options.tls && { tls: options.tls }),
      timeout: options.connectTimeout ?? 10_000,
      // What it reads and forwards is lent until written (ChunkScheduler, WholeForward).
      reuseReads: true,
    }).then(
      (stream) => {
        // Outbound connections count in all, not per address.
        const closing = this.#context.closing();
        const admission = closing ? undefined : this.#connections.admit();
        if (!admission?.admitted) {
          stream.destroy();
          const why = closing ? 'Relay is shutting down' : 'Too many connections';
          refuse(new MsrpError('MSRP_ERR_CONNECTION', why));
          return;
        }
        hop.remote = stream.remote;
        hop.address = stream.remoteAddress ?? uri.host;
        stats.connectionsOpened.outbound++;
        const transport = transportName(uri.scheme, uri.transport);
        RelayStats.bump(stats.connectionsByTransport, transport);
        this.#attach(hop, stream, admission.release);
        log.debug({ remote: hop.remote, transport }, 'connected to next hop');
      },
      (e: unknown) => refuse(toMsrpError(e, 'MSRP_ERR_CONNECTION')),
    );
    return hop;
  }

  /** Closing `hop` is decided: a dialed one is no longer reused. */
  forget(hop: Hop): void {
    if (hop.origin.kind === 'outbound' && this.#dialed.get(hop.origin.key) === hop)
      this.#dialed.delete(hop.origin.key);
  }

  #attach(hop: Hop, stream: ByteStream, release: () => void): void {
    const { maxHeaderBytes, idleTimeout, frameTimeout } = this.#context.limits;
    const connection = new Connection(stream, hop, { maxHeaderBytes, idleTimeout, frameTimeout });
    hop.connection = connection;
    hop.release = release;
    this.#hops.add(hop);
    void connection.whenClosed.then(() => this.#hops.delete(hop));
    this.#context.stats.connections++;
    hop.scheduler.attach(connection);
  }
}

/** What logs and metrics call a connection's transport: `tcp`, `tls`, `ws` or `wss`. */
function transportName(scheme: string, transport: string): string {
  const ws = transport.toLowerCase() === 'ws';
  return scheme === 'msrps' ? (ws ? 'wss' : 'tls') : ws ? 'ws' : 'tcp';
}
