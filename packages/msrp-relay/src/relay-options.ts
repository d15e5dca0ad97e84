import type { Dialer, TlsClientOptions } from '@msrp-ts/msrp-core';
import {
  checkNumbers,
  DEFAULT_MAX_HEADER_BYTES,
  isUriHost,
  MsrpError,
  type NumberRule,
} from '@msrp-ts/msrp-core/internal';
import type { CredentialStore } from './credential-store.js';

/**
 * What the relay logs through: the shape of a pino logger (`logger.info({ remote }, 'msg')`),
 * so `pino()` can be passed as is. Default: no logs.
 */
export interface RelayLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything. */
export const silentLogger: RelayLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * Limits of a {@link Relay}. Every one bounds what peers can make the relay hold or do, and
 * each has a default safe for a public relay.
 */
export interface RelayLimits {
  /** Connections at once, inbound and outbound. Default 20 000. */
  maxConnections?: number;
  /** Inbound connections at once from one IP address. Default 256. */
  maxConnectionsPerAddress?: number;
  /**
   * Milliseconds an inbound connection may stay open without authenticating or sending a
   * request the relay forwards. Default 30 000.
   */
  unauthenticatedTimeout?: number;
  /**
   * Milliseconds a frame in progress may go without progress: its head must be complete,
   * and each piece of its body must follow the last, within this time, or the connection is
   * closed (slow senders holding connections open byte by byte). Time the relay itself holds
   * a sender back does not count. 0: off (a slow sender may then hold a connection).
   * Default 30 000.
   */
  frameTimeout?: number;
  /**
   * Milliseconds without traffic after which a connection with no relay session closes; a
   * connection whose peer read nothing of what the relay wrote for that long is dropped,
   * relay sessions or not (a peer that stopped reading holds back its senders). 0: off.
   * Default 300 000.
   */
  idleTimeout?: number;
  /** Largest header block of a frame, in bytes (400 past it). Default 16 KiB. */
  maxHeaderBytes?: number;
  /**
   * Largest body of one chunk, in bytes: a chunk whose Byte-Range is larger is answered 413
   * and not forwarded; one that grows past it is cut off with `#` and answered 413 (the 413
   * names the limit). Default 64 MiB.
   */
  maxChunkSize?: number;
  /**
   * Forwarded requests awaiting their response on one connection; past it, the senders
   * feeding that connection are paused until responses come. Default 1024.
   */
  maxPendingTransactions?: number;
  /**
   * Body bytes of the chunks forwarded on one connection that await their responses; past it,
   * with at least 8 such chunks out, no more chunks of longer messages are written there until
   * responses come: they wait in the relay's queue (`maxQueuedBytes`), which a chat line (a
   * whole message of at most 16 KiB) overtakes, not in the sockets' buffers, which it cannot.
   * It bounds what a chat line waits behind toward a peer that reads slower than a file comes
   * (issue 12), and one connection's rate to about this much per round trip. Default 1 MiB.
   */
  maxPendingBytes?: number;
  /**
   * Largest WebSocket message, in bytes (RFC 7977 §5.1: one message carries one chunk):
   * a larger one closes its connection with 1009. Default `maxChunkSize`
   * plus `maxHeaderBytes` plus 1 KiB (end-line and slack).
   */
  maxWebSocketMessage?: number;
  /**
   * Largest chunk body the relay sends to a WebSocket peer, in bytes. RFC 7977 §5.1 puts each
   * chunk in exactly one message, so a chunk forwarded from a TCP peer, or one larger than
   * this from anywhere, is re-chunked: cut with `+` into chunks of at most this many bytes,
   * each with its own transaction and Byte-Range (RFC 4975 §7.1), one message each. A
   * message is this plus its header block: keep it within the peers' message limits.
   * A SEND without Byte-Range is cut too, under Byte-Ranges the relay adds; requests that
   * cannot be cut (REPORT, AUTH: at most 10240 body octets) go whole. At most
   * `maxQueuedBytes`. Default 64 KiB.
   */
  maxWebSocketChunk?: number;
  /** Failed AUTH attempts on one connection before it is closed. Default 5. */
  maxAuthAttempts?: number;
  /**
   * Failed AUTHs a client address may make in a burst (an IPv6 client counts by its /64)
   * before its AUTHs are refused with 403 and no challenge, until it regains one at
   * `authFailureRate`. 0 turns the limit off. Default 20.
   */
  authFailureBurst?: number;
  /** Failed AUTHs per minute a client address regains after its burst. Default 10. */
  authFailureRate?: number;
  /**
   * Failed AUTHs naming one username in a burst (from any address) before AUTHs naming it
   * are refused, until one is regained at `authUserFailureRate`; a connection that holds a
   * relay session of that user is not refused. 0 turns the limit off. Default 10.
   */
  authUserFailureBurst?: number;
  /** Failed AUTHs per minute a username regains after its burst. Default 5. */
  authUserFailureRate?: number;
  /**
   * Addresses, and usernames, whose failed AUTHs are remembered (each about 100 bytes);
   * past it, the least recently seen are forgotten. Default 10 000 of each.
   */
  authRateLimitEntries?: number;
  /** Relay sessions one connection may hold. Default 64. */
  maxSessionsPerConnection?: number;
  /**
   * Body bytes queued in the relay for one next-hop connection before the senders feeding
   * it are paused (the socket buffers up to 1 MiB more): queued bytes stay within this plus
   * one socket read (64 KiB) however many senders feed it. Default 1 MiB.
   */
  maxQueuedBytes?: number;
}

/** Options of a {@link Relay}. */
export interface RelayOptions {
  /** Where user secrets come from. */
  credentials: CredentialStore;
  /** Digest realm. Default `msrp-relay`. */
  realm?: string;
  /**
   * Host name (or address) put in the relay URIs handed out in Use-Path. Default: the local
   * address the client's connection arrived on.
   */
  host?: string;
  /** Shortest Expires a client may ask for, in seconds (423 below). Default 60. */
  minExpires?: number;
  /** Longest Expires a client may ask for, in seconds (423 above). Default 3600. */
  maxExpires?: number;
  /** Expires granted when the AUTH asks for none, in seconds. Default 600. */
  defaultExpires?: number;
  /** Milliseconds a digest nonce is valid (`stale=true` after). Default 60 000. */
  nonceLifetime?: number;
  /** The clock nonces are dated by, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Milliseconds to wait for the next hop's response before a 408 REPORT. Default 30 000. */
  transactionTimeout?: number;
  /** Milliseconds to wait for a connection to the next hop. Default 10 000. */
  connectTimeout?: number;
  /** TLS client options for `msrps:` next hops. */
  tls?: TlsClientOptions;
  /** Dialers by URI scheme. Default: TCP for `msrp`, TLS for `msrps`. */
  dialers?: Readonly<Record<string, Dialer>>;
  limits?: RelayLimits;
  logger?: RelayLogger;
}

/** What each limit may be (see `checkNumbers`): 0 only where it means off, or never. */
const LIMIT_NUMBERS: Record<keyof RelayLimits, NumberRule> = {
  maxConnections: 'count',
  maxConnectionsPerAddress: 'count',
  unauthenticatedTimeout: 'wait',
  frameTimeout: 'timeout',
  idleTimeout: 'timeout',
  maxHeaderBytes: 'count',
  maxChunkSize: 'count',
  maxPendingTransactions: 'count',
  maxPendingBytes: 'count',
  maxWebSocketMessage: 'count',
  maxWebSocketChunk: 'count',
  maxAuthAttempts: 'count',
  authFailureBurst: 'size',
  authFailureRate: 'size',
  authUserFailureBurst: 'size',
  authUserFailureRate: 'size',
  authRateLimitEntries: 'count',
  maxSessionsPerConnection: 'count',
  maxQueuedBytes: 'count',
};

/** What each numeric option may be. */
const OPTION_NUMBERS: Partial<Record<keyof RelayOptions, NumberRule>> = {
  minExpires: 'size',
  maxExpires: 'count',
  defaultExpires: 'count',
  nonceLifetime: 'wait',
  transactionTimeout: 'wait',
  connectTimeout: 'wait',
};

/**
 * Checks a relay's options where a bad one would make a relay that starts and serves no one:
 * a limit of 0 chunk bytes, Expires bounds that grant nothing (every AUTH 423), a `host` no
 * URI can hold (every client would refuse its Use-Path).
 * @throws MsrpError `MSRP_ERR_INVALID_ARGUMENT` naming the first bad option.
 */
export function checkRelayOptions(options: Omit<RelayOptions, 'credentials'>): void {
  const { host } = options;
  if (host !== undefined && !isUriHost(host)) {
    throw new MsrpError(
      'MSRP_ERR_INVALID_ARGUMENT',
      `Relay option host must be a name or an IP address as a URI holds it (IPv6 without brackets), not ${JSON.stringify(host)}`,
    );
  }
  checkNumbers(options, OPTION_NUMBERS, 'Relay option ');
  checkNumbers(options.limits, LIMIT_NUMBERS, 'Relay limit ');
  const { minExpires = 60, maxExpires = 3600, defaultExpires } = options;
  if (minExpires > maxExpires) {
    throw new MsrpError(
      'MSRP_ERR_INVALID_ARGUMENT',
      `Relay option minExpires (${minExpires}) is above maxExpires (${maxExpires})`,
    );
  }
  if (
    defaultExpires !== undefined &&
    (defaultExpires < minExpires || defaultExpires > maxExpires)
  ) {
    throw new MsrpError(
      'MSRP_ERR_INVALID_ARGUMENT',
      `Relay option defaultExpires (${defaultExpires}) is outside minExpires to maxExpires (${minExpires} to ${maxExpires}): AUTHs without Expires would get 423`,
    );
  }
}

/** The limits with their defaults filled in. */
export type ResolvedLimits = Required<RelayLimits>;

/** Fills in the default of every limit. */
export function resolveLimits(limits: RelayLimits = {}): ResolvedLimits {
  const maxChunkSize = limits.maxChunkSize ?? 64 * 1024 * 1024;
  const maxHeaderBytes = limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  return {
    maxConnections: limits.maxConnections ?? 20_000,
    maxConnectionsPerAddress: limits.maxConnectionsPerAddress ?? 256,
    unauthenticatedTimeout: limits.unauthenticatedTimeout ?? 30_000,
    frameTimeout: limits.frameTimeout ?? 30_000,
    idleTimeout: limits.idleTimeout ?? 300_000,
    maxHeaderBytes,
    maxChunkSize,
    maxWebSocketMessage: limits.maxWebSocketMessage ?? maxChunkSize + maxHeaderBytes + 1024,
    maxWebSocketChunk: limits.maxWebSocketChunk ?? 64 * 1024,
    maxPendingTransactions: limits.maxPendingTransactions ?? 1024,
    maxPendingBytes: limits.maxPendingBytes ?? 1024 * 1024,
    maxAuthAttempts: limits.maxAuthAttempts ?? 5,
    authFailureBurst: limits.authFailureBurst ?? 20,
    authFailureRate: limits.authFailureRate ?? 10,
    authUserFailureBurst: limits.authUserFailureBurst ?? 10,
    authUserFailureRate: limits.authUserFailureRate ?? 5,
    authRateLimitEntries: limits.authRateLimitEntries ?? 10_000,
    maxSessionsPerConnection: limits.maxSessionsPerConnection ?? 64,
    maxQueuedBytes: limits.maxQueuedBytes ?? 1024 * 1024,
  };
}
