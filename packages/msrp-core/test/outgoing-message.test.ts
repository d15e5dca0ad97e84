// OutgoingMessage cuts a streamed source into chunks without a view per chunk for what is
// left of a piece (an offset): every byte goes out once, in order, and an interrupted
// chunk's tail given back goes out next (RFC 4975 §7.1).
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pieces } from '../src/session/byte-source.js';
import { OutgoingMessage } from '../src/session/outgoing-message.js';
import { parseContentType } from '../src/wire/content-type.js';

const type = parseContentType('application/octet-stream')!;

/** `count` pieces of `size` bytes, byte k of the whole being k % 251. */
async function* source(count: number, size: number): AsyncGenerator<Uint8Array> {
  for (let p = 0; p < count; p++) {
    await Promise.resolve();
    const piece = new Uint8Array(size);
    for (let k = 0; k < size; k++) piece[k] = (p * size + k) % 251;
    yield piece;
  }
}

/** Cuts every chunk of `message` (at most `max` bytes each), as the scheduler does. */
async function cutAll(message: OutgoingMessage, max: number, unreadEvery = 0) {
  const chunks: { start: number; length: number; last: boolean }[] = [];
  const bytes: number[] = [];
  for (let n = 1; ; n++) {
    let chunk = message.nextNow(max);
    if (chunk === null) chunk = await message.next(max);
    if (!chunk) break;
    let { body } = chunk;
    // An interrupted chunk: its second half goes back and is cut again.
    if (unreadEvery > 0 && n % unreadEvery === 0 && body.length > 1) {
      const half = body.length >> 1;
      message.unread(body.subarray(half));
      body = body.subarray(0, half);
      chunks.push({ start: chunk.start, length: body.length, last: false });
    } else chunks.push({ start: chunk.start, length: body.length, last: chunk.last });
    bytes.push(...body);
    if (chunk.last && chunks.at(-1)!.last) break;
  }
  return { chunks, bytes };
}

describe('OutgoingMessage', () => {
  for (const size of [undefined, 3 * 10_000]) {
    it(`cuts pieces larger than a chunk into chunks, each byte once and in order (size ${size ?? 'unknown'})`, async () => {
      const message = new OutgoingMessage('msg-cut-1', type, source(3, 10_000), {
        ...(size !== undefined && { size }),
      });
      const { chunks, bytes } = await cutAll(message, 4096);
      expect(bytes).toHaveLength(30_000);
      bytes.forEach((b, k) => {
        if (b !== k % 251) throw new Error(`byte ${k} is ${b}`);
      });
      // 10,000 = 4096 + 4096 + 1808 per piece; Byte-Range starts follow each other.
      expect(chunks.map((c) => c.length)).toEqual([
        4096, 4096, 1808, 4096, 4096, 1808, 4096, 4096, 1808,
      ]);
      let start = 1;
      for (const c of chunks) {
        expect(c.start).toBe(start);
        start += c.length;
      }
      expect(chunks.map((c) => c.last)).toEqual([...Array<boolean>(8).fill(false), true]);
    });
  }

  it('sends the tail of an interrupted chunk next, from the middle of a piece', async () => {
    const message = new OutgoingMessage('msg-cut-2', type, source(4, 10_000), { size: 40_000 });
    const { chunks, bytes } = await cutAll(message, 4096, 2);
    expect(bytes).toHaveLength(40_000);
    bytes.forEach((b, k) => {
      if (b !== k % 251) throw new Error(`byte ${k} is ${b}`);
    });
    let start = 1;
    for (const c of chunks) {
      expect(c.start).toBe(start);
      start += c.length;
    }
    expect(chunks.at(-1)!.last).toBe(true);
  });
});

describe('OutgoingMessage of bytes at hand', () => {
  it('hands a message of one chunk over as its own body, and cuts a larger one into views', () => {
    const line = new Uint8Array(100).fill(0x61);
    const one = OutgoingMessage.create(line, { contentType: 'text/plain' }, undefined);
    if (!(one instanceof OutgoingMessage)) throw one;
    const chunk = one.nextNow(2048);
    // The same object: no view made per chat line.
    expect(chunk?.body).toBe(line);
    expect(chunk).toMatchObject({ start: 1, last: true });
    expect(one.nextNow(2048)).toBeUndefined();
    expect(one.contentHeaders).toEqual([]);
    expect(one.size).toBe(100);

    const two = new OutgoingMessage('msg-two-1', type, line);
    const first = two.nextNow(60)!;
    const second = two.nextNow(60)!;
    expect([first.body.length, first.start, first.last]).toEqual([60, 1, false]);
    expect([second.body.length, second.start, second.last]).toEqual([40, 61, true]);
    expect(first.body.buffer).toBe(line.buffer);
  });
});

describe('OutgoingMessage Message-IDs', () => {
  it('knows the ids create made or checked to be idents; one given to the constructor is not', () => {
    const made = OutgoingMessage.create(Buffer.from('a'), {}, undefined);
    const given = OutgoingMessage.create(Buffer.from('a'), { messageId: 'given-Id.1' }, undefined);
    if (!(made instanceof OutgoingMessage) || !(given instanceof OutgoingMessage))
      throw new Error('not made');
    expect([made.idChecked, given.idChecked]).toEqual([true, true]);
    expect(
      OutgoingMessage.create(Buffer.from('a'), { messageId: 'no id' }, undefined),
    ).toBeInstanceOf(Error);
    // Left to the first chunk's head to check (sending.ts).
    expect(new OutgoingMessage('bad\r\nTo-Path: x', type, Buffer.from('a')).idChecked).toBe(false);
  });
});

describe('OutgoingMessage over a Node Readable', () => {
  it('cuts chunks across the pieces a stream has queued without awaiting (no promise per piece)', async () => {
    const piece = Buffer.alloc(16 * 1024, 5);
    const readable = new Readable({ read: () => undefined });
    for (let k = 0; k < 4; k++) readable.push(piece);
    readable.push(null);
    const message = new OutgoingMessage('msg-hand-1', type, pieces(readable), {
      size: 4 * piece.length,
    });
    // Flowing starts on the next tick; then the four pieces wait in the queue.
    await new Promise((resolve) => setImmediate(resolve));
    const sizes: number[] = [];
    for (let chunk = message.nextNow(8192); chunk; chunk = message.nextNow(8192)) {
      sizes.push(chunk.body.length);
      if (chunk.last) break;
    }
    // Taking only the first piece at hand stopped after two chunks (null: await next()).
    expect(sizes).toEqual(Array<number>(8).fill(8192));
    expect(message.drained).toBe(true);
  });

  it('ends a read waiting for the next piece when the message is closed, and destroys the stream', async () => {
    const readable = new Readable({ read: () => undefined });
    readable.push(Buffer.alloc(100, 1));
    const message = new OutgoingMessage('msg-hand-2', type, pieces(readable), { size: 1000 });
    expect((await message.next(8192))!.body.length).toBe(100);
    const waiting = message.next(8192);
    await message.close();
    await expect(waiting).rejects.toThrow(/ended after 100 of its declared 1000 bytes/);
    expect(readable.destroyed).toBe(true);
  });
});
