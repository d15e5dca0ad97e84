// Issue 12 (memory): a connection reads into buffers used again, not into a new one per read;
// a buffer is read into again only once no view of it is lent or held.
import { afterEach, describe, expect, it } from 'vitest';
import { ReadBuffers } from '../src/node/read-buffers.js';
import { lendRead, returnReads } from '../src/transport/lent-reads.js';

/** A read of `n` bytes (all it was given: the socket had more), each `fill`: its view. */
function readInto(reads: ReadBuffers, n: number | 'all', fill: number): Uint8Array {
  const region = reads.next();
  const length = n === 'all' ? region.length : n;
  expect(region.length).toBeGreaterThanOrEqual(length);
  region.fill(fill, 0, length);
  return reads.read(length);
}

const open: ReadBuffers[] = [];
afterEach(() => {
  for (const reads of open.splice(0)) reads.close();
});

/** A connection's buffers, closed after the test. */
function opened(idleHoldsNothing = false): ReadBuffers {
  const reads = new ReadBuffers(idleHoldsNothing);
  open.push(reads);
  return reads;
}

/** A connection past a first read that filled the scratch: busy, its next read goes to a block. */
function busy(holds = (): boolean => false, idleHoldsNothing = false): ReadBuffers {
  const reads = opened(idleHoldsNothing);
  reads.reader = { holdsData: holds };
  readInto(reads, 'all', 0);
  return reads;
}

describe('ReadBuffers', () => {
  it('reads into the same block again while nothing of it is kept', () => {
    const reads = busy();
    const first = readInto(reads, 'all', 1);
    const second = readInto(reads, 'all', 2);
    expect(first.length).toBe(64 * 1024);
    expect([second.buffer, second.byteOffset]).toEqual([first.buffer, first.byteOffset]);
  });

  it('reads a lent view over only once it was given back', () => {
    const reads = busy();
    const block = readInto(reads, 'all', 7);
    const lent = block.subarray(100, 9000);
    lendRead(lent);
    const next = readInto(reads, 'all', 8);
    expect(next.buffer).not.toBe(lent.buffer);
    expect(lent.every((b) => b === 7)).toBe(true);
    // Given back, its block is pooled: the next block taken is that one.
    returnReads([lent]);
    lendRead(next);
    expect(readInto(reads, 'all', 9).buffer).toBe(lent.buffer);
  });

  it('does not read over what its reader still holds (a paused parser)', () => {
    let holds = true;
    const reads = busy(() => holds);
    const held = readInto(reads, 'all', 3);
    const next = readInto(reads, 'all', 4);
    expect(next.buffer).not.toBe(held.buffer);
    expect(held.every((b) => b === 3)).toBe(true);
    holds = false;
    expect(readInto(reads, 'all', 5).buffer).toBe(next.buffer);
  });

  it('pools no block its reader still holds once its lent views come back', () => {
    let holds = false;
    const reads = busy(() => holds);
    const block = readInto(reads, 'all', 1);
    const lent = block.subarray(0, 40_000);
    lendRead(lent);
    // The parser pauses on the rest of the read: its queue keeps views of it.
    const queued = block.subarray(40_000);
    holds = true;
    expect(readInto(reads, 'all', 3).buffer).not.toBe(block.buffer);
    // The lent view comes back while the queue still holds the rest: the block stays out of
    // the pool, so no connection reads over the queued bytes.
    returnReads([lent]);
    expect(readInto(busy(), 'all', 4).buffer).not.toBe(block.buffer);
    expect(queued.every((b) => b === 1)).toBe(true);
    // Once the parser read its queue, the block is pooled again.
    holds = false;
    readInto(reads, 'all', 5);
    expect(readInto(busy(), 'all', 6).buffer).toBe(block.buffer);
  });

  it('pools no block while a read of it is being handed on, though the views lent so far came back', () => {
    const reads = opened(true);
    reads.reader = { holdsData: () => false };
    // A quiet connection's read of some frames, copied out of the scratch into its block.
    const read = readInto(reads, 3000, 1);
    // The reader takes it frame by frame: the first frame's view is lent and given back (a
    // whole chat line forwarded) before a later frame of the same read is lent.
    const first = read.subarray(0, 100);
    lendRead(first);
    returnReads([first]);
    const later = read.subarray(1000, 1001);
    lendRead(later);
    // Another connection reads meanwhile: not into that block.
    const other = opened(true);
    other.reader = { holdsData: () => false };
    expect(readInto(other, 3000, 2).buffer).not.toBe(read.buffer);
    expect(later[0]).toBe(1);
    // Its read done and the later view given back, the block goes to the pool.
    reads.next();
    returnReads([later]);
    const third = opened(true);
    third.reader = { holdsData: () => false };
    expect(readInto(third, 3000, 3).buffer).toBe(read.buffer);
  });

  it('reads on into its block after what a read left there, and into the scratch after a short one', () => {
    const reads = busy();
    const first = readInto(reads, 30_000, 1);
    lendRead(first);
    const second = readInto(reads, 10_000, 2);
    expect([second.buffer, second.byteOffset]).toEqual([first.buffer, 30_000]);
    const short = readInto(reads, 100, 3);
    expect([short.buffer, short.byteOffset]).toEqual([first.buffer, 40_000]);
    const quiet = reads.next();
    expect(quiet.buffer).not.toBe(first.buffer);
    expect(first.every((b) => b === 1)).toBe(true);
    // Its lent view back, the block goes to the pool: another connection reads into it.
    returnReads([first]);
    expect(readInto(busy(), 'all', 4).buffer).toBe(first.buffer);
  });

  it('holding nothing idle: after a read that drained the socket, reads into the scratch all share, its block back in the pool', () => {
    const reads = busy(undefined, true);
    const big = readInto(reads, 'all', 1);
    const last = readInto(reads, 30_000, 2);
    expect(last.buffer).toBe(big.buffer);
    // The block was not filled: the socket is drained, what comes next goes to the scratch,
    // shared with another quiet connection.
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
    // A longer read is copied out into a block, the one given back to the pool (no garbage).
    const copied = readInto(reads, 2048, 5);
    expect(copied.buffer).toBe(big.buffer);
    expect(copied.every((b) => b === 5)).toBe(true);
    // It did not fill the scratch: the socket is drained, the next read lands there again.
    expect(reads.next().buffer).toBe(quiet.buffer);
  });

  it('after a read that filled the scratch, reads straight into a block', () => {
    const reads = opened();
    reads.reader = { holdsData: () => false };
    const first = readInto(reads, 'all', 1);
    const second = readInto(reads, 'all', 2);
    expect(second.buffer).toBe(first.buffer); // the block the first was copied into
    expect(second.every((b) => b === 2)).toBe(true);
  });

  it('keeps no block given back once every connection closed', () => {
    const reads = new ReadBuffers();
    reads.reader = { holdsData: () => false };
    readInto(reads, 'all', 0);
    const lent = readInto(reads, 'all', 1);
    lendRead(lent);
    reads.close();
    returnReads([lent]);
    // A new connection's block is a new one: the pool kept nothing for nobody.
    expect(readInto(busy(), 'all', 2).buffer).not.toBe(lent.buffer);
  });
});
