// Issue 12: file hashes in a worker thread. The same digests as node:crypto, bytes copied in
// 256 KiB batches (the caller may reuse its buffers), a reader told to wait while the worker is
// behind, and small inputs hashed on the spot.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint, nodeHasher, workerHasher } from '../src/index.js';
import { fileHasherFor, openWorkerHashes } from '../src/node/worker-hasher.js';
import { HashTap } from '../src/session/file-transfer.js';
import { next } from './helpers/inbox.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Polls `done` every 5 ms; fails after `ms`. */
async function until(done: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('workerHasher', () => {
  it('never keeps the process alive, even with a hash left unfinished', async () => {
    const script = fileURLToPath(new URL('./fixtures/worker/unfinished-hash.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    clearTimeout(timer);
    expect(out).toBe('hashed\n');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('gives node:crypto digests for inputs of every size, fed in odd pieces from one reused buffer', async () => {
    for (const size of [0, 1000, 1024 * 1024, 3 * 1024 * 1024 + 5]) {
      const content = randomBytes(size);
      const hasher = workerHasher('sha-256');
      const reused = new Uint8Array(77_777);
      for (let at = 0; at < size; at += reused.length) {
        const piece = content.subarray(at, at + reused.length);
        reused.set(piece);
        hasher.update(reused.subarray(0, piece.length));
        reused.fill(0); // the hasher kept a copy, not a view
      }
      const digest = await hasher.finish!();
      expect(Buffer.from(digest).toString('hex')).toBe(
        createHash('sha256').update(content).digest('hex'),
      );
      expect(hasher.digest()).toEqual(digest);
    }
  });

  it('hashes under a batch on the spot: digest() works without finish(); SHA-1 too', () => {
    const hasher = workerHasher('sha-1');
    hasher.update(Buffer.from('abc'));
    expect(Buffer.from(hasher.digest()).toString('hex')).toBe(
      'a9993e364706816aba3e25717850c26c9cd0d89d',
    );
  });

  it('knows a worker digest only once finish() resolved', async () => {
    const hasher = workerHasher('sha-256');
    hasher.update(new Uint8Array(2 * 1024 * 1024));
    expect(() => hasher.digest()).toThrow('once finish() resolved');
    await hasher.finish!();
    expect(hasher.digest()).toHaveLength(32);
  });

  it('asks the reader to wait while the worker is more than 4 MiB behind, and lets it go on', async () => {
    const hasher = workerHasher('sha-256');
    const piece = new Uint8Array(1024 * 1024);
    let waited = 0;
    for (let i = 0; i < 64; i++) {
      hasher.update(piece);
      const ready = hasher.ready!();
      if (ready) {
        waited++;
        await ready;
      }
    }
    expect(waited).toBeGreaterThan(0);
    const all = createHash('sha256');
    for (let i = 0; i < 64; i++) all.update(piece);
    expect(Buffer.from(await hasher.finish!())).toEqual(all.digest());
  });

  it('MD5 (digest authentication) stays on the main thread', () => {
    const hasher = workerHasher('md5');
    expect('finish' in hasher).toBe(false);
  });

  it('a HashTap over it is offloaded and settles before its digest', async () => {
    const tap = new HashTap(workerHasher);
    expect(tap.offloaded).toBe(true);
    const content = randomBytes(5 * 1024 * 1024);
    const pieces: Uint8Array[] = [];
    const source = Readable.from(
      Array.from({ length: 80 }, (_, i) => content.subarray(i * 65536, (i + 1) * 65536)),
    );
    for await (const piece of tap.tap(source)) pieces.push(piece);
    expect(pieces).toHaveLength(80);
    expect(tap.digest()).toBe(
      `sha-256:${createHash('sha256')
        .update(content)
        .digest('hex')
        .toUpperCase()
        .replace(/(..)(?!$)/g, '$1:')}`,
    );
  });

  it('dispose() forgets an unfinished hash in the worker; the worker goes on with others', async () => {
    const cut = workerHasher('sha-256');
    cut.update(new Uint8Array(1024 * 1024));
    expect(openWorkerHashes()).toBe(1);
    cut.dispose!();
    expect(openWorkerHashes()).toBe(0);
    cut.update(new Uint8Array(1024 * 1024)); // dropped, no message for a hash the worker forgot
    await expect(cut.finish!()).rejects.toMatchObject({ code: 'MSRP_ERR_INVALID_ARGUMENT' });
    const content = randomBytes(1024 * 1024);
    const whole = workerHasher('sha-256');
    whole.update(content);
    expect(Buffer.from(await whole.finish!())).toEqual(
      createHash('sha256').update(content).digest(),
    );
  });

  it('a file transfer cut mid-way leaves no hash in the worker, on either side', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'msrp-worker-hasher-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const source = join(dir, 'source.bin');
    await writeFile(source, new Uint8Array(256 * 1024 * 1024));
    // Both endpoints hash files in the worker, whatever the machine's cores (fileHasherFor).
    const server = new Endpoint({ createHasher: workerHasher });
    cleanups.push(() => server.close());
    await server.listen({ host: '127.0.0.1', port: 0 });
    const client = new Endpoint({ createHasher: workerHasher });
    cleanups.push(() => client.close());
    const b = server.createSession();
    b.accept();
    const a = client.createSession();
    await a.connect([b.localUri]);
    const sending = a.sendFile(source);
    const message = await next(b[Symbol.asyncIterator]());
    const saving = message.saveTo(join(dir, 'received.bin'));
    // Both ends hash in this process's worker once a batch passed: the sender's and the receiver's.
    await until(() => openWorkerHashes() === 2, 'both hashes');
    await a.close();
    await expect(sending).rejects.toThrow();
    await expect(saving).rejects.toThrow();
    await until(() => openWorkerHashes() === 0, 'no open hash');
  }, 30_000);

  it('is the file hasher on machines of more than 2 cores; on 2 or fewer the main thread hashes', () => {
    expect(fileHasherFor(8)).toBe(workerHasher);
    expect(fileHasherFor(3)).toBe(workerHasher);
    expect(fileHasherFor(2)).toBe(nodeHasher);
    expect(fileHasherFor(1)).toBe(nodeHasher);
  });
});
