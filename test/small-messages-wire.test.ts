import { describe, expect, it } from 'vitest';
import { Parser, type Head } from '@msrp-ts/msrp-core';
import { Collector } from '../packages/msrp-core/test/helpers/collect.js';
import {
  ANSWER_BYTES,
  floorEcho,
  floorSource,
  MESSAGE_BYTES,
  rawEcho,
  rawSource,
} from '../bench/small-messages-wire.js';

// The small-messages bench's baselines (bench/small-messages-wire.ts): the MSRP floor must put
// real MSRP on the wire, read a stream cut anywhere, and refuse an answer it did not ask for.

/** The frames of `wire`, as msrp-core's parser reads them: heads and bodies. */
function parse(wire: Buffer): { heads: Head[]; bodies: number[] } {
  const sink = new Collector();
  const parser = new Parser(sink);
  parser.push(wire);
  parser.end();
  return {
    heads: sink.events.flatMap((e) => (e.type === 'head' ? [e.head] : [])),
    bodies: sink.events.flatMap((e) => (e.type === 'body' ? [e.bytes.length] : [])),
  };
}

/** `wire` in pieces cut at `cuts`. */
const pieces = (wire: Buffer, cuts: number[]): Buffer[] =>
  [0, ...cuts, wire.length].slice(1).map((to, i, all) => wire.subarray(i ? all[i - 1] : 0, to));

describe('the small-messages floor', () => {
  it('sends SENDs and answers them with 200s that msrp-core parses, ids in step', () => {
    const source = floorSource();
    const echo = floorEcho();
    const frames = source.frames(40);
    const sends = parse(frames);
    expect(sends.heads.map((h) => h.kind === 'request' && h.method)).toEqual(
      Array(40).fill('SEND'),
    );
    expect(sends.bodies).toEqual(Array(40).fill(MESSAGE_BYTES));
    // Cut inside a start line, a head, a body and an end-line.
    const read = pieces(frames, [3, 500, 2900, 5555]).map((p) => echo.read(p));
    expect(read.reduce((n, r) => n + r.messages, 0)).toBe(40);
    const answers = Buffer.concat(read.map((r) => r.answer));
    const oks = parse(answers).heads;
    expect(oks.map((h) => h.kind === 'response' && h.statusCode)).toEqual(Array(40).fill(200));
    expect(oks.map((h) => h.transactionId)).toEqual(sends.heads.map((h) => h.transactionId));
    const counted = pieces(answers, [1, 700, 2001]).map((p) => source.answers(p));
    expect(counted.reduce((n, k) => n + k, 0)).toBe(40);
  });

  it('refuses an answer that is not the 200 of the oldest SEND in flight', () => {
    const source = floorSource();
    const echo = floorEcho();
    const { answer } = echo.read(source.frames(2));
    const second = answer.indexOf('MSRP ', 1);
    expect(() => source.answers(answer.subarray(second))).toThrow(/oldest SEND/);
  });
});

describe('the raw baseline', () => {
  it('answers each 100 bytes with 60, however they are cut', () => {
    const source = rawSource();
    const echo = rawEcho();
    const read = pieces(source.frames(5), [150, 151, 420]).map((p) => echo.read(p));
    expect(read.map((r) => r.messages)).toEqual([1, 0, 3, 1]);
    const answers = Buffer.concat(read.map((r) => r.answer));
    expect(answers.length).toBe(5 * ANSWER_BYTES);
    expect(pieces(answers, [59, 130]).map((p) => source.answers(p))).toEqual([0, 2, 3]);
  });
});
