// The runtime-neutral stream of a large incoming message (issue 9 §1): bounded queue and
// pull, errors to the reader only, destroy → 413 for the rest, drain, and Node interop
// (stream.pipeline, Readable.from).
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it, vi } from 'vitest';
import { MsrpError } from '../src/errors.js';
import { nodeHasher } from '../src/node/node-hasher.js';
import { Reassembly, type ReassemblyOptions } from '../src/session/reassembly.js';
import { PieceStream } from '../src/session/piece-stream.js';
import { lendRead, reuseRead } from '../src/transport/lent-reads.js';

function stream(): { s: PieceStream; pull: () => void; closed: () => void } {
  const pull = vi.fn();
  const closed = vi.fn();
  return { s: new PieceStream(16, { pull, closed }), pull, closed };
}

/** A message of `size` bytes that streams from its first chunk (threshold 10 bytes). */
function streamed(size: number, options: Partial<ReassemblyOptions> = {}): Reassembly {
  return new Reassembly(
    { messageId: 'm1', contentType: undefined, contentHeaders: [], size },
    {
      inMemoryThreshold: 10,
      maxReorderBytes: 1024,
      maxSize: 1 << 20,
      holdQueued: () => false,
      resume: () => undefined,
      runtime: { createHasher: nodeHasher },
      ...options,
    },
  );
}

describe('PieceStream', () => {
  it('holds 16 pieces before it asks the producer to pause, and pulls once the reader takes one', async () => {
    const { s, pull } = stream();
    for (let i = 0; i < 15; i++) expect(s.push(new Uint8Array([i]))).toBe(true);
    expect(s.push(new Uint8Array([15]))).toBe(false);
    expect(s.bufferedPieces).toBe(16);
    expect(pull).not.toHaveBeenCalled();
    const first = await s.next();
    expect(first).toEqual({ done: false, value: new Uint8Array([0]) });
    expect(pull).toHaveBeenCalledTimes(1);
    // Below the mark and not full again: no more pulls.
    await s.next();
    expect(pull).toHaveBeenCalledTimes(1);
  });

  it('gives a batch read with reuse back at the next call, and no other', async () => {
    // Pieces of a socket read used again (node/read-buffers.ts), lent as a Reassembly lends.
    const read = { lent: 0, returned: vi.fn() };
    const bytes = new Uint8Array(64);
    reuseRead(bytes.buffer, read);
    const piece = (at: number): Uint8Array<ArrayBuffer> => {
      const view = bytes.subarray(at, at + 8);
      lendRead(view);
      return view;
    };
    const { s } = stream();
    s.push(piece(0));
    s.push(piece(8));
    expect(await s.nextPieces({ reuse: true })).toHaveLength(2);
    s.push(piece(16));
    expect(read.lent).toBe(3); // the reader may still be reading the first two
    const second = await s.nextPieces();
    expect(second).toHaveLength(1);
    expect(read.lent).toBe(1); // the batch read with reuse came back; this one did not ask
    s.push(piece(24));
    s.end();
    await s.nextPieces({ reuse: true });
    expect(await s.nextPieces()).toBeUndefined();
    expect(read.lent).toBe(1); // the last batch with reuse came back at the end too
    expect(read.returned).not.toHaveBeenCalled();
  });

  it('hands over the very pieces pushed, in order, then ends', async () => {
    const { s } = stream();
    const pieces = [new Uint8Array([1]), new Uint8Array([2, 3])];
    const reading = (async () => {
      const got: Uint8Array[] = [];
      for await (const piece of s) got.push(piece);
      return got;
    })();
    for (const piece of pieces) s.push(piece);
    s.end();
    const got = await reading;
    expect(got).toHaveLength(2);
    expect(got[0]).toBe(pieces[0]);
    expect(got[1]).toBe(pieces[1]);
  });

  it("throws a destroy's error in the reader's loop, dropping what was queued", async () => {
    const { s, closed } = stream();
    s.push(new Uint8Array([1]));
    const error = new MsrpError('MSRP_ERR_ABORTED', 'aborted by the sender');
    s.destroy(error);
    await expect(s.next()).rejects.toBe(error);
    expect(s.bufferedPieces).toBe(0);
    expect(closed).toHaveBeenCalledTimes(1);
    s.destroy(new Error('again'));
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it('fails a reader with MSRP_ERR_ABORTED when destroyed without an error', async () => {
    const { s } = stream();
    const reading = (async () => {
      for await (const piece of s) void piece;
    })();
    s.destroy();
    await expect(reading).rejects.toMatchObject({ code: 'MSRP_ERR_ABORTED' });
  });

  it('closes when the reader leaves its loop early', async () => {
    const { s, closed } = stream();
    s.push(new Uint8Array([1]));
    s.push(new Uint8Array([2]));
    for await (const piece of s) {
      void piece;
      break;
    }
    expect(closed).toHaveBeenCalledTimes(1);
    expect(s.destroyed).toBe(true);
  });

  it('serves concurrent next() calls in order', async () => {
    const { s } = stream();
    const first = s.next();
    const second = s.next();
    s.push(new Uint8Array([1]));
    s.push(new Uint8Array([2]));
    s.end();
    expect(await first).toEqual({ done: false, value: new Uint8Array([1]) });
    expect(await second).toEqual({ done: false, value: new Uint8Array([2]) });
    expect(await s.next()).toEqual({ done: true, value: undefined });
  });

  it('a destroy after the end closes it while the last pieces are not reported taken', async () => {
    // The reader took the last pieces and failed to store them: their chunks must be refused.
    const { s, closed } = stream();
    s.push(new Uint8Array([1]));
    s.end();
    expect(await s.nextPieces()).toEqual([new Uint8Array([1])]);
    s.destroy();
    expect(closed).toHaveBeenCalledTimes(1);
    // Read to the end (the call that reports them taken), a destroy changes nothing.
    const done = stream();
    done.s.push(new Uint8Array([1]));
    done.s.end();
    await done.s.nextPieces();
    expect(await done.s.nextPieces()).toBeUndefined();
    done.s.destroy();
    expect(done.closed).not.toHaveBeenCalled();
  });

  it('drops pieces pushed after a destroy without pausing the producer', () => {
    const { s } = stream();
    s.destroy();
    expect(s.push(new Uint8Array(1))).toBe(true);
    expect(s.bufferedPieces).toBe(0);
  });
});

describe('IncomingMessage.stream', () => {
  it('a message that fails unread crashes nothing; a later reader gets the error', async () => {
    const r = streamed(100);
    r.beginChunk(1);
    r.write(new Uint8Array(20));
    const message = r.takeDelivery()!;
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      r.abort(new MsrpError('MSRP_ERR_CONNECTION', 'connection lost'));
      // Let any stray rejection surface before looking.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
    await expect(message.stream!.next()).rejects.toMatchObject({ code: 'MSRP_ERR_CONNECTION' });
    expect(message.aborted).toBe(true);
  });

  it('discard() refuses the rest with 413 (RFC 4975 §7.1) and resumes the connection', () => {
    const resume = vi.fn();
    const r = streamed(100, { resume });
    r.beginChunk(1);
    r.write(new Uint8Array(20));
    r.endChunk('+');
    r.takeDelivery()!.discard();
    expect(resume).toHaveBeenCalled();
    r.beginChunk(21);
    expect(() => r.write(new Uint8Array(20))).toThrow(
      expect.objectContaining({ code: 'MSRP_ERR_ABORTED', status: 413 }),
    );
  });

  it('drain() reads the rest away without refusing the message', async () => {
    const r = streamed(60);
    r.beginChunk(1);
    r.write(new Uint8Array(20));
    r.endChunk('+');
    const message = r.takeDelivery()!;
    const draining = message.drain();
    r.beginChunk(21);
    expect(() => r.write(new Uint8Array(40))).not.toThrow();
    expect(r.endChunk('$')).toBe(true);
    await draining;
    await message.completed;
    expect(message.aborted).toBe(false);
    expect(message.stream!.bufferedPieces).toBe(0);
  });

  it('drain() resolves when the message is aborted', async () => {
    const r = streamed(60);
    r.beginChunk(1);
    r.write(new Uint8Array(20));
    const message = r.takeDelivery()!;
    const draining = message.drain();
    r.endChunk('#');
    await expect(draining).resolves.toBeUndefined();
  });

  it('goes into stream.pipeline and Readable.from as it is (Node)', async () => {
    const bytes = new Uint8Array(300).map((_, i) => i % 251);
    const feed = (r: Reassembly): void => {
      for (let at = 0; at < 300; at += 100) {
        r.beginChunk(at + 1);
        r.write(bytes.subarray(at, at + 100));
        r.endChunk(at + 100 === 300 ? '$' : '+');
      }
    };

    const r1 = streamed(300);
    feed(r1);
    const written: Uint8Array[] = [];
    await pipeline(
      r1.message.stream!,
      new Writable({
        write(piece: Uint8Array, _encoding, done) {
          written.push(piece);
          done();
        },
      }),
    );
    expect(Buffer.concat(written)).toEqual(Buffer.from(bytes));

    const r2 = streamed(300);
    feed(r2);
    const hash = createHash('sha256');
    for await (const piece of Readable.from(r2.message.stream!)) hash.update(piece as Uint8Array);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});
