// Issue 12 (disk to disk): Node's file source reads in pieces of 256 KiB at least, whatever the
// chunk size asks for: a thread-pool round trip per 64 KiB piece cost 2–3× the CPU.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
