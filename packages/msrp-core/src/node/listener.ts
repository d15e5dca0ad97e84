import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

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
 * the event {@link connectionEvent} names (`secureConnection` for TLS: after the handshake).
 */
export function createListener(tls?: TlsServerOptions): Server {
  return tls
    ? createTlsServer({
        cert: tls.cert,
        key: tls.key,
        ...(tls.ca !== undefined && { ca: tls.ca }),
        requestCert: tls.requestCert ?? false,
      })
    : createTcpServer();
}

/** The server event that hands over a ready connection. */
export function connectionEvent(tls?: TlsServerOptions): 'connection' | 'secureConnection' {
  return tls ? 'secureConnection' : 'connection';
}
