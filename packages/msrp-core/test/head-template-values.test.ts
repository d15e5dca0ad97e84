import { describe, expect, it } from 'vitest';
import { Parser, type Head } from '../src/index.js';
import { Collector } from './helpers/collect.js';

// What the template path reads without parsing: a Byte-Range whose bytes are the template's
// is given the template's ByteRange; a transaction id and a new Message-ID are decoded from
// their bytes. Each head must be the one a fresh parser (no template) gives for the same
// frame.

const BLOCK =
  'To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n' +
  'From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n' +
  'Message-ID: m1a2b3c4\r\n' +
  'Byte-Range: 1-5/5\r\n' +
  'Content-Type: text/plain\r\n';

function send(tid: string, block: string, body = 'hello'): string {
  return `MSRP ${tid} SEND\r\n${block}\r\n${body}\r\n-------${tid}$\r\n`;
}

/** The heads of `wire` (UTF-8) pushed in one piece to a new parser. */
function heads(wire: string): Head[] {
  const sink = new Collector();
  const parser = new Parser(sink);
  parser.push(Buffer.from(wire, 'utf8'));
  parser.end();
  return sink.events.flatMap((e) => (e.type === 'head' ? [e.head] : []));
}

/** Each frame of `frames` read after the ones before it, and each read alone, give the same head. */
function expectAsAlone(frames: readonly string[]): Head[] {
  const together = heads(frames.join(''));
  expect(together).toStrictEqual(frames.map((f) => heads(f)[0]));
  return together;
}

describe('Byte-Range read through the template', () => {
  it("is the template's when its bytes are, and parsed when they differ in any way", () => {
    const ranges = ['1-5/5', '1-5/5', '1-5/50', '1-5/5', '11-15/15', '1-5/*', '1-5/5'];
    const bodies = ['hello', 'hello', 'hello', 'hello', 'hello', 'hello', 'hello'];
    const frames = ranges.map((r, i) => send(`tid0000${i}`, BLOCK.replace('1-5/5', r), bodies[i]));
    const got = expectAsAlone(frames);
    expect(got.map((h) => h.byteRange)).toStrictEqual([
      { start: 1, end: 5, total: 5 },
      { start: 1, end: 5, total: 5 },
      { start: 1, end: 5, total: 50 },
      { start: 1, end: 5, total: 5 },
      { start: 11, end: 15, total: 15 },
      { start: 1, end: 5, total: '*' },
      { start: 1, end: 5, total: 5 },
    ]);
  });

  it("is not the template's when the template's bytes are only a prefix of the value", () => {
    // `1-5/5` then `1-5/55`: the same first bytes, then no CR where the template's ends.
    const got = expectAsAlone([
      send('tid00001', BLOCK),
      send('tid00002', BLOCK.replace('1-5/5', '1-5/55')),
    ]);
    expect(got[1]!.byteRange).toStrictEqual({ start: 1, end: 5, total: 55 });
  });

  it('is still checked when it differs from the template: a bad range fails as it does alone', () => {
    const sink = new Collector();
    const parser = new Parser(sink);
    parser.push(Buffer.from(send('tid00001', BLOCK), 'latin1'));
    expect(() =>
      parser.push(Buffer.from(send('tid00002', BLOCK.replace('1-5/5', '5-1/5')), 'latin1')),
    ).toThrow(expect.objectContaining({ status: 400, transactionId: 'tid00002' }));
  });
});

describe('transaction id and Message-ID decoded together', () => {
  it('are those of each frame, for new, repeated and template Message-IDs', () => {
    const ids = ['m1a2b3c4', 'mB000001', 'mB000001', 'm1a2b3c4', 'mC'.padEnd(32, '0')];
    const tids = ['tid00001', 'a', 'T'.padEnd(29, '0'), 'tid4', 'T5.-+%='];
    const frames = ids.map((id, i) => send(`${tids[i]}xyz`, BLOCK.replace('m1a2b3c4', id)));
    const got = expectAsAlone(frames);
    expect(got.map((h) => [h.transactionId, h.messageId])).toStrictEqual(
      ids.map((id, i) => [`${tids[i]}xyz`, id]),
    );
  });

  it('are right when the bytes between them are not ASCII (a header of UTF-8 text)', () => {
    // Latin-1 reads each byte as a character: the offsets hold whatever the bytes are.
    const block = `X-Note: café ☕ 𝄞\r\n${BLOCK}`;
    const frames = ['m1a2b3c4', 'mZ9y8x7w6', 'mZ9y8x7w7'].map((id, i) =>
      send(`tid0000${i}`, block.replace('m1a2b3c4', id)),
    );
    const got = expectAsAlone(frames);
    expect(got.map((h) => [h.transactionId, h.messageId])).toStrictEqual([
      ['tid00000', 'm1a2b3c4'],
      ['tid00001', 'mZ9y8x7w6'],
      ['tid00002', 'mZ9y8x7w7'],
    ]);
    expect(got[2]!.extensions).toStrictEqual([{ name: 'X-Note', value: 'café ☕ 𝄞' }]);
  });

  it('are right when a frame is cut into pieces at every offset', () => {
    const frames = [
      send('tid00001', BLOCK),
      send('tid00002', BLOCK.replace('m1a2b3c4', 'mNEW00001')),
    ];
    const wire = Buffer.from(frames.join(''), 'latin1');
    const want = heads(frames.join(''));
    for (let cut = 1; cut < wire.length; cut++) {
      const sink = new Collector();
      const parser = new Parser(sink);
      parser.push(wire.subarray(0, cut));
      parser.push(wire.subarray(cut));
      parser.end();
      expect(sink.events.flatMap((e) => (e.type === 'head' ? [e.head] : []))).toStrictEqual(want);
    }
  });
});
