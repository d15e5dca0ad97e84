import type { TLSSocket } from 'node:tls';
import { MsrpError } from '../errors.js';

/**
 * Normalises a certificate fingerprint as SDP `a=fingerprint` carries it (RFC 8122):
 * `SHA-256 AB:CD:...` or bare hex with or without colons, to upper-case colon-separated hex.
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` for anything but a SHA-256 fingerprint.
 */
export function normalizeFingerprint(fingerprint: string): string {
  const m = /^(?:sha-256\s+)?((?:[0-9a-f]{2}:?){32})$/i.exec(fingerprint.trim());
  if (!m) {
    throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `Not a SHA-256 fingerprint: "${fingerprint}"`);
  }
  return m[1]!
    .replace(/:/g, '')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');
}

/** The SHA-256 fingerprint of a PEM certificate, formatted for SDP: `SHA-256 AB:CD:...`. */
export function certificateFingerprint(pem: string | Buffer): string {
  return `SHA-256 ${new (process.getBuiltinModule('node:crypto').X509Certificate)(pem).fingerprint256}`;
}

/**
 * Checks the peer certificate of a connected TLS socket against an expected fingerprint.
 * @throws {MsrpError} `MSRP_ERR_FINGERPRINT` when it does not match or there is none.
 */
export function checkPeerFingerprint(socket: TLSSocket, expected: string): void {
  const actual = socket.getPeerCertificate().fingerprint256 as string | undefined;
  const want = normalizeFingerprint(expected);
  if (actual?.toUpperCase() !== want) {
    throw new MsrpError(
      'MSRP_ERR_FINGERPRINT',
      `Peer certificate fingerprint ${actual ?? '(none)'} does not match the expected ${want}`,
    );
  }
}
