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
  reads.reader = { holdsData: () => holds };
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
    reads.reader = { holdsData: () => holds };
    readInto(reads, 2048, 0);
    const held = readInto(reads, 20_000, 3);
    const next = readInto(reads, 20_000, 4);
    expect(next.buffer).toBe(held.buffer);
    expect(next.byteOffset).toBe(20_000);
    expect(held.every((b) => b === 3)).toBe(true);
    holds = false;
    expect(readInto(reads, 20_000, 5).byteOffset).toBe(held.byteOffset);
  });

  it('pools no block its reader still holds once its lent views come back', () => {
    let holds = false;
    const reads = busy();
    reads.reader = { holdsData: () => holds };
    const lent = readInto(reads, 40_000, 1);
    lendRead(lent);
    // The parser pauses on the rest of the block's last read: its queue keeps views of it.
    const queued = readInto(reads, 64 * 1024 - 40_000 - 100, 2);
    holds = true;
    const next = readInto(reads, 1000, 3);
    expect(next.buffer).not.toBe(lent.buffer);
    // The lent view comes back while the queue still holds the rest: the block stays out of
    // the pool, so no connection reads over the queued bytes.
    returnReads([lent]);
    const other = busy();
    expect(readInto(other, 40_000, 4).buffer).not.toBe(queued.buffer);
    expect(queued.every((b) => b === 2)).toBe(true);
    // Once the parser read its queue, the block is pooled again (with the one read after it).
    holds = false;
    readInto(reads, 1000, 5);
    const taken = [readInto(busy(), 40_000, 6).buffer, readInto(busy(), 40_000, 7).buffer];
    expect(taken).toContain(queued.buffer);
  });

  it('reads a quiet connection into the scratch all share, and gives its block back', () => {
    const reads = busy();
    const big = readInto(reads, 30_000, 1);
    const short = readInto(reads, 100, 2);
    // After a short read: the scratch, shared with another quiet connection.
    const quiet = reads.next();
    const other = opened();
    expect(other.next().buffer).toBe(quiet.buffer);
    expect(quiet.buffer).not.toBe(big.buffer);
    // Each read out of it is a copy: the other connection's read leaves it as read.
    quiet.fill(3, 0, 50);
    const mine = reads.read(50);
    readInto(other, 50, 4);
    expect(mine.buffer).not.toBe(quiet.buffer);
    expect(mine.every((b) => b === 3)).toBe(true);
    // A long read into it: busy again, on the block given back to the pool.
    expect(readInto(reads, 2048, 5).every((b) => b === 5)).toBe(true);
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
