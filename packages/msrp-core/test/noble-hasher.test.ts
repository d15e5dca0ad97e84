// The browser entry's hasher (@noble/hashes) gives the digests Node's does, fed in pieces.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleHasher } from '../src/browser/noble-hasher.js';
import { nodeHasher, type HashAlgorithm } from '../src/index.js';
import { toHex } from '../src/internal.js';

const algorithms: HashAlgorithm[] = ['sha-1', 'sha-256', 'md5'];

describe('nobleHasher', () => {
  it.each([
    ['sha-1', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['sha-256', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['md5', '900150983cd24fb0d6963f7d28e17f72'],
  ] as const)('hashes "abc" with %s', (algorithm, hex) => {
    const hasher = nobleHasher(algorithm);
    hasher.update(new TextEncoder().encode('ab'));
    hasher.update(new TextEncoder().encode('c'));
    expect(toHex(hasher.digest())).toBe(hex);
  });

  it.each(algorithms)('matches nodeHasher for %s over 1 MiB in uneven pieces', (algorithm) => {
    const data = randomBytes(1 << 20);
    const noble = nobleHasher(algorithm);
    const node = nodeHasher(algorithm);
    // Piece sizes that cross the 64-byte block boundary every way.
    for (let at = 0, size = 1; at < data.length; at += size, size = (size * 7 + 13) % 9001) {
      const piece = data.subarray(at, at + size);
      noble.update(piece);
      node.update(piece);
    }
    expect(toHex(noble.digest())).toBe(toHex(node.digest()));
  });

  it('does not keep the bytes it was given (the caller may reuse them)', () => {
    const buffer = new Uint8Array(100).fill(1);
    const hasher = nobleHasher('sha-256');
    hasher.update(buffer);
    buffer.fill(2);
    const expected = nodeHasher('sha-256');
    expected.update(new Uint8Array(100).fill(1));
    expect(toHex(hasher.digest())).toBe(toHex(expected.digest()));
  });
});
