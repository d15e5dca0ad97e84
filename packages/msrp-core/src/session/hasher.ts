/** Hash algorithms the core uses: SHA-1 and SHA-256 for files (RFC 5547), MD5 and SHA-256 for digest (RFC 7616). */
export type HashAlgorithm = 'sha-1' | 'sha-256' | 'md5';

/**
 * An incremental hash. The core hashes through this interface so that it runs on any
 * runtime: Node's `node:crypto` (`nodeHasher`, in node/) on Node, another implementation in
 * a browser. Neutral code always takes the factory as an argument.
 */
export interface Hasher {
  /** Adds bytes. The hasher must not keep `bytes` after it returns: they may be reused. */
  update(bytes: Uint8Array): void;
  /** The hash of all bytes added; call once. */
  digest(): Uint8Array;
}

/** Makes a fresh {@link Hasher} for an algorithm. */
export type HasherFactory = (algorithm: HashAlgorithm) => Hasher;

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
