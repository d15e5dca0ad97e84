// Issue 12 (disk to disk): Node's file source reads in pieces of 256 KiB at least, whatever the
// chunk size asks for: a thread-pool round trip per 64 KiB piece cost 2–3× the CPU.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { nodeFiles } from '../src/node/files.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('reads a file in pieces of 256 KiB at least, all bytes in order', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-node-files-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'file.bin');
  const content = randomBytes(1024 * 1024 + 5);
  await writeFile(path, content);
  const file = await nodeFiles.open(path, { readSize: 64 * 1024 });
  const pieces: Uint8Array[] = [];
  for await (const piece of file.bytes as AsyncIterable<Uint8Array>) pieces.push(piece);
  expect(pieces.map((p) => p.length)).toEqual([262144, 262144, 262144, 262144, 5]);
  expect(Buffer.concat(pieces).equals(content)).toBe(true);
  expect(file.size).toBe(content.length);
});

it('reads in pieces of at most 16 MiB, and no larger than the file, whatever the chunk size', async () => {
  // A 2 GiB chunkSize aborted the process (Node's fs.read takes at most 2 GiB - 1), and a
  // 100 MiB one read a 2000-byte file into 100 MiB buffers.
  const dir = await mkdtemp(join(tmpdir(), 'msrp-node-files-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const pieceSizes = async (size: number, readSize: number): Promise<number[]> => {
    const path = join(dir, `${size}.bin`);
    await writeFile(path, Buffer.alloc(size, 7));
    const file = await nodeFiles.open(path, { readSize });
    const sizes: number[] = [];
    for await (const piece of file.bytes as AsyncIterable<Uint8Array>) {
      sizes.push(piece.length);
      // No larger buffer behind it than a piece may be.
      expect(piece.buffer.byteLength).toBeLessThanOrEqual(Math.min(size, 16 * 1024 * 1024));
    }
    file.release?.();
    return sizes;
  };
  expect(await pieceSizes(2000, 2 ** 31)).toEqual([2000]);
  expect(await pieceSizes(2000, 100 * 1024 * 1024)).toEqual([2000]);
  expect(await pieceSizes(17 * 1024 * 1024 + 5, 64 * 1024 * 1024)).toEqual([
    16 * 1024 * 1024,
    1024 * 1024 + 5,
  ]);
});

it('fails with MSRP_ERR_FILE, naming the file, when it is cut short while being read', async () => {
  // It ended as a stream shorter than declared: "Source of <Message-ID> ended after ...".
  const dir = await mkdtemp(join(tmpdir(), 'msrp-node-files-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'shrinks.bin');
  await writeFile(path, Buffer.alloc(3 * 262144, 1));
  const file = await nodeFiles.open(path, { readSize: 262144 });
  const pieces = (file.bytes as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const first = await pieces.next();
  expect(first.done ? 0 : first.value.length).toBe(262144);
  await truncate(path, 1000);
  // The piece read ahead may have come before the cut; the next read finds the end.
  await expect(
    (async () => {
      for (;;) if ((await pieces.next()).done) return;
    })(),
  ).rejects.toMatchObject({
    code: 'MSRP_ERR_FILE',
    message: expect.stringMatching(
      /shrinks\.bin ended at byte (262144|524288) of 786432: it was cut short while being sent$/,
    ) as unknown,
  });
});

// Issue 12 (memory): a new buffer per read was garbage until the next scavenge. The buffers
// are read into again, but only once the peer confirmed every octet they held.
async function fourPieces(): Promise<{ path: string; content: Buffer }> {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-node-files-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'file.bin');
  const content = randomBytes(4 * 262144);
  await writeFile(path, content);
  return { path, content };
}

it('reads into a buffer again once every octet it held is released (confirmed)', async () => {
  const { path, content } = await fourPieces();
  const file = await nodeFiles.open(path, { readSize: 0 });
  const pieces = (file.bytes as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const first = (await pieces.next()).value as Uint8Array;
  const buffer = first.buffer;
  expect(Buffer.from(first).equals(content.subarray(0, 262144))).toBe(true);
  file.released!(262144);
  // The second piece was read ahead while the first was handed out; the third goes into
  // the first one's buffer.
  const second = (await pieces.next()).value as Uint8Array;
  const third = (await pieces.next()).value as Uint8Array;
  expect(second.buffer).not.toBe(buffer);
  expect(third.buffer).toBe(buffer);
  expect(Buffer.from(second).equals(content.subarray(262144, 524288))).toBe(true);
  expect(Buffer.from(third).equals(content.subarray(524288, 786432))).toBe(true);
  await pieces.return!(undefined);
});

it('never reads into a buffer with an octet not yet released', async () => {
  const { path, content } = await fourPieces();
  const file = await nodeFiles.open(path, { readSize: 0 });
  const seen = new Set<ArrayBufferLike>();
  const got: Uint8Array[] = [];
  for await (const piece of file.bytes as AsyncIterable<Uint8Array>) {
    expect(seen.has(piece.buffer)).toBe(false);
    seen.add(piece.buffer);
    got.push(Buffer.from(piece)); // a copy: the test keeps what it was lent
    // One octet short of the first piece's end: no buffer is ever free.
    file.released!(262143);
  }
  expect(Buffer.concat(got).equals(content)).toBe(true);
});
