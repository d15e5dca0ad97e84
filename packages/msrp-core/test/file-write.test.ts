// The receiver's file writes (issue 12, disk to disk): the pieces queued when the writer comes
// back go out in writevs of at most 128 KiB at their offset, hashed in the same pass, and count
// as taken (with confirmWhenRead: answered 200) only after those writes.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WRITE_BYTES, writeBody, writePiecesSync } from '../src/node/file-write.js';
import { nodeHasher } from '../src/node/node-hasher.js';
import { HashTap } from '../src/session/file-transfer.js';
import type { IncomingMessage } from '../src/session/incoming-message.js';
import { PieceStream } from '../src/session/piece-stream.js';

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof fs>();
  return { ...actual, writevSync: vi.fn(actual.writevSync) };
});

const writev = vi.mocked(fs.writevSync);
const actualWritev = (await vi.importActual<typeof fs>('node:fs')).writevSync;
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  writev.mockReset();
  writev.mockImplementation(actualWritev);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempFile(): Promise<{ path: string; handle: fs.promises.FileHandle }> {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-file-write-'));
  const path = join(dir, 'out.bin');
  const handle = await open(path, 'w+');
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  cleanups.push(() => handle.close());
  return { path, handle };
}

function piece(length: number, fill: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(length).fill(fill);
}

function sha256(...parts: Uint8Array[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex').toUpperCase();
}

describe('PieceStream.nextPieces', () => {
  it('hands over every queued piece at once, reporting them taken only at the next call', async () => {
    const taken = vi.fn();
    const s = new PieceStream(Number.POSITIVE_INFINITY, { pull: vi.fn(), closed: vi.fn(), taken });
    const [a, b, c] = [piece(3, 1), piece(5, 2), piece(7, 3)];
    s.push(a);
    s.push(b);
    s.push(c);
    const first = await s.nextPieces();
    expect(first).toHaveLength(3);
    expect(first![0]).toBe(a); // the very pieces, in order, not copies
    expect(first![2]).toBe(c);
    expect(taken).not.toHaveBeenCalled();
    const later = s.nextPieces(); // waits for a piece
    expect(taken).toHaveBeenCalledExactlyOnceWith(15);
    const d = piece(2, 4);
    s.push(d);
    expect(await later).toEqual([d]);
    s.end();
    expect(await s.nextPieces()).toBeUndefined();
    expect(taken).toHaveBeenLastCalledWith(2);
  });

  it("throws a destroy's error and pulls a producer it paused", async () => {
    const pull = vi.fn();
    const s = new PieceStream(2, { pull, closed: vi.fn() });
    s.push(piece(1, 1));
    expect(s.push(piece(1, 2))).toBe(false);
    expect(await s.nextPieces()).toHaveLength(2);
    expect(pull).toHaveBeenCalledOnce();
    s.push(piece(1, 3));
    s.destroy(new Error('cut'));
    await expect(s.nextPieces()).rejects.toThrow('cut');
  });
});

describe('writeBody', () => {
  it('writes the pieces queued together with one writev at their offset, confirmed only after it', async () => {
    const { path, handle } = await tempFile();
    await handle.write(piece(4, 9), 0, 4, 0); // octets held before: the message goes at 4
    let taken = 0;
    const s = new PieceStream(Number.POSITIVE_INFINITY, {
      pull: vi.fn(),
      closed: vi.fn(),
      taken: (n) => (taken += n),
    });
    const pieces = [piece(8192, 1), piece(8192, 2), piece(1000, 3)];
    for (const p of pieces) s.push(p);
    s.end();
    const takenAtWrite: number[] = [];
    writev.mockImplementation((...args) => {
      takenAtWrite.push(taken);
      return actualWritev(...args);
    });
    const tap = new HashTap(nodeHasher);
    const message = { stream: s, body: undefined } as unknown as IncomingMessage;
    const bytes = await writeBody(message, handle, 4, tap);
    expect(bytes).toBe(8192 * 2 + 1000);
    expect(writev).toHaveBeenCalledOnce();
    expect(writev.mock.calls[0]![1]).toHaveLength(3);
    expect(writev.mock.calls[0]![2]).toBe(4);
    expect(takenAtWrite).toEqual([0]); // nothing confirmed before the bytes were written
    expect(taken).toBe(bytes); // all of it once written
    expect(tap.digest()).toBe(`sha-256:${sha256(...pieces).replace(/(..)(?!$)/g, '$1:')}`);
    const file = await readFile(path);
    expect(file.subarray(0, 4)).toEqual(Buffer.from(piece(4, 9)));
    expect(file.subarray(4)).toEqual(Buffer.concat(pieces));
  });

  it('lets the 200s its pull made leave before it hashes the pieces', async () => {
    const { handle } = await tempFile();
    // Like a connection: what is answered while the reader pulls goes out at the end of the tick.
    const sent: number[] = [];
    let answered = 0;
    const s = new PieceStream(Number.POSITIVE_INFINITY, {
      pull: vi.fn(),
      closed: vi.fn(),
      taken: (n) => {
        answered += n;
        const upTo = answered;
        process.nextTick(() => sent.push(upTo));
      },
    });
    const sentAtHash: number[][] = [];
    const tap = new HashTap(() => {
      const hash = createHash('sha256');
      return {
        update: (bytes: Uint8Array) => {
          sentAtHash.push([...sent]);
          hash.update(bytes);
        },
        digest: () => hash.digest(),
      };
    });
    s.push(piece(8192, 1));
    s.push(piece(8192, 2));
    const message = { stream: s, body: undefined } as unknown as IncomingMessage;
    const writing = writeBody(message, handle, 0, tap);
    await vi.waitUntil(() => sentAtHash.length === 2, { timeout: 2000, interval: 1 });
    s.push(piece(100, 3));
    s.end();
    expect(await writing).toBe(8192 * 2 + 100);
    // Each batch was hashed only once the 200s of its bytes had been sent.
    expect(sentAtHash).toEqual([[16384], [16384], [16384, 16484]]);
  });

  it('refuses pieces that would go past `end` before it writes or confirms any of them', async () => {
    const { path, handle } = await tempFile();
    let taken = 0;
    const s = new PieceStream(Number.POSITIVE_INFINITY, {
      pull: vi.fn(),
      closed: vi.fn(),
      taken: (n) => (taken += n),
    });
    s.push(piece(6, 1));
    const message = { messageId: 'm1', stream: s, body: undefined } as unknown as IncomingMessage;
    const writing = writeBody(message, handle, 2, new HashTap(nodeHasher), { end: 10 });
    // Octets 2-8 fit; the next batch ends past 10, though its first piece alone would fit.
    await vi.waitUntil(() => writev.mock.calls.length === 1, { timeout: 2000, interval: 1 });
    s.push(piece(1, 2));
    s.push(piece(2, 3));
    await expect(writing).rejects.toMatchObject({
      code: 'MSRP_ERR_INVALID_ARGUMENT',
      message: "Message m1 goes past the file's 10 octets",
    });
    expect(taken).toBe(6);
    expect(writev).toHaveBeenCalledOnce();
    expect((await readFile(path)).subarray(2)).toEqual(Buffer.from(piece(6, 1)));
  });
});

describe('writePiecesSync', () => {
  it('finishes what a short writev left, from inside the piece it stopped in', async () => {
    const { path, handle } = await tempFile();
    const pieces = [piece(100, 1), piece(100, 2), piece(100, 3)];
    // The kernel takes 150 octets: all of the first piece and half of the second.
    writev.mockImplementationOnce((fd, buffers, position) =>
      actualWritev(fd, [buffers[0]!, (buffers[1] as Uint8Array).subarray(0, 50)], position),
    );
    expect(writePiecesSync(handle.fd, pieces, 10)).toBe(300);
    const file = await readFile(path);
    expect(file.length).toBe(310);
    expect(file.subarray(10)).toEqual(Buffer.concat(pieces));
  });

  it('writes at most WRITE_BYTES per call, splitting a piece across the line', async () => {
    const { path, handle } = await tempFile();
    const k = 1024;
    const pieces = [piece(100 * k, 1), piece(100 * k, 2), piece(300 * k, 3), piece(7, 4)];
    expect(writePiecesSync(handle.fd, pieces, 5)).toBe(500 * k + 7);
    const calls = writev.mock.calls.map(([, buffers, position]) => ({
      bytes: (buffers as Uint8Array[]).reduce((n, b) => n + b.length, 0),
      position,
    }));
    // 128 KiB, 128, 128, then the rest, each at the offset where the one before ended.
    expect(calls.map((c) => c.bytes)).toEqual([
      WRITE_BYTES,
      WRITE_BYTES,
      WRITE_BYTES,
      500 * k + 7 - 3 * WRITE_BYTES,
    ]);
    expect(calls.map((c) => c.position)).toEqual([
      5,
      5 + WRITE_BYTES,
      5 + 2 * WRITE_BYTES,
      5 + 3 * WRITE_BYTES,
    ]);
    const file = await readFile(path);
    expect(file.subarray(5)).toEqual(Buffer.concat(pieces));
  });
});
