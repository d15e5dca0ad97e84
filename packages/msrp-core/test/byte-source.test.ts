// What session.send and sendFile accept, on any runtime (issue 9 §1): text, bytes, Blob and
// File, web ReadableStream, Node Readable (read piece by piece, never copied) and any
// AsyncIterable; and Node's sendFile/saveTo through the session runtime.
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { MsrpError } from '../src/index.js';
import { formatHash, IncomingMessage, Session } from '../src/index.js';
import { nodeFiles } from '../src/node/files.js';
import { nodeHasher } from '../src/node/node-hasher.js';
import { isNodeReadable, normalizeSource } from '../src/session/byte-source.js';
import type { SessionLink } from '../src/session/session-link.js';
import { next } from './helpers/inbox.js';
import { loopbackSessionPair } from './helpers/session-pair.js';
import { tempDir } from './helpers/temp-dir.js';
import { cleanups } from './helpers/cleanups.js';

async function collect(bytes: Uint8Array | AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  if (bytes instanceof Uint8Array) return [bytes];
  const pieces: Uint8Array[] = [];
  for await (const piece of bytes) pieces.push(piece);
  return pieces;
}

describe('normalizeSource', () => {
  it('encodes text as UTF-8 and keeps bytes as they are', () => {
    const text = normalizeSource('Ünï ✓');
    expect(text.bytes).toEqual(new Uint8Array(Buffer.from('Ünï ✓', 'utf8')));
    expect(text.size).toBe(Buffer.byteLength('Ünï ✓'));
    const bytes = new Uint8Array([1, 2, 3]);
    expect(normalizeSource(bytes)).toMatchObject({ bytes, size: 3, type: undefined });
  });

  it('reads a Blob through its stream, with its size and type', async () => {
    const source = randomBytes(200_000);
    const blob = new Blob([source], { type: 'image/png' });
    const normalized = normalizeSource(blob);
    expect(normalized).toMatchObject({ size: 200_000, type: 'image/png', name: undefined });
    expect(Buffer.concat(await collect(normalized.bytes))).toEqual(source);
    // A Blob without a type says nothing of its type.
    expect(normalizeSource(new Blob(['x'])).type).toBeUndefined();
  });

  it("takes a File's name", () => {
    const file = new File(['hello'], 'notes.txt', { type: 'text/plain' });
    expect(normalizeSource(file)).toMatchObject({ name: 'notes.txt', type: 'text/plain', size: 5 });
  });

  it('reads a web ReadableStream through its reader, and cancels it when let go', async () => {
    const pieces = [new Uint8Array([1, 2]), new Uint8Array([3])];
    const web = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of pieces) controller.enqueue(piece);
        controller.close();
      },
    });
    const normalized = normalizeSource(web);
    expect(normalized.size).toBeUndefined();
    const got = await collect(normalized.bytes);
    expect(got).toHaveLength(2);
    expect(got[0]).toBe(pieces[0]);

    let cancelled = false;
    const unread = new ReadableStream<Uint8Array>({ cancel: () => void (cancelled = true) });
    normalizeSource(unread).release();
    await expect.poll(() => cancelled).toBe(true);
  });

  it('reads a Node Readable piece by piece, handing over the very pieces pushed (no copy)', async () => {
    const pieces = [Buffer.alloc(70_000, 1), Buffer.alloc(70_000, 2), Buffer.alloc(10, 3)];
    const readable = Readable.from(pieces, { objectMode: false });
    expect(isNodeReadable(readable)).toBe(true);
    const got = await collect(normalizeSource(readable).bytes);
    expect(got).toHaveLength(3);
    got.forEach((piece, i) => expect(piece).toBe(pieces[i]));
  });

  it('lets a Node Readable flow some 256 KiB ahead: paused once per few pieces, not per piece, and never further', async () => {
    const piece = Buffer.alloc(16 * 1024, 7);
    let pushed = 0;
    let pauses = 0;
    const readable = new Readable({
      highWaterMark: piece.length,
      read() {
        this.push(pushed < 256 ? piece : null);
        pushed++;
      },
    });
    readable.on('pause', () => pauses++);
    const iterator = (normalizeSource(readable).bytes as AsyncIterable<Uint8Array>)[
      Symbol.asyncIterator
    ]();
    expect((await iterator.next()).value).toBe(piece);
    // The reader holds back: the stream is paused with at most READ_AHEAD (16 pieces) and
    // what the Readable buffers itself (one piece) pushed ahead.
    await expect.poll(() => readable.isPaused()).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pushed).toBeLessThanOrEqual(1 + 16 + 2);
    let got = 1;
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) got++;
    expect(got).toBe(256);
    // Pausing per piece paused 256 times.
    expect(pauses).toBeLessThanOrEqual(256 / 16 + 2);
  });

  it('destroys a Node Readable when let go', () => {
    const readable = new Readable({ read: () => undefined });
    normalizeSource(readable).release();
    expect(readable.destroyed).toBe(true);
  });

  it('passes any other AsyncIterable through', () => {
    const iterable: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.resolve({ done: true, value: undefined }),
      }),
    };
    expect(isNodeReadable(iterable)).toBe(false);
    expect(normalizeSource(iterable).bytes).toBe(iterable);
  });
});

describe('files through the session runtime', () => {
  async function pair(): Promise<{ sa: Session; sb: Session }> {
    const { a, b } = await loopbackSessionPair(cleanups, { inMemoryThreshold: 1024 });
    return { sa: a, sb: b };
  }

  it('sends a browser File end to end: name, type, size and hash from the File; saveTo through nodeFiles', async () => {
    const { sa, sb } = await pair();
    const content = randomBytes(300_000);
    const file = new File([content], 'photo.png', { type: 'image/png' });
    const sending = sa.sendFile(file);
    const message = await next(sb[Symbol.asyncIterator]());
    expect(message.filename).toBe('photo.png');
    expect(
      message.contentType && `${message.contentType.type}/${message.contentType.subtype}`,
    ).toBe('image/png');
    expect(message.size).toBe(300_000);
    const dir = await tempDir('msrp-byte-source-');
    const saved = await message.saveTo(join(dir, 'photo.png'));
    const delivery = await sending;
    const sha256 = formatHash(createHash('sha256').update(content).digest());
    expect(delivery.hash).toBe(`sha-256:${sha256}`);
    expect(saved).toMatchObject({ bytes: 300_000, hash: `sha-256:${sha256}`, hashMatches: true });
    expect(await readFile(join(dir, 'photo.png'))).toEqual(content);
  });

  it('sends a Blob with send(): its type is the Content-Type', async () => {
    const { sa, sb } = await pair();
    await sa.send(new Blob(['{"a":1}'], { type: 'application/json' }));
    const message = await next(sb[Symbol.asyncIterator]());
    expect(message.contentType?.subtype).toBe('json');
    expect(message.text()).toBe('{"a":1}');
  });

  it('takes the Content-Type of a Node stream from its name, as before', async () => {
    const { sa, sb } = await pair();
    const sending = sa.sendFile(Readable.from([Buffer.from('%PDF-')]), { name: 'a.pdf' });
    const message = await next(sb[Symbol.asyncIterator]());
    expect(message.contentType?.subtype).toBe('pdf');
    await sending;
  });

  it('refuses sendFile(path) and saveTo(path) clearly on a runtime without a file system', async () => {
    const link: SessionLink = {
      connect: () => Promise.reject(new Error('not used')),
      closed: () => undefined,
    };
    const uri = {
      scheme: 'msrp',
      host: '127.0.0.1',
      port: 2855,
      sessionId: 'abc',
      transport: 'tcp',
      params: [],
    } as const;
    const session = new Session(uri, link, {}, [], { createHasher: nodeHasher });
    const refused = await session.sendFile('/etc/hostname').then(
      () => undefined,
      (e: unknown) => e as MsrpError,
    );
    expect(refused?.code).toBe('MSRP_ERR_INVALID_ARGUMENT');
    expect(refused?.message).toContain("needs Node's file system");
    const message = new IncomingMessage(
      { messageId: 'm', contentType: undefined, contentHeaders: [], size: 0 },
      { createHasher: nodeHasher },
    );
    await expect(message.saveTo('/tmp/x')).rejects.toMatchObject({
      code: 'MSRP_ERR_INVALID_ARGUMENT',
    });
  });

  it('saveTo writes an in-memory message through nodeFiles', async () => {
    const message = new IncomingMessage(
      { messageId: 'm', contentType: undefined, contentHeaders: [], size: 5 },
      { createHasher: nodeHasher, files: nodeFiles },
    );
    message.body = new TextEncoder().encode('hello');
    message.settle();
    const path = join(await tempDir('msrp-byte-source-'), 'hello.txt');
    const saved = await message.saveTo(path);
    expect(saved.bytes).toBe(5);
    expect(await readFile(path, 'utf8')).toBe('hello');
  });
});
