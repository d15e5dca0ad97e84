// The parser's fast path for runs of responses (issue 12): a 200 whose header block is the
// last response's byte for byte is read without parsing its headers. Whatever the bytes, a
// run read in one push (the fast path) gives the same events and the same error as the same
// bytes fed one by one (the line reader, which never takes it).
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { MsrpError, Parser, parseUri, type RequestHead } from '../src/index.js';
import { encodeResponse } from '../src/internal.js';
import { OkResponses } from '../src/wire/ok-responses.js';
import { ResponseTemplate } from '../src/wire/response-template.js';
import { byteByByte, Collector, type FrameEvent } from './helpers/collect.js';

const alice = parseUri('msrp://alice.example.com:7654/jshA7weztas;tcp');
const bob = parseUri('msrp://bob.example.com:8888/9di4eae923wzd;tcp');
const relay = parseUri('msrps://relay.example.net:2855/r1;tcp');

const IDENT = [...'ABCXYZabcxyz0189.-+%='];
const tidArb = fc
  .tuple(
    fc.constantFrom(...'Aa0'),
    fc.string({ unit: fc.constantFrom(...IDENT), minLength: 3, maxLength: 31 }),
  )
  .map(([a, b]) => a + b);

interface Answer {
  tid: string;
  status: number;
  comment: string | undefined;
  /** Which request it answers: most to alice→bob, some on another hop. */
  other: boolean;
}

const answerArb: fc.Arbitrary<Answer> = fc.record({
  tid: tidArb,
  status: fc.constantFrom(200, 200, 200, 200, 413, 481),
  comment: fc.constantFrom('OK', undefined, 'Not Found', 'é ok'),
  other: fc.boolean(),
});

function request(a: Answer): RequestHead {
  return {
    kind: 'request',
    method: 'SEND',
    transactionId: a.tid,
    toPath: [a.other ? relay : bob],
    fromPath: [alice],
  };
}

/** Bytes that break a frame where they land. */
const noiseArb = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 4 }),
  fc.constantFrom(
    ...['\r', '\n', '-', '$', '#', ' ', 'x', '\r\n', '-------', 'X-A: b\r\n'].map((s) =>
      Buffer.from(s, 'latin1'),
    ),
  ),
);

interface Outcome {
  events: FrameEvent[];
  error: MsrpError | undefined;
}

function run(pieces: readonly Uint8Array[]): Outcome {
  const sink = new Collector();
  const parser = new Parser(sink);
  let error: MsrpError | undefined;
  try {
    for (const piece of pieces) parser.push(piece);
    parser.end();
  } catch (e) {
    if (!(e instanceof MsrpError)) throw e;
    error = e;
  }
  return { events: sink.events, error };
}

function expectSame(wire: Uint8Array): Outcome {
  const fast = run([wire]);
  const slow = run(byteByByte(wire));
  expect(fast.events).toStrictEqual(slow.events);
  expect(fast.error?.code).toBe(slow.error?.code);
  expect(fast.error?.status).toBe(slow.error?.status);
  expect(fast.error?.transactionId).toBe(slow.error?.transactionId);
  return fast;
}

describe('a run of responses', () => {
  it('read in one push gives what the line reader gives, byte by byte', () => {
    fc.assert(
      fc.property(fc.array(answerArb, { minLength: 1, maxLength: 12 }), (answers) => {
        const wire = Buffer.concat(
          answers.map((a) => encodeResponse(request(a), a.status, a.comment)),
        );
        const { events, error } = expectSame(wire);
        expect(error).toBeUndefined();
        expect(events.filter((e) => e.type === 'head')).toHaveLength(answers.length);
      }),
      { numRuns: 300 },
    );
  });

  it('broken anywhere, still gives the same events and the same error as the line reader', () => {
    fc.assert(
      fc.property(
        fc.array(answerArb, { minLength: 2, maxLength: 8 }),
        fc.array(fc.tuple(fc.nat(), noiseArb, fc.boolean()), { minLength: 1, maxLength: 3 }),
        (answers, breaks) => {
          let wire = Buffer.concat(
            answers.map((a) => encodeResponse(request(a), a.status, a.comment)),
          );
          for (const [at, noise, replace] of breaks) {
            const p = at % wire.length;
            wire = Buffer.concat([
              wire.subarray(0, p),
              noise,
              wire.subarray(replace ? p + noise.length : p),
            ]);
          }
          expectSame(wire);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads the 200s of an answer batch (OkResponses) as the line reader does', () => {
    const oks = new OkResponses();
    const tids = Array.from({ length: 50 }, (_, i) => `tid${i}x${'k'.repeat(i % 20)}`);
    for (const tid of tids) oks.add(request({ tid, status: 200, comment: 'OK', other: false }));
    const { events } = expectSame(oks.take()!);
    const heads = events.flatMap((e) => (e.type === 'head' ? [e.head] : []));
    expect(heads.map((h) => h.transactionId)).toEqual(tids);
    expect(heads[49]).toStrictEqual({
      kind: 'response',
      transactionId: tids[49],
      statusCode: 200,
      comment: 'OK',
      toPath: [alice],
      fromPath: [bob],
    });
  });

  it('refuses an end-line with another transaction id in the middle of a run', () => {
    const good = (tid: string): Uint8Array =>
      encodeResponse(request({ tid, status: 200, comment: 'OK', other: false }), 200, 'OK');
    const bad = Buffer.from(
      Buffer.from(good('tid00002'))
        .toString('latin1')
        .replace('-------tid00002', '-------tid00003'),
      'latin1',
    );
    const { events, error } = expectSame(Buffer.concat([good('tid00001'), bad, good('tid00004')]));
    expect(events.filter((e) => e.type === 'end')).toHaveLength(1);
    expect(error).toBeInstanceOf(MsrpError);
  });
});

describe('a run of 200s cut by a read', () => {
  it('is read on the fast path again after the 200 that was cut', () => {
    const oks = new OkResponses();
    const tids = Array.from({ length: 40 }, (_, i) => `tid${1000 + i}`);
    for (const tid of tids) oks.add(request({ tid, status: 200, comment: 'OK', other: false }));
    const wire = oks.take()!;
    // Cut inside the 5th response: everything after it lies whole in the second push.
    const frame = wire.length / tids.length;
    const cut = Math.floor(4.5 * frame);
    const matched = vi.spyOn(ResponseTemplate.prototype, 'match');
    try {
      const sink = new Collector();
      const parser = new Parser(sink);
      parser.push(wire.subarray(0, cut));
      parser.push(wire.subarray(cut));
      parser.end();
      expect(sink.events.filter((e) => e.type === 'end')).toHaveLength(tids.length);
      const hits = matched.mock.results.filter((r) => r.value === true).length;
      // All but the first (read in full: the template) and the cut one (read line by line).
      expect(hits).toBe(tids.length - 2);
    } finally {
      matched.mockRestore();
    }
  });
});
