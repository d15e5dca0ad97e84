import { toHex, type HashAlgorithm, type HasherFactory } from './hasher.js';

/**
 * Digest algorithms of RFC 7616 that msrp-ts speaks, strongest first. RFC 4976 §5.1 names
 * only MD5 (RFC 2617); SHA-256 is what RFC 7616 §3.7 asks servers to offer first.
 */
export type DigestAlgorithm = 'SHA-256' | 'MD5';

/** The supported algorithms in order of preference. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];

const HASHES: Record<DigestAlgorithm, HashAlgorithm> = { 'SHA-256': 'sha-256', MD5: 'md5' };
const utf8 = new TextEncoder();

/**
 * The algorithm an `algorithm` parameter names, or undefined when unsupported.
 * RFC 7616 §3.3: when the parameter is absent, MD5 is meant.
 */
export function parseDigestAlgorithm(text: string | undefined): DigestAlgorithm | undefined {
  if (text === undefined) return 'MD5';
  return DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === text.toLowerCase());
}

/**
 * `H(data)` of RFC 7616 §3.4.1: the hash of `data` (UTF-8) as lowercase hex.
 * @param createHasher where the hash comes from (Node's `nodeHasher`, or a browser's).
 */
export function digestHash(
  algorithm: DigestAlgorithm,
  data: string,
  createHasher: HasherFactory,
): string {
  const hasher = createHasher(HASHES[algorithm]);
  hasher.update(utf8.encode(data));
  return toHex(hasher.digest());
}

/** `HA1 = H(username ":" realm ":" password)` (RFC 7616 §3.4.2), what a credential store keeps. */
export function digestHa1(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: string,
  createHasher: HasherFactory,
): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`, createHasher);
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
 * @param createHasher where the hashes come from (Node's `nodeHasher`, or a browser's).
 */
export function digestResponse(input: DigestInput, createHasher: HasherFactory): string {
  const ha2 = digestHash(input.algorithm, `${input.method}:${input.uri}`, createHasher);
  return digestHash(
    input.algorithm,
    `${input.ha1}:${input.nonce}:${input.nc}:${input.cnonce}:auth:${ha2}`,
    createHasher,
  );
}
