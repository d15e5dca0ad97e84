import { createHash } from 'node:crypto';

/**
 * Digest algorithms of RFC 7616 that msrp-ts speaks, strongest first. RFC 4976 §5.1 names
 * only MD5 (RFC 2617); SHA-256 is what RFC 7616 §3.7 asks servers to offer first.
 */
export type DigestAlgorithm = 'SHA-256' | 'MD5';

/** The supported algorithms in order of preference. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];

const HASHES: Record<DigestAlgorithm, string> = { 'SHA-256': 'sha256', MD5: 'md5' };

/**
 * The algorithm an `algorithm` parameter names, or undefined when unsupported.
 * RFC 7616 §3.3: when the parameter is absent, MD5 is meant.
 */
export function parseDigestAlgorithm(text: string | undefined): DigestAlgorithm | undefined {
  if (text === undefined) return 'MD5';
  return DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === text.toLowerCase());
}

/** `H(data)` of RFC 7616 §3.4.1: the hash of `data` as lowercase hex. */
export function digestHash(algorithm: DigestAlgorithm, data: string): string {
  return createHash(HASHES[algorithm]).update(data, 'utf8').digest('hex');
}

/** `HA1 = H(username ":" realm ":" password)` (RFC 7616 §3.4.2), what a credential store keeps. */
export function digestHa1(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: string,
): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

/** What a digest `response` is computed from (RFC 7616 §3.4.1, qop=auth). */
export interface DigestInput {
  readonly algorithm: DigestAlgorithm;
  /** `H(username:realm:password)`, lowercase hex. */
  readonly ha1: string;
  readonly nonce: string;
  /** Nonce count, 8 hex digits (`00000001`). */
  readonly nc: string;
  readonly cnonce: string;
  /**
   * Request method: `AUTH` for the Authorization of an MSRP AUTH (RFC 4976 §5.1); empty for
   * the `rspauth` of Authentication-Info (RFC 7616 §3.5).
   */
  readonly method: string;
  /** The digest-uri: for MSRP, the relay URI the AUTH is addressed to, as written in To-Path. */
  readonly uri: string;
}

/**
 * `KD(HA1, nonce:nc:cnonce:qop:H(A2))` with `A2 = method:uri` and qop=auth
 * (RFC 7616 §3.4.1): the `response` of Authorization, or the `rspauth` of
 * Authentication-Info when `method` is empty.
 */
export function digestResponse(input: DigestInput): string {
  const ha2 = digestHash(input.algorithm, `${input.method}:${input.uri}`);
  return digestHash(
    input.algorithm,
    `${input.ha1}:${input.nonce}:${input.nc}:${input.cnonce}:auth:${ha2}`,
  );
}
