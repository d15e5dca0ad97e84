import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { HashAlgorithm, HasherFactory } from '../session/hasher.js';

// Web Crypto's digest() is one-shot and asynchronous: it cannot hash a file as its chunks
// pass. @noble/hashes is incremental, audited, dependency-free and has all three.
const HASHES = { 'sha-1': sha1, 'sha-256': sha256, md5 } satisfies Record<HashAlgorithm, unknown>;

/**
 * The {@link HasherFactory} of the browser entry: pure JavaScript (`@noble/hashes`), so it
 * runs anywhere. It gives the same digests as Node's `node:crypto`, more slowly.
 */
export const nobleHasher: HasherFactory = (algorithm) => HASHES[algorithm].create();
