// Issue 12 (memory): a file's pieces are read into buffers used again once the peer confirmed
// them. A send window that grows and shrinks with the rate releases many pieces at once and
// then reads many: a pool of 1 MiB dropped what the next reads allocated anew (`msrp send` of
// 128 MiB: 63 buffers of 256 KiB, peak RSS 59 → 69 MiB).
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { FilePieces } from '../src/node/file-pieces.js';

const PIECE = 256 * 1024;
const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

it('reads into the buffers released, however many were released at once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-pieces-'));
  dirs.push(dir);
  const path = join(dir, 'f.bin');
  const content = randomBytes(24 * PIECE);
  await writeFile(path, content);
  const pieces = new FilePieces(await open(path, 'r'), PIECE);
  const reader = pieces[Symbol.asyncIterator]();
  const batch = async (n: number): Promise<Uint8Array[]> => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) out.push((await reader.next()).value as Uint8Array);
    return out;
  };
  // Ten pieces in flight (a 2 MiB window and the pieces read ahead), all confirmed at once.
  const first = await batch(10);
  expect(Buffer.concat(first).equals(content.subarray(0, 10 * PIECE))).toBe(true);
  const buffers = new Set(first.map((p) => p.buffer));
  pieces.released(10 * PIECE);
  // The next ten are read into those buffers (and the one read ahead meanwhile): none new.
  const second = await batch(10);
  expect(Buffer.concat(second).equals(content.subarray(10 * PIECE, 20 * PIECE))).toBe(true);
  const fresh = second.filter((p) => !buffers.has(p.buffer));
  expect(fresh.length).toBeLessThanOrEqual(1);
  await reader.return?.(undefined);
});
