import type { Hash } from 'node:crypto';
import type { HashAlgorithm, Hasher, HasherFactory } from '../session/hasher.js';

const NAMES: Record<HashAlgorithm, string> = { 'sha-1': 'sha1', 'sha-256': 'sha256', md5: 'md5' };

/** A {@link Hasher} over `node:crypto`: no copy and no allocation per `update` beyond Node's. */
class NodeHasher implements Hasher {
  readonly #hash: Hash;

  constructor(algorithm: HashAlgorithm) {
    // node:crypto on first use, not at import (issue 12: only hashing processes need it).
    this.#hash = process.getBuiltinModule('node:crypto').createHash(NAMES[algorithm]);
  }

  update(bytes: Uint8Array): void {
    this.#hash.update(bytes);
  }

  digest(): Uint8Array {
    return this.#hash.digest();
  }
}

/** The {@link HasherFactory} of Node (`node:crypto`), the default of the core on Node. */
export const nodeHasher: HasherFactory = (algorithm) => new NodeHasher(algorithm);
