import { MsrpError } from '../errors.js';
import { uriKey, type MsrpUri } from '../wire/uri.js';

/**
 * What is wrong with a path a caller gave, or undefined for a non-empty list of parsed URIs:
 * from JavaScript a caller may pass strings, which would fail deep inside with a TypeError.
 * @returns `MSRP_ERR_INVALID_ARGUMENT` naming `what` and the first bad element.
 */
export function uriPathError(path: readonly MsrpUri[], what: string): MsrpError | undefined {
  if (!Array.isArray(path) || path.length === 0) {
    return new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `${what} must be a non-empty array of URIs`);
  }
  for (const uri of path as readonly unknown[]) {
    const { scheme, host } = (uri ?? {}) as Partial<MsrpUri>;
    if ((scheme !== 'msrp' && scheme !== 'msrps') || typeof host !== 'string') {
      return new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        `${what}: ${JSON.stringify(uri)} is no parsed MSRP URI (make one with parseUri)`,
      );
    }
  }
  return undefined;
}

/**
 * Whether a request's `fromPath` comes from the peer at the end of `remotePath` (RFC 4975
 * §7.3), the relays before them ignored (RFC 4976 §7.1: each puts its URI first). By
 * session-id alone: the authority we have for the peer may be one a middlebox, a NAT or a TCP
 * proxy put in its place (RFC 6714 CEMA), while its requests carry its own; the session-id,
 * 80 random bits or more (RFC 4975 §14.1), names the peer.
 */
export function sameSender(fromPath: readonly MsrpUri[], remotePath: readonly MsrpUri[]): boolean {
  const sender = fromPath.at(-1);
  const peer = remotePath.at(-1);
  return sender !== undefined && peer !== undefined && sender.sessionId === peer.sessionId;
}

/**
 * Whether a request's `fromPath` comes from one of the URIs of `path`: a relay on the way
 * sends a failure REPORT itself, its own URI as From-Path (RFC 4975 §7.1.2, RFC 4976 §7.2).
 */
export function sentFromPath(
  fromPath: readonly MsrpUri[],
  path: readonly MsrpUri[],
  sessionIdOnly: boolean,
): boolean {
  const sender = fromPath.at(-1);
  return sender !== undefined && path.some((hop) => sameUri(sender, hop, sessionIdOnly));
}

function sameUri(a: MsrpUri, b: MsrpUri, sessionIdOnly: boolean): boolean {
  return sessionIdOnly ? a.sessionId === b.sessionId : uriKey(a) === uriKey(b);
}
