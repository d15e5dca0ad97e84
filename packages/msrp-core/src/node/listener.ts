import type { Server } from 'node:net';

/** TLS server options for an `msrps:` listener. */
export interface TlsServerOptions {
  /** Certificate chain and private key, PEM. */
  cert: string | Buffer;
  key: string | Buffer;
  /** CAs to verify client certificates against, if `requestCert`. */
  ca?: string | Buffer | Array<string | Buffer>;
  requestCert?: boolean;
}

/**
 * A server for MSRP connections: TCP, or TLS when `tls` is given. Connections arrive on
 * the event {@link connectionEvent} names (`secureConnection` for TLS: after the handshake);
 * with `paused` (TCP), paused: nothing is read before the owner resumes them.
 */
export function createListener(tls?: TlsServerOptions, paused = false): Server {
  // Loaded on first use, not with msrp-core: a TCP listener never loads tls (1.9 MiB of
  // file-backed RSS; issue 12).
  return tls
    ? process.getBuiltinModule('node:tls').createServer({
        cert: tls.cert,
        key: tls.key,
        ...(tls.ca !== undefined && { ca: tls.ca }),
        requestCert: tls.requestCert ?? false,
      })
    : process.getBuiltinModule('node:net').createServer({ pauseOnConnect: paused });
}

/** The server event that hands over a ready connection. */
export function connectionEvent(tls?: TlsServerOptions): 'connection' | 'secureConnection' {
  return tls ? 'secureConnection' : 'connection';
}
