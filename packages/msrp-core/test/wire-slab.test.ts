// Chunk heads and end-lines written into shared slabs (issue 12): the bytes are those of the
// string encoders, each view keeps its bytes however many follow, and on Node each is a
// Buffer (a socket wraps any other Uint8Array in a new one per write).
import { describe, expect, it } from 'vitest';
import { parseUri, type ByteRange, type RequestHead } from '../src/index.js';
import { ChunkHeadTemplate, encodeEndLine, encodeHead } from '../src/internal.js';
import { WireSlab } from '../src/wire/wire-slab.js';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

describe('WireSlab', () => {
  it('writes decimals as String() does, up to the largest safe integer', () => {
    const slab = new WireSlab();
    for (const n of [0, 1, 9, 10, 99, 100, 8192, 1_000_000, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
      slab.begin(20);
      slab.decimal(n);
      expect(text(slab.take())).toBe(String(n));
    }
  });

  it('never writes over a view it gave, across new slabs', () => {
    const slab = new WireSlab();
    const views: [Uint8Array, string][] = [];
    // Some 200 KiB in views of 1000 bytes: several slabs.
    for (let i = 0; i < 200; i++) {
      const expected = `${i}:`.padEnd(1000, String.fromCharCode(0x41 + (i % 26)));
      slab.begin(expected.length);
      expect(slab.ascii(expected)).toBe(true);
      views.push([slab.take(), expected]);
    }
    for (const [view, expected] of views) expect(text(view)).toBe(expected);
    expect(Buffer.isBuffer(views[0]![0])).toBe(true);
  });

  it('refuses a character that is not ASCII and keeps nothing of that text', () => {
    const slab = new WireSlab();
    slab.begin(16);
    slab.ascii('ab');
    expect(slab.ascii('cé')).toBe(false);
    slab.byte(0x21);
    expect(text(slab.take())).toBe('ab!');
  });
});

describe('heads and end-lines from the slab', () => {
  it('encodes end-lines as the string form, ASCII or not', () => {
    for (const tid of ['a1b2c3', 'x'.repeat(32), 'tïd']) {
      for (const flag of ['$', '+', '#'] as const) {
        for (const afterBody of [true, false]) {
          const expected = Buffer.from(
            `${afterBody ? '\r\n' : ''}-------${tid}${flag}\r\n`,
            'latin1',
          );
          const got = encodeEndLine(tid, flag, afterBody);
          expect(Buffer.from(got).equals(expected)).toBe(true);
          expect(Buffer.isBuffer(got)).toBe(true);
        }
      }
    }
  });

  it('encodes chunk heads as encodeHead does, non-ASCII text and odd ranges included', () => {
    const head: RequestHead = {
      kind: 'request',
      method: 'SEND',
      transactionId: 'ignored',
      toPath: [parseUri('msrp://b.example.com:7777/bob;tcp')],
      fromPath: [parseUri('msrp://a.example.com:7654/alice;tcp')],
      messageId: 'msg-0001',
      contentType: {
        type: 'text',
        subtype: 'plain',
        params: [{ name: 'title', value: '"naïve"' }],
      },
    };
    const template = new ChunkHeadTemplate(head);
    const ranges: ByteRange[] = [
      { start: 1, end: 0, total: 0 },
      { start: 1, end: '*', total: '*' },
      { start: 8_589_934_593, end: 8_589_942_784, total: Number.MAX_SAFE_INTEGER },
      // Not counts: written by the string path, as before.
      { start: 1.5, end: 2, total: 3 },
    ];
    for (const byteRange of ranges) {
      const got = template.encode('tid12345', byteRange);
      const expected = encodeHead({ ...head, transactionId: 'tid12345', byteRange });
      expect(Buffer.from(got).equals(Buffer.from(expected))).toBe(true);
    }
  });
});
