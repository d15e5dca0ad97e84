import { formatParam, parseParams, TOKEN, type Param } from './grammar.js';

/**
 * An HTTP-style authentication header value (RFC 4976 §10, RFC 7616):
 * `Digest realm="...", nonce="...", ...` for WWW-Authenticate and Authorization.
 * Parameters keep their order and quoting.
 */
export interface AuthHeader {
  /** Authentication scheme, `Digest` for RFC 4976. */
  readonly scheme: string;
  /** The parameters, in order. */
  readonly params: readonly Param[];
}

/** Parses `scheme param, param, ...`; returns undefined when malformed. */
export function parseAuthHeader(text: string): AuthHeader | undefined {
  const sp = text.indexOf(' ');
  const scheme = sp < 0 ? text : text.slice(0, sp);
  if (!TOKEN.test(scheme)) return undefined;
  const params = sp < 0 ? [] : parseParams(text.slice(sp + 1), ',');
  return params && { scheme, params };
}

/** Formats an {@link AuthHeader}, parameters separated by `", "`. */
export function formatAuthHeader(header: AuthHeader): string {
  return header.params.length === 0
    ? header.scheme
    : `${header.scheme} ${header.params.map(formatParam).join(', ')}`;
}

/** Parses an Authentication-Info value: `param, param, ...` with no scheme. */
export function parseAuthParams(text: string): Param[] | undefined {
  return parseParams(text, ',');
}

/** Formats Authentication-Info parameters. */
export function formatAuthParams(params: readonly Param[]): string {
  return params.map(formatParam).join(', ');
}
