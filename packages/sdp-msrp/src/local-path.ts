import { parseUri, type MsrpUri } from '@msrp-ts/msrp-core/uri';
import { SdpError } from './errors.js';
import type { Fingerprint } from './msrp-media.js';

function toUri(name: string, uri: MsrpUri | string): MsrpUri {
  if (typeof uri !== 'string') return uri;
  try {
    return parseUri(uri);
  } catch (e) {
    throw new SdpError('SDP_ERR_INVALID_ARGUMENT', `${name}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/**
 * The path we put in `a=path`: the Use-Path URIs of our relays (RFC 4976 §5.1) followed by
 * our own URI, so that the peer reaches us through them (RFC 4975 §8.2).
 * @throws {SdpError} `SDP_ERR_INVALID_ARGUMENT` for a URI given as text that does not parse.
 */
export function localPath(
  localUri: MsrpUri | string,
  relayPath: readonly (MsrpUri | string)[] = [],
): MsrpUri[] {
  return [...relayPath.map((u) => toUri('relayPath', u)), toUri('localUri', localUri)];
}

/**
 * Parses a fingerprint as the `msrp` CLI and msrp-core's `certificateFingerprint()` write
 * it, `SHA-256 AB:CD:...`, into its two fields (hex without colons is accepted too).
 * @throws {SdpError} `SDP_ERR_INVALID_ARGUMENT` when it is not `<hash-function> <hex>`.
 */
export function parseFingerprintText(text: string): Fingerprint {
  const m = /^(\S+)\s+((?:[0-9A-Fa-f]{2}:?)+)$/.exec(text.trim());
  if (!m || m[2]!.endsWith(':')) {
    throw new SdpError(
      'SDP_ERR_INVALID_ARGUMENT',
      `Invalid fingerprint "${text}" (expected e.g. "SHA-256 AB:CD:...")`,
    );
  }
  const hex = m[2]!.replace(/:/g, '').toUpperCase();
  return { algorithm: m[1]!.toUpperCase(), value: hex.replace(/(..)(?!$)/g, '$1:') };
}
