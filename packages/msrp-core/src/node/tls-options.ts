import type { ConnectionOptions } from 'node:tls';
import type { TlsClientOptions } from '../transport/dialer.js';

/** PEM as Node's TLS options take it: a string, or a Buffer viewing the same bytes. */
function pem(value: string | Uint8Array): string | Buffer {
  return typeof value === 'string'
    ? value
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * The TLS options of a dial, as Node's `tls.connect` (and `ws`, which passes them on) take
 * them: CAs, client certificate and key, and whether the chain must verify (by default it
 * must, unless the peer is pinned by `fingerprint`, checked after the handshake).
 */
export function nodeTlsOptions(tls: TlsClientOptions): ConnectionOptions {
  return {
    rejectUnauthorized: tls.rejectUnauthorized ?? tls.fingerprint === undefined,
    ...(tls.ca !== undefined && { ca: Array.isArray(tls.ca) ? tls.ca.map(pem) : pem(tls.ca) }),
    ...(tls.cert !== undefined && { cert: pem(tls.cert) }),
    ...(tls.key !== undefined && { key: pem(tls.key) }),
  };
}
