// The codec's byte helpers (wire/bytes.ts): the portable fallbacks that a browser runs are
// tested directly here, on Node, against Node's Buffer as the reference.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  concatBytes,
  copyBytes,
  decodeUtf8,
  decodeUtf8Portable,
  encodeLatin1,
  encodeLatin1ForWire,
  encodeUtf8,
  encodeUtf8ForWire,
  equalBytes,
  equalBytesPortable,
  indexOfBytes,
  indexOfBytesPortable,
} from '../src/wire/bytes.js';
import { parseByteRange, parseByteRangeBytes } from '../src/wire/byte-range.js';
import { newMessageId, newSessionId, newTransactionId } from '../src/wire/ids.js';
import { Parser, type FrameSink } from '../src/wire/parser.js';

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

describe('indexOfBytes', () => {
  const cases: [string, string, number][] = [
    ['abc\r\n-------x1$', '\r\n-------x1', 0],
    ['\r\n\r\r\n-', '\r\n-', 0],
    ['aaab', 'aab', 0],
    ['aaab', 'aab', 2],
    ['abcabc', 'abc', 1],
    ['abc', 'abcd', 0],
    ['', 'a', 0],
    ['xyz', 'z', 5],
    ['xyz', 'xyz', 0],
  ];
  for (const [haystack, needle, from] of cases) {
    it(`finds ${JSON.stringify(needle)} in ${JSON.stringify(haystack)} from ${from} as Buffer does`, () => {
      const want = Buffer.from(haystack, 'latin1').indexOf(Buffer.from(needle, 'latin1'), from);
      expect(indexOfBytesPortable(bytes(haystack), bytes(needle), from)).toBe(want);
      expect(indexOfBytes(bytes(haystack), bytes(needle), from)).toBe(want);
    });
  }

  it('the portable search agrees with Buffer#indexOf on random bytes from a small alphabet', () => {
    const small = fc.uint8Array({ maxLength: 64 }).map((a) => a.map((b) => b % 3));
    fc.assert(
      fc.property(
        small,
        small.filter((n) => n.length > 0),
        fc.nat(70),
        (hay, needle, from) => {
          const want = Buffer.from(hay).indexOf(Buffer.from(needle), from);
          expect(indexOfBytesPortable(hay, needle, from)).toBe(want);
          expect(indexOfBytes(hay, needle, from)).toBe(want);
        },
      ),
    );
  });
});

describe('equalBytes', () => {
  it('the portable compare agrees with Buffer#compare, and is false past either end', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 24 }).map((a) => a.map((b) => b % 2)),
        fc.uint8Array({ maxLength: 24 }).map((a) => a.map((b) => b % 2)),
        fc.nat(26),
        fc.nat(26),
        fc.nat(26),
        (a, b, aFrom, bFrom, length) => {
          const inside = aFrom + length <= a.length && bFrom + length <= b.length;
          const want =
            inside &&
            Buffer.from(a).compare(Buffer.from(b), bFrom, bFrom + length, aFrom, aFrom + length) ===
              0;
          expect(equalBytesPortable(a, aFrom, b, bFrom, length)).toBe(want);
          expect(equalBytes(a, aFrom, b, bFrom, length)).toBe(want);
        },
      ),
    );
  });
});

describe('text', () => {
  it('decodes UTF-8 as Buffer#toString does: a leading BOM kept, bad bytes as U+FFFD', () => {
    for (const raw of [
      Buffer.from('\uFEFFhé €', 'utf8'),
      Buffer.from([0x61, 0xc3, 0x28, 0xff, 0xe2, 0x82]),
      Buffer.from('x😀y', 'utf8').subarray(0, 3),
    ]) {
      const view = new Uint8Array(raw);
      expect(decodeUtf8(view, 0, view.length)).toBe(raw.toString('utf8'));
      expect(decodeUtf8(view, 1, view.length)).toBe(raw.toString('utf8', 1));
      expect(decodeUtf8Portable(view, 1, view.length)).toBe(raw.toString('utf8', 1));
    }
  });

  it('the encoders for the wire (Buffer.from on Node) agree with the portable ones', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        expect(new Uint8Array(encodeUtf8ForWire(text))).toEqual(encodeUtf8(text));
        const latin1 = String.fromCharCode(...[...text].map((c) => c.charCodeAt(0) & 0xff));
        expect(new Uint8Array(encodeLatin1ForWire(latin1))).toEqual(encodeLatin1(latin1));
      }),
      { numRuns: 1000 },
    );
  });

  it('the portable decode (TextDecoder) agrees with the native one on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(64), (raw, cut) => {
        const from = Math.min(cut, raw.length);
        expect(decodeUtf8Portable(raw, from, raw.length)).toBe(decodeUtf8(raw, from, raw.length));
      }),
      { numRuns: 2000 },
    );
  });

  it('encodes Latin-1 as Buffer does, one byte per character', () => {
    for (const text of ['\r\n-------a786hjs2', 'é\u0100\u20ac']) {
      expect([...encodeLatin1(text)]).toEqual([...Buffer.from(text, 'latin1')]);
    }
  });

  it('encodes UTF-8 as Buffer.from does, each result its own bytes, short or long', () => {
    const texts = ['MSRP a786hjs2 SEND\r\n', 'héllo €😀', 'x'.repeat(5000), ''];
    const made: [string, Uint8Array][] = [];
    for (let i = 0; i < 3000; i++) {
      const text = `${texts[i % texts.length]!}${i}`;
      made.push([text, encodeUtf8(text)]);
    }
    // Later results (the slab refills many times over) never overwrote earlier ones.
    for (const [text, out] of made) expect(Buffer.from(out).toString('utf8')).toBe(text);
    expect(encodeUtf8('')).toHaveLength(0);
  });
});

describe('concatBytes and copyBytes', () => {
  it('copy into new memory', () => {
    const a = Uint8Array.of(1, 2);
    const b = Uint8Array.of(3);
    const joined = concatBytes([a, new Uint8Array(0), b]);
    expect([...joined]).toEqual([1, 2, 3]);
    const copy = copyBytes(Buffer.from([7, 8, 9]).subarray(1));
    a[0] = 9;
    expect([...joined]).toEqual([1, 2, 3]);
    expect([...copy]).toEqual([8, 9]);
    expect(copy.constructor).toBe(Uint8Array);
  });

  it('never hand out the same bytes twice, across pool refills and past the pool size', () => {
    const made: [number, Uint8Array][] = [];
    for (let i = 0; i < 2000; i++) {
      const size = [1, 63, 65, 300, 4095, 4096, 9000][i % 7]!;
      const fill = i % 251;
      const source = new Uint8Array(size).fill(fill);
      made.push([
        fill,
        i % 2 ? copyBytes(source) : concatBytes([source.subarray(1), source.subarray(0, 1)]),
      ]);
    }
    for (const [fill, out] of made) expect(out.every((b) => b === fill)).toBe(true);
  });
});

describe('ids', () => {
  it('are 24 hex digits, distinct, across refills of the random pool', () => {
    const seen = new Set<string>();
    // 4096-byte pool, 12 bytes an id: 1200 ids refill it more than three times.
    for (let i = 0; i < 400; i++) {
      for (const id of [newTransactionId(), newMessageId(), newSessionId()]) {
        expect(id).toMatch(/^[0-9a-f]{24}$/);
        seen.add(id);
      }
    }
    expect(seen.size).toBe(1200);
  });
});

describe('Parser input', () => {
  it('emits plain Uint8Array views, also when fed Buffers, never copying a body', () => {
    const parts: Uint8Array[] = [];
    const sink: FrameSink = { head() {}, body: (part) => void parts.push(part), end() {} };
    const wire = Buffer.from(
      'MSRP a786hjs2 SEND\r\nTo-Path: msrp://b.example.com:7654/s;tcp\r\n' +
        'From-Path: msrp://a.example.com:1234/t;tcp\r\nMessage-ID: m1x9\r\n' +
        'Content-Type: text/plain\r\n\r\nhello world\r\n-------a786hjs2$\r\n',
    );
    new Parser(sink).push(wire);
    expect(parts).toHaveLength(1);
    const part = parts[0]!;
    expect(part.constructor).toBe(Uint8Array);
    expect(Buffer.from(part).toString()).toBe('hello world');
    // A view of the pushed bytes: same memory.
    expect(part.buffer).toBe(wire.buffer);
  });
});

describe('parseByteRangeBytes', () => {
  it('reads what parseByteRange reads from the same text, inside the given bounds', () => {
    const fixtures = [
      '1-10/10',
      '1-0/0',
      '5-*/*',
      '1-*/100',
      '0-1/1',
      '3-1/9',
      '1-9/8',
      '12345678901234567-1/2',
    ];
    const text = fc.oneof(
      fc.constantFrom(...fixtures),
      fc.string({ unit: fc.constantFrom('0', '1', '9', '-', '/', '*', ' ', 'é'), maxLength: 12 }),
    );
    fc.assert(
      fc.property(
        text,
        fc.string({ maxLength: 3 }),
        fc.string({ maxLength: 3 }),
        (t, before, after) => {
          const pre = Buffer.from(before, 'utf8');
          const raw = Buffer.concat([pre, Buffer.from(t, 'utf8'), Buffer.from(after, 'utf8')]);
          const got = parseByteRangeBytes(
            new Uint8Array(raw),
            pre.length,
            raw.length - Buffer.byteLength(after),
          );
          expect(got).toEqual(parseByteRange(t));
        },
      ),
    );
    expect(parseByteRangeBytes(new Uint8Array(Buffer.from('x1-9/9x')), 1, 6)).toEqual({
      start: 1,
      end: 9,
      total: 9,
    });
  });
});
