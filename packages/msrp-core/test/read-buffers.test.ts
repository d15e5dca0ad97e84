// Issue 12 (memory): an accepted connection reads into buffers used again, not into a new one
// per read; a buffer is read into again only once no view of it is lent or held.
import { afterEach, describe, expect, it } from 'vitest';
import { ReadBuffers } from '../src/node/read-buffers.js';
import { lendRead, returnReads } from '../src/transport/lent-reads.js';

/** A read of `n` bytes, each `fill`, into the region `reads` gave: its view. */
function readInto(reads: ReadBuffers, n: number, fill: number): Uint8Array {
  const region = reads.next();
  expect(region.length).toBeGreaterThanOrEqual(n);
  region.fill(fill, 0, n);
  return reads.read(n);
}

const open: ReadBuffers[] = [];
afterEach(() => {
  for (const reads of open.splice(0)) reads.close();
});

/** A connection's buffers, closed after the test. */
function opened(): ReadBuffers {
  const reads = new ReadBuffers();
  open.push(reads);
  return reads;
}

/** Reads past the first, small one: the connection is busy, its reads go to a full block. */
function busy(holds = false): ReadBuffers {
  const reads = opened();
  reads.holds = () => holds;
  readInto(reads, 2048, 0); // fills the small buffer: more is on its way
  return reads;
}

const at = (view: Uint8Array): [ArrayBufferLike, number] => [view.buffer, view.byteOffset];

describe('ReadBuffers', () => {
  it('reads into the same block from its start while nothing of it is kept', () => {
    const reads = busy();
    const first = readInto(reads, 40_000, 1);
    const second = readInto(reads, 40_000, 2);
    expect(first.length).toBe(40_000);
    expect(at(second)).toEqual(at(first));
  });

  it('reads a lent view over only once it was given back', () => {
    const reads = busy();
    const lent = readInto(reads, 30_000, 7);
    lendRead(lent);
    // The same block goes on after it, then a fresh one: the lent bytes stay as read.
    const after = readInto(reads, 64 * 1024 - 30_000, 8);
    expect(after.buffer).toBe(lent.buffer);
    expect(after.byteOffset).toBe(30_000);
    const next = readInto(reads, 40_000, 9);
    expect(next.buffer).not.toBe(lent.buffer);
    expect(lent.every((b) => b === 7)).toBe(true);
    // Given back, its block is free again: the next block taken is that one.
    returnReads([lent]);
    lendRead(next);
    readInto(reads, 64 * 1024 - 40_000, 10);
    expect(readInto(reads, 1000, 11).buffer).toBe(lent.buffer);
  });

  it('does not read over what its reader still holds (a paused parser)', () => {
    let holds = true;
    const reads = opened();
    reads.holds = () => holds;
    readInto(reads, 2048, 0);
    const held = readInto(reads, 20_000, 3);
    const next = readInto(reads, 20_000, 4);
    expect(next.buffer).toBe(held.buffer);
    expect(next.byteOffset).toBe(20_000);
    expect(held.every((b) => b === 3)).toBe(true);
    holds = false;
    expect(readInto(reads, 20_000, 5).byteOffset).toBe(held.byteOffset);
  });

  it('reads into a small buffer after a short read, and its block goes back to the pool', () => {
    const reads = busy();
    const big = readInto(reads, 30_000, 1);
    const short = readInto(reads, 100, 2);
    const quiet = reads.next();
    expect(quiet.length).toBeLessThanOrEqual(2048);
    expect(quiet.buffer).not.toBe(big.buffer);
    reads.read(2048); // filled: busy again, on the block from the pool
    expect(short.buffer).toBe(big.buffer);
    expect(reads.next().buffer).toBe(big.buffer);
  });

  it('keeps no block given back once every connection closed', () => {
    const reads = new ReadBuffers();
    readInto(reads, 2048, 0);
    const lent = readInto(reads, 30_000, 1);
    lendRead(lent);
    reads.close();
    returnReads([lent]);
    // A new connection's block is a new one: the pool kept nothing for nobody.
    expect(readInto(busy(), 1000, 2).buffer).not.toBe(lent.buffer);
  });
});
