// Unit tests of reassembly by Message-ID and Byte-Range (RFC 4975 §7.1): chunks out of
// order, resent, overlapping; the switch to a stream; limits answered with 413 / 400.
import { describe, expect, it } from 'vitest';
import { nodeHasher } from '../src/node/node-hasher.js';
import type { ChunkAnswer } from '../src/session/chunk-receiver.js';
import { UnreadBytes } from '../src/session/read-confirmations.js';
import { Reassembly, type ReassemblyOptions } from '../src/session/reassembly.js';

function reassembly(size: number | undefined, options: Partial<ReassemblyOptions> = {}) {
  return new Reassembly(
    { messageId: 'm1', contentType: undefined, contentHeaders: [], size },
    {
      inMemoryThreshold: 1024,
      maxReorderBytes: 1024,
      maxSize: 1 << 20,
      holdQueued: () => true,
      resume: () => undefined,
      runtime: { createHasher: nodeHasher },
      ...options,
    },
  );
}

/** Writes one chunk of `bytes` starting at Byte-Range `start` and ends it with `flag`. */
function chunk(r: Reassembly, start: number, bytes: string, flag: '+' | '$' | '#' = '+'): boolean {
  r.beginChunk(start);
  r.write(Buffer.from(bytes));
  return r.endChunk(flag);
}

describe('Reassembly', () => {
  it('puts out-of-order, resent and overlapping chunks back in order', () => {
    const r = reassembly(10);
    expect(chunk(r, 7, 'ghij')).toBe(false); // ahead of a gap: held
    expect(chunk(r, 1, 'abc')).toBe(false);
    expect(chunk(r, 1, 'abc')).toBe(false); // resent
    expect(r.takeDelivery()).toBeUndefined();
    expect(chunk(r, 3, 'cdef')).toBe(true); // overlaps both neighbours, fills the gap
    expect(r.done).toBe(true);
    expect(r.takeDelivery()?.text()).toBe('abcdefghij');
    expect(r.takeDelivery()).toBeUndefined(); // delivered once
  });

  it('keeps the longer of two pieces held at the same place, counting its bytes once', () => {
    // A shorter piece resent where a longer one is held: the longer stays.
    const r = reassembly(10, { maxReorderBytes: 6 });
    expect(chunk(r, 1, 'a')).toBe(false);
    expect(chunk(r, 8, 'hij', '$')).toBe(false); // ahead of a gap: held
    expect(chunk(r, 8, 'h')).toBe(false);
    expect(r.outOfOrderBytes).toBe(3);
    expect(chunk(r, 5, 'efg')).toBe(false); // 6 held: at the bound, not past it
    expect(chunk(r, 2, 'bcd')).toBe(true);
    expect(r.takeDelivery()?.text()).toBe('abcdefghij');
    // A longer piece where a shorter one is held: the longer replaces it.
    const s = reassembly(10, { maxReorderBytes: 6 });
    expect(chunk(s, 1, 'a')).toBe(false);
    expect(chunk(s, 8, 'h')).toBe(false);
    expect(chunk(s, 8, 'hij', '$')).toBe(false);
    expect(s.outOfOrderBytes).toBe(3);
    expect(chunk(s, 2, 'bcdefg')).toBe(true);
    expect(s.takeDelivery()?.text()).toBe('abcdefghij');
  });

  it('learns an unknown total from the $ chunk', () => {
    const r = reassembly(undefined);
    expect(chunk(r, 1, 'hello ')).toBe(false);
    expect(chunk(r, 7, 'world', '$')).toBe(true);
    expect(r.message.text()).toBe('hello world');
  });

  it('delivers a message over inMemoryThreshold as a stream at its first chunk', async () => {
    const r = reassembly(2000, { inMemoryThreshold: 1000 });
    r.beginChunk(1);
    r.write(Buffer.alloc(1500, 1));
    const message = r.takeDelivery();
    expect(message?.stream).toBeDefined();
    expect(r.endChunk('+')).toBe(false);
    chunk(r, 1501, 'x'.repeat(500), '$');
    let bytes = 0;
    for await (const part of message!.stream!) bytes += (part as Buffer).length;
    expect(bytes).toBe(2000);
  });

  it('aborts on # and refuses later bytes of the message with 413', async () => {
    const r = reassembly(10);
    chunk(r, 1, 'abc', '#');
    expect(r.message.aborted).toBe(true);
    await expect(r.message.completed).rejects.toMatchObject({ code: 'MSRP_ERR_ABORTED' });
    r.beginChunk(4);
    expect(() => r.write(Buffer.from('d'))).toThrow(expect.objectContaining({ status: 413 }));
  });

  it('answers 400 past the announced total and 413 past maxSize or maxReorderBytes', () => {
    const pastTotal = reassembly(3);
    pastTotal.beginChunk(1);
    expect(() => pastTotal.write(Buffer.from('abcd'))).toThrow(
      expect.objectContaining({ status: 400 }),
    );
    const tooLarge = reassembly(undefined, { maxSize: 3 });
    tooLarge.beginChunk(1);
    expect(() => tooLarge.write(Buffer.from('abcd'))).toThrow(
      expect.objectContaining({ status: 413 }),
    );
    const reorder = reassembly(undefined, { maxReorderBytes: 4 });
    reorder.beginChunk(100);
    expect(() => reorder.write(Buffer.from('abcde'))).toThrow(
      expect.objectContaining({ status: 413 }),
    );
  });
});

describe('Reassembly with confirmWhenRead', () => {
  // A reader that checks the whole message (a file's hash) before its last chunk is confirmed:
  // that chunk is the one its end-line ends (`$`), known or not by its size; or the one that
  // completes a message of known size.
  it.each([
    ['ends a message of unknown size with $, answered once checked', undefined, '$', true],
    ['completes a message with +, answered once checked', 2000, '+', true],
    ['ends a message that fails its check, answered 413', 2000, '$', false],
  ] as const)('holds the answer of the chunk that %s', async (_, size, flag, passes) => {
    const r = reassembly(size, { confirmWhenRead: new UnreadBytes(1 << 20, () => undefined) });
    const answered: string[] = [];
    const answer = (chunk: string): ChunkAnswer => ({
      respond: (status = 200) => void answered.push(`${chunk} ${status}`),
      write: () => undefined,
    });
    r.beginChunk(1);
    r.write(Buffer.alloc(1500, 1));
    r.endChunk('+', undefined, answer('first'));
    const stream = r.takeDelivery()!.stream!;
    stream.holdEnd();
    expect(await stream.nextPieces()).toHaveLength(1);
    r.beginChunk(1501);
    r.write(Buffer.alloc(500, 2));
    expect(r.endChunk(flag, undefined, answer('last'))).toBe(true);
    expect(await stream.nextPieces()).toHaveLength(1); // the first chunk's bytes taken
    expect(answered).toEqual(['first 200']);
    expect(await stream.nextPieces()).toBeUndefined(); // every byte taken, the end found
    expect(answered).toEqual(['first 200']);
    if (passes) stream.endChecked();
    else stream.destroy();
    expect(answered).toEqual(['first 200', `last ${passes ? 200 : 413}`]);
  });
});
