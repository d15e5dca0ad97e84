import { MsrpError } from '../errors.js';
import { DEFAULT_MAX_HEADER_BYTES } from '../wire/frame-sink.js';
import { newSessionId } from '../wire/ids.js';
import type { MsrpUri } from '../wire/uri.js';
import type { ByteStream } from './byte-stream.js';

/** TLS client options for `msrps:` URIs (PEM as text or bytes). */
export interface TlsClientOptions {
  /** Trusted CAs (PEM). Default: the runtime's bundled roots. */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  /** Client certificate and key (PEM), if the peer asks for one. */
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
  /**
   * Expected SHA-256 fingerprint of the peer's certificate, as SDP `a=fingerprint` carries
   * it (`SHA-256 AB:CD:...`). When set, a self-signed certificate is accepted if and only
   * if it matches; CA verification is then not required.
   */
  fingerprint?: string;
  /** Verify the certificate chain and host name. Default true unless `fingerprint` is set. */
  rejectUnauthorized?: boolean;
  /** Name for SNI and host name verification. Default: the URI's host. */
  servername?: string;
}

/** Options for a {@link Dialer}. */
export interface DialOptions {
  /** TLS options for `msrps:` URIs. */
  tls?: TlsClientOptions;
  /** Give up connecting after this many milliseconds. Default 10 000. */
  timeout?: number;
  /**
   * Stops the dial when it aborts: the socket being connected is destroyed and the dial
   * rejects with an MsrpError `MSRP_ERR_ABORTED` whose `cause` is the signal's reason. An
   * endpoint aborts its dials in progress when it closes.
   */
  signal?: AbortSignal;
  /**
   * The connection's owner keeps no view of what it reads beyond each read unless lent
   * (`lendRead`), as an endpoint's sessions: a dialer may read into buffers it uses again
   * (Node's TCP dialer does). Default false.
   */
  reuseReads?: boolean;
  /**
   * Largest WebSocket message a `;ws` dialer takes, in bytes: one message is one chunk
   * (RFC 7977 §5.1), held whole before a byte of it is parsed; a larger one closes the
   * connection with 1009 (RFC 6455 §7.4.1). Default {@link maxWebSocketMessageFor}().
   * A browser's WebSocket has no such limit.
   */
  maxWebSocketMessage?: number;
}

/**
 * The default largest WebSocket message: a chunk of 4 MiB (many times the 64 KiB our relay
 * cuts chunks to toward WebSocket peers, and the 8 KiB of ours; far below `ws`'s 100 MiB),
 * its header block of at most `maxHeaderBytes`, and 1 KiB for the start and end lines.
 */
export function maxWebSocketMessageFor(maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES): number {
  return 4 * 1024 * 1024 + maxHeaderBytes + 1024;
}

/**
 * Opens a byte stream to the authority of an MSRP URI: dialers are small functions keyed by
 * URI scheme (`{ msrp: dialTcp, msrps: dialTls }` on Node), injected where connections are
 * opened.
 */
export type Dialer = (uri: MsrpUri, options: DialOptions) => Promise<ByteStream>;

/**
 * A random host name under `.invalid`, for the URI of an endpoint that cannot be reached
 * (it does not listen): RFC 7977 §8.1.1 does the same for WebSocket clients. The name is
 * unique, so the URI never equals another endpoint's or a relay's, and never resolves
 * (RFC 6761 §6.4).
 */
export function unreachableHost(): string {
  return `${newSessionId()}.invalid`;
}

/**
 * Throws when `uri` names a host that can never be dialed: one under `.invalid`
 * (RFC 6761 §6.4), which a peer reachable only over the connection it opened puts in its URI.
 * @throws {MsrpError} `MSRP_ERR_CONNECTION`.
 */
export function checkDialable(uri: MsrpUri): void {
  const host = uri.host.toLowerCase().replace(/\.$/, '');
  if (host === 'invalid' || host.endsWith('.invalid')) {
    throw new MsrpError(
      'MSRP_ERR_CONNECTION',
      `Cannot connect to ${uri.host}:${uri.port ?? 2855}: an .invalid host is reachable only over the connection it opened`,
    );
  }
}
