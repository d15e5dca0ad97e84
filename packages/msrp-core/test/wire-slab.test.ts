// Chunk heads and end-lines written into shared slabs (issue 12): the bytes are those of the
// string encoders, each view keeps its bytes however many follow, and on Node each is a
// Buffer (a socket wraps any other Uint8Array in a new one per write).
import { describe, expect, it } from 'vitest';
import { parseUri, type ByteRange, type RequestHead } from '../src/index.js';
import { ChunkHeadTemplate, encodeEndLine, encodeHead } from '../src/internal.js';
import { encodeChunkFrame, SMALL_BODY } from '../src/wire/serializer.js';
import { WireSlab } from '../src/wire/wire-slab.js';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

describe('WireSlab', () => {
  it('writes decimals as String() does, up to the largest safe integer', () => {
    const slab = new WireSlab();
    for (const n of [
      0,
      1,
      9,
      10,
      42,
      99,
      100,
      101,
      8192,
      12_345,
      1_000_000,
      2 ** 32 + 5,
      Number.MAX_SAFE_INTEGER,
    ]) {
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

describe('encodeChunkFrame', () => {
  const head: RequestHead = {
    kind: 'request',
    method: 'SEND',
    transactionId: 'ignored',
    toPath: [parseUri('msrp://b.example.com:7777/bob;tcp')],
    fromPath: [parseUri('msrp://a.example.com:7654/alice;tcp')],
    messageId: 'msg-0001',
    contentType: { type: 'text', subtype: 'plain', params: [] },
  };
  const template = new ChunkHeadTemplate(head);
  const joined = (parts: Uint8Array[]): string => parts.map(text).join('');
  const expected = (tid: string, body: Uint8Array, flag: '$' | '+' | '#'): string =>
    text(
      encodeHead({
        ...head,
        transactionId: tid,
        byteRange: { start: 1, end: body.length, total: body.length },
      }),
    ) +
    text(body) +
    `\r\n-------${tid}${flag}\r\n`;

  it('writes a small body between its head and end-line as one view, every earlier view kept', () => {
    const views: [Uint8Array[], string][] = [];
    // Some 200 KiB of frames: several slabs, each frame one view of the head's slab.
    for (let i = 0; i < 200; i++) {
      const body = new Uint8Array(SMALL_BODY - (i % 7)).fill(0x41 + (i % 26));
      const tid = `tid${i}`;
      const h = template.encode(tid, { start: 1, end: body.length, total: body.length });
      const frame = encodeChunkFrame(h, body, tid, i % 2 ? '+' : '$');
      expect(frame).toHaveLength(1);
      expect(Buffer.isBuffer(frame[0])).toBe(true);
      views.push([frame, expected(tid, body, i % 2 ? '+' : '$')]);
      // An end-line taken in between does not join the next frame to it.
      if (i % 3 === 0) encodeEndLine('other', '$', false);
    }
    for (const [frame, want] of views) expect(joined(frame)).toBe(want);
  });

  it('leaves a larger body and an empty one as separate views; copies a head from elsewhere', () => {
    const big = new Uint8Array(SMALL_BODY + 1).fill(0x62);
    const range = { start: 1, end: big.length, total: big.length };
    const h = template.encode('tid1', range);
    const frame = encodeChunkFrame(h, big, 'tid1', '$');
    expect(frame).toHaveLength(3);
    expect(frame[1]).toBe(big);
    expect(joined(frame)).toBe(expected('tid1', big, '$'));

    const small = new Uint8Array(10).fill(0x63);
    const tenBytes = { start: 1, end: 10, total: 10 };
    const other = encodeHead({ ...head, transactionId: 'tid2', byteRange: tenBytes });
    const copied = encodeChunkFrame(other, small, 'tid2', '$');
    expect(copied).toHaveLength(1);
    expect(joined(copied)).toBe(expected('tid2', small, '$'));
    // A head that is no longer the slab's last view is copied, and kept as it was.
    const stale = template.encode('tid3', tenBytes);
    const between = encodeEndLine('tidx', '$', true);
    const frame3 = encodeChunkFrame(stale, small, 'tid3', '$');
    expect(frame3).toHaveLength(1);
    expect(joined(frame3)).toBe(expected('tid3', small, '$'));
    expect(text(between)).toBe('\r\n-------tidx$\r\n');
    expect(text(stale)).toBe(text(template.encode('tid3', tenBytes)));

    const empty = template.encode('tid4', { start: 1, end: 0, total: 0 });
    const frame4 = encodeChunkFrame(empty, new Uint8Array(0), 'tid4', '#');
    expect(frame4).toHaveLength(2);
    expect(joined(frame4)).toBe(expected('tid4', new Uint8Array(0), '#'));
  });
});
