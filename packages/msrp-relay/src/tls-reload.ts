// Certificate renewal without a restart: the TLS listeners get a new certificate and key;
// handshakes from then on use them, connections already up keep the ones they were made with.
import type { SecureContextOptions } from 'node:tls';
import type { TlsServerOptions } from '@msrp-ts/msrp-core';

/** A listener whose certificate can be replaced: a `tls.Server` (msrps:) or `https.Server` (wss:). */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

/**
 * Gives every target `tls`, or none of them: a certificate or key that does not load, or a
 * key that is not the certificate's, throws before any listener changed.
 */
export function replaceCertificate(
  targets: readonly SecureContextTarget[],
  tls: TlsServerOptions,
): void {
  const options: SecureContextOptions = {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca !== undefined && { ca: tls.ca }),
  };
  // Built once only to check it: setSecureContext builds its own, and throws only after
  // some listeners may have been given the new one.
  // node:tls loaded here, not at import: a relay that listens on TCP only never loads it.
  process.getBuiltinModule('node:tls').createSecureContext(options);
  for (const target of targets) target.setSecureContext(options);
}
