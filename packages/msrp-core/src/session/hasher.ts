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
  /**
   * The hash of all bytes added; call once. A hasher that works elsewhere may only know it
   * once {@link finish} resolved, and throws before.
   */
  digest(): Uint8Array;
  /**
   * For a hasher that works elsewhere (Node's file hasher, in a worker thread): a promise
   * that resolves when it can take more bytes, or undefined when it can now. Readers that
   * can wait (file reads and writes) await it, so that the hash bounds memory.
   */
  ready?(): Promise<void> | undefined;
  /** For a hasher that works elsewhere: the hash of all bytes added, once computed. */
  finish?(): Promise<Uint8Array>;
  /**
   * For a hasher that holds resources elsewhere: frees them when no digest will be asked
   * for (a cut transfer). Nothing after it; a no-op once the digest is known.
   */
  dispose?(): void;
}

/** Makes a fresh {@link Hasher} for an algorithm. */
export type HasherFactory = (algorithm: HashAlgorithm) => Hasher;

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
