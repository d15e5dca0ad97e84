import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import {
  connect as tlsConnect,
  type ConnectionOptions as TlsConnectOptions,
  type TLSSocket,
} from 'node:tls';
import { MsrpError } from '../errors.js';
import { newSessionId } from '../wire/ids.js';
import type { MsrpUri } from '../wire/uri.js';
import { checkPeerFingerprint } from './fingerprint.js';

/** TLS client options for `msrps:` URIs. */
export interface TlsClientOptions {
  /** Trusted CAs (PEM). Default: Node's bundled roots. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate and key (PEM), if the peer asks for one. */
  cert?: string | Buffer;
  key?: string | Buffer;
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

/** Options for {@link dial}. */
export interface DialOptions {
  /** TLS options for `msrps:` URIs. */
  tls?: TlsClientOptions;
  /** Give up connecting after this many milliseconds. Default 10 000. */
  timeout?: number;
}

/** Opens a byte stream to the authority of an MSRP URI. */
export type Dialer = (uri: MsrpUri, options: DialOptions) => Promise<Socket | TLSSocket>;

async function connected<T extends Socket>(
  socket: T,
  event: string,
  uri: MsrpUri,
  timeout: number,
): Promise<T> {
  const timer = setTimeout(
    () => socket.destroy(new Error(`timed out after ${timeout} ms`)),
    timeout,
  );
  try {
    await once(socket, event);
    return socket;
  } catch (e) {
    socket.destroy();
    throw new MsrpError(
      'MSRP_ERR_CONNECTION',
      `Cannot connect to ${uri.host}:${uri.port ?? 2855}: ${(e as Error).message}`,
      { cause: e },
    );
  } finally {
    clearTimeout(timer);
  }
}

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

/** Dials `msrp:` over TCP. RFC 4975 §6: a URI without port uses the default 2855. */
export async function dialTcp(uri: MsrpUri, options: DialOptions): Promise<Socket> {
  checkDialable(uri);
  const socket = netConnect({ host: uri.host, port: uri.port ?? 2855, noDelay: true });
  return connected(socket, 'connect', uri, options.timeout ?? 10_000);
}

/** Dials `msrps:` over TLS, checking the certificate chain or the expected fingerprint. */
export async function dialTls(uri: MsrpUri, options: DialOptions): Promise<TLSSocket> {
  checkDialable(uri);
  const tls = options.tls ?? {};
  const ip = /^[\d.]+$/.test(uri.host) || uri.host.includes(':');
  const connectOptions: TlsConnectOptions = {
    host: uri.host,
    port: uri.port ?? 2855,
    rejectUnauthorized: tls.rejectUnauthorized ?? tls.fingerprint === undefined,
    ...(tls.ca !== undefined && { ca: tls.ca }),
    ...(tls.cert !== undefined && { cert: tls.cert }),
    ...(tls.key !== undefined && { key: tls.key }),
    ...((tls.servername ?? (ip ? undefined : uri.host)) !== undefined && {
      servername: tls.servername ?? uri.host,
    }),
  };
  const socket = await connected(
    tlsConnect(connectOptions),
    'secureConnect',
    uri,
    options.timeout ?? 10_000,
  );
  socket.setNoDelay(true);
  if (tls.fingerprint !== undefined) {
    try {
      checkPeerFingerprint(socket, tls.fingerprint);
    } catch (e) {
      socket.destroy();
      throw e;
    }
  }
  return socket;
}

/** The dialers by URI scheme; pass your own map to an endpoint to add transports. */
export const defaultDialers: Readonly<Record<string, Dialer>> = { msrp: dialTcp, msrps: dialTls };
