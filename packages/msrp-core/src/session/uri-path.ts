import { MsrpError } from '../errors.js';
import type { MsrpUri } from '../wire/uri.js';

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
