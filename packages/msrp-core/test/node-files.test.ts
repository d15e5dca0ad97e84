// Issue 12 (disk to disk): Node's file source reads in pieces of 256 KiB at least, whatever the
// chunk size asks for: a thread-pool round trip per 64 KiB piece cost 2–3× the CPU.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { MsrpError } from '../src/errors.js';
import { nodeFiles } from '../src/node/files.js';

const cleanups: Array<() => unknown> = [];

async function tempPath(name: string, content?: Uint8Array): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-node-files-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  if (content) await writeFile(path, content);
  return path;
}

/** How many of this process's file descriptors are open on `path`. */
async function openCount(path: string): Promise<number> {
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) === path) n++;
  }
  return n;
}
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

it('hands each piece over in a buffer of its own, and closes the file after the last', async () => {
  const content = randomBytes(600 * 1024);
  const path = await tempPath('file.bin', content);
  const file = await nodeFiles.open(path, { readSize: 256 * 1024 });
  expect(await openCount(path)).toBe(1);
  const pieces: Uint8Array[] = [];
  for await (const piece of file.bytes as AsyncIterable<Uint8Array>) pieces.push(piece);
  // The session may still hold a piece (a chunk not written yet) when it asks for the next.
  expect(new Set(pieces.map((p) => p.buffer)).size).toBe(pieces.length);
  expect(Buffer.concat(pieces).equals(content)).toBe(true);
  expect(await openCount(path)).toBe(0);
});

it('closes a file that is released without being read, or left early', async () => {
  const path = await tempPath('file.bin', randomBytes(1024 * 1024));
  const unread = await nodeFiles.open(path, { readSize: 256 * 1024 });
  const left = await nodeFiles.open(path, { readSize: 256 * 1024 });
  expect(await openCount(path)).toBe(2);
  unread.release();
  for await (const piece of left.bytes as AsyncIterable<Uint8Array>) {
    expect(piece.length).toBe(256 * 1024);
    break;
  }
  await vi.waitUntil(async () => (await openCount(path)) === 0, { timeout: 2000, interval: 5 });
});

it('refuses a missing path or a directory with MSRP_ERR_FILE, holding nothing open', async () => {
  const dir = await tempPath('dir');
  await mkdir(dir);
  for (const path of [`${dir}/missing.bin`, dir]) {
    const error = await nodeFiles.open(path, { readSize: 65536 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsrpError);
    expect((error as MsrpError).code).toBe('MSRP_ERR_FILE');
    expect((error as MsrpError).message).toContain(path);
  }
  expect(await openCount(dir)).toBe(0);
});
