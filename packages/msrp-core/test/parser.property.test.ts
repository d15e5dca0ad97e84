import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MsrpError,
  Parser,
  encodeFrame,
  type AuthHeader,
  type ByteRange,
  type ContentType,
  type ContinuationFlag,
  type Head,
  type HeaderField,
  type MsrpHeaders,
  type MsrpUri,
  type Param,
  type ParserOptions,
  type StatusHeader,
  type UriParam,
} from '../src/index.js';
import { containsEndLine, encodeHead } from '../src/internal.js';
import { Collector, splitAt, type FrameEvent, type RawEvent } from './helpers/collect.js';

// ---- character sets of the RFC 4975 §9 grammar ---------------------------------------------

const chars = (ranges: string): string[] => {
  const out: string[] = [];
  for (let i = 0; i < ranges.length; i++) {
    if (ranges[i + 1] === '\u2026') {
      for (let c = ranges.charCodeAt(i); c <= ranges.charCodeAt(i + 2); c++) {
        out.push(String.fromCharCode(c));
      }
      i += 2;
    } else {
      out.push(ranges[i]!);
    }
  }
  return out;
};

// `a…z` stands for the range a to z.
const ALNUM = chars('A…Za…z0…9');
const IDENT_CHARS = [...ALNUM, '.', '-', '+', '%', '='];
const TOKEN_CHARS = chars("!#…'*+-.0…9A…Z^…~");
const UNRESERVED_SUBDELIMS = [...ALNUM, ...chars("-._~!$&'()*+,=")];
const SESSION_ID_CHARS = [...ALNUM, ...chars('-._~+=/')];
/** utf8text: HTAB, printable ASCII and non-ASCII (here a few, including a surrogate pair). */
const TEXT_CHARS = ['\t', ...chars(' …~'), 'é', 'ß', '€', '日本', '😀'];
const HEX = chars('0…9A…Fa…f');

const str = (
  alphabet: readonly string[],
  minLength: number,
  maxLength: number,
): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });

const pctEncoded = fc
  .tuple(fc.constantFrom(...HEX), fc.constantFrom(...HEX))
  .map(([a, b]) => `%${a}${b}`);

/** Text made of units from `alphabet` and percent-escapes. */
const pctText = (alphabet: readonly string[], minLength: number): fc.Arbitrary<string> =>
  fc
    .array(fc.oneof({ arbitrary: fc.constantFrom(...alphabet), weight: 5 }, pctEncoded), {
      minLength,
      maxLength: 12,
    })
    .map((parts) => parts.join(''));

const identArb = fc
  .tuple(fc.constantFrom(...ALNUM), str(IDENT_CHARS, 3, 31))
  .map(([first, rest]) => first + rest);
const tokenArb = str(TOKEN_CHARS, 1, 10);
const textArb = (maxLength: number): fc.Arbitrary<string> => str(TEXT_CHARS, 0, maxLength);
/** A header value: utf8text that does not begin with whitespace (which parsing strips). */
const headerValueArb = fc
  .tuple(fc.constantFrom(...TEXT_CHARS.filter((c) => c !== ' ' && c !== '\t')), textArb(30))
  .map(([first, rest]) => first + rest);

// ---- URIs and header values -----------------------------------------------------------------

const IPV6_SAMPLES = [
  '::1',
  '2001:db8::7',
  'fe80::1:2:3:4',
  '::ffff:192.0.2.1',
  '2001:DB8:0:0:8:800:200C:417A',
];

const hostArb = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.ipV6(),
  fc.constantFrom(...IPV6_SAMPLES),
  pctText(UNRESERVED_SUBDELIMS, 1),
);

const uriParamArb: fc.Arbitrary<UriParam> = fc.oneof(
  tokenArb.map((name) => ({ name })),
  fc.tuple(tokenArb, tokenArb).map(([name, value]) => ({ name, value })),
);

const uriArb: fc.Arbitrary<MsrpUri> = fc
  .record(
    {
      scheme: fc.constantFrom('msrp' as const, 'msrps' as const),
      user: pctText([...UNRESERVED_SUBDELIMS, ':'], 0),
      host: hostArb,
      port: fc.integer({ min: 0, max: 65535 }),
      sessionId: str(SESSION_ID_CHARS, 1, 24),
      transport: fc.oneof(fc.constantFrom('tcp', 'ws', 'TCP'), str(ALNUM, 1, 6)),
      params: fc.array(uriParamArb, { maxLength: 2 }),
    },
    { requiredKeys: ['scheme', 'host', 'transport', 'params'], noNullPrototype: true },
  )
  .map((uri) => ({ ...uri }));

const pathArb = fc.array(uriArb, { minLength: 1, maxLength: 3 });

const paramArb: fc.Arbitrary<Param> = fc.oneof(
  tokenArb.map((name) => ({ name })),
  fc.tuple(tokenArb, tokenArb).map(([name, value]) => ({ name, value })),
  fc.tuple(tokenArb, textArb(12)).map(([name, value]) => ({ name, value, quoted: true })),
);

const contentTypeArb: fc.Arbitrary<ContentType> = fc.record(
  { type: tokenArb, subtype: tokenArb, params: fc.array(paramArb, { maxLength: 3 }) },
  { noNullPrototype: true },
);

const authHeaderArb: fc.Arbitrary<AuthHeader> = fc.record(
  {
    scheme: fc.oneof(fc.constant('Digest'), tokenArb),
    params: fc.array(paramArb, { maxLength: 4 }),
  },
  { noNullPrototype: true },
);

const byteRangeArb: fc.Arbitrary<ByteRange> = fc
  .record(
    {
      start: fc.integer({ min: 1, max: 2 ** 40 }),
      length: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined }),
      extra: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined }),
    },
    { noNullPrototype: true },
  )
  .map(({ start, length, extra }): ByteRange => {
    const end = length === undefined ? '*' : start - 1 + length;
    const total = extra === undefined ? '*' : end === '*' ? start + extra : end + extra;
    return { start, end, total };
  });

const statusArb: fc.Arbitrary<StatusHeader> = fc
  .record(
    {
      namespace: fc.constantFrom('000', '001', '999'),
      code: fc.integer({ min: 0, max: 999 }),
      reason: textArb(20),
    },
    { requiredKeys: ['namespace', 'code'], noNullPrototype: true },
  )
  .map((s) => ({ ...s }));

const extensionArb: fc.Arbitrary<HeaderField> = fc.record(
  { name: str(ALNUM, 1, 8).map((n) => `X-${n}`), value: fc.oneof(fc.constant(''), headerValueArb) },
  { noNullPrototype: true },
);

const contentHeaderArb: fc.Arbitrary<HeaderField> = fc.record(
  {
    name: fc.oneof(
      fc.constantFrom('Content-ID', 'Content-Description', 'Content-Disposition'),
      str(ALNUM, 1, 8).map((n) => `Content-X${n}`),
    ),
    value: headerValueArb,
  },
  { noNullPrototype: true },
);

const secondsArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

const headersArb: fc.Arbitrary<MsrpHeaders> = fc
  .record(
    {
      toPath: pathArb,
      fromPath: pathArb,
      messageId: identArb,
      successReport: fc.constantFrom('yes' as const, 'no' as const),
      failureReport: fc.constantFrom('yes' as const, 'no' as const, 'partial' as const),
      byteRange: byteRangeArb,
      status: statusArb,
      expires: secondsArb,
      minExpires: secondsArb,
      maxExpires: secondsArb,
      usePath: pathArb,
      wwwAuthenticate: fc.array(authHeaderArb, { minLength: 1, maxLength: 2 }),
      authorization: authHeaderArb,
      authenticationInfo: fc.array(paramArb, { minLength: 1, maxLength: 3 }),
      extensions: fc.array(extensionArb, { minLength: 1, maxLength: 3 }),
      contentHeaders: fc.array(contentHeaderArb, { minLength: 1, maxLength: 2 }),
      contentType: contentTypeArb,
    },
    { requiredKeys: ['toPath', 'fromPath'], noNullPrototype: true },
  )
  .map((h) => ({ ...h }));

const tidArb = identArb;

const startArb = (tid: string) =>
  fc.oneof(
    fc
      .constantFrom('SEND', 'REPORT', 'AUTH')
      .map((method) => ({ kind: 'request' as const, transactionId: tid, method })),
    fc
      .record(
        { statusCode: fc.integer({ min: 0, max: 999 }), comment: textArb(40) },
        { requiredKeys: ['statusCode'], noNullPrototype: true },
      )
      .map((r) => ({ kind: 'response' as const, transactionId: tid, ...r })),
  );

const headArb = (tid: string): fc.Arbitrary<Head> =>
  fc.tuple(startArb(tid), headersArb).map(([start, headers]): Head => ({ ...start, ...headers }));

/** Byte strings that look like parts of the end-line of `tid`, or of another. */
const fragmentArb = (tid: string): fc.Arbitrary<Uint8Array> =>
  fc
    .oneof(
      fc.constantFrom(
        '\r',
        '\n',
        '\r\n',
        '-------',
        '\r\n-------',
        `-------${tid}$\r\n`,
        `\n-------${tid}$\r\n`,
        `\r-------${tid}#\r\n`,
        '$\r\n',
        '+',
      ),
      fc.integer({ min: 0, max: tid.length - 1 }).map((k) => `\r\n-------${tid.slice(0, k)}`),
      identArb.map((other) => `\r\n-------${other}$\r\n`),
    )
    .map((s) => Buffer.from(s, 'latin1'));

const bodyArb = (tid: string): fc.Arbitrary<Uint8Array> =>
  fc
    .array(
      fc.oneof(
        { arbitrary: fc.uint8Array({ maxLength: 1500 }), weight: 3 },
        { arbitrary: fragmentArb(tid), weight: 2 },
      ),
      { maxLength: 8 },
    )
    .map((parts) => Buffer.concat(parts).subarray(0, 5000));

const flagArb = fc.constantFrom<ContinuationFlag>('+', '$', '#');

interface Frame {
  readonly head: Head;
  readonly body: Uint8Array | undefined;
  readonly flag: ContinuationFlag;
}

const frameArb: fc.Arbitrary<Frame> = tidArb
  .chain((tid) => fc.tuple(headArb(tid), bodyArb(tid), flagArb))
  .map(([head, body, flag]) => ({ head, body: head.contentType ? body : undefined, flag }))
  .filter((f) => f.body === undefined || !containsEndLine(f.body, f.head.transactionId));

const framesArb = fc.array(frameArb, { minLength: 1, maxLength: 5 });

function encodeFrames(frames: readonly Frame[]): Buffer {
  return Buffer.concat(frames.flatMap((f) => encodeFrame(f.head, f.body, f.flag)));
}

function expectedEvents(frames: readonly Frame[]): FrameEvent[] {
  return frames.flatMap((f): FrameEvent[] => [
    { type: 'head', head: f.head },
    ...(f.body && f.body.length > 0 ? [{ type: 'body' as const, bytes: Buffer.from(f.body) }] : []),
    { type: 'end', flag: f.flag },
  ]);
}

// ---- cutting and parsing --------------------------------------------------------------------

type Split = { readonly cuts: readonly number[] } | { readonly chunk: number };

/** How to cut a byte string: at random offsets (taken modulo its length) or in equal chunks. */
const splitArb: fc.Arbitrary<Split> = fc.oneof(
  fc.array(fc.nat(), { maxLength: 40 }).map((cuts) => ({ cuts })),
  fc.integer({ min: 1, max: 97 }).map((chunk) => ({ chunk })),
);

function cut(bytes: Uint8Array, split: Split): Uint8Array[] {
  if ('chunk' in split) {
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += split.chunk) {
      pieces.push(bytes.subarray(i, i + split.chunk));
    }
    return pieces;
  }
  return splitAt(
    bytes,
    split.cuts.map((n) => n % (bytes.length + 1)),
  );
}

interface Outcome {
  readonly events: FrameEvent[];
  readonly raw: RawEvent[];
  readonly error?: MsrpError;
}

/** Parses `pieces` and ends the stream; a thrown MsrpError is returned, anything else fails. */
function run(
  pieces: readonly Uint8Array[],
  options: ParserOptions = {},
  pauseAt?: (index: number) => boolean,
  resumeEarly?: (step: number) => boolean,
): Outcome {
  const sink = new Collector(pauseAt && ((e) => pauseAt(e.index)));
  const parser = new Parser(sink, options);
  const lastPaused = (): void => {
    // The parser stops right after the call that answered false, not later.
    const last = sink.raw.at(-1);
    expect(last !== undefined && pauseAt !== undefined && pauseAt(last.index)).toBe(true);
  };
  // Every resume delivers an event, and there are at most two per byte (a frame is longer
  // than its head and end events, a body piece has at least one byte).
  const maxEvents = 2 * pieces.reduce((n, p) => n + p.length, 0) + 10;
  const resumeAll = (): void => {
    for (let guard = 0; parser.paused; guard++) {
      if (guard > maxEvents) expect.fail(`still paused after ${guard} resumes`);
      const ok = parser.resume();
      expect(ok).toBe(!parser.paused);
      if (!ok) lastPaused();
    }
  };
  try {
    let step = 0;
    for (const piece of pieces) {
      const wasPaused = parser.paused;
      const before = sink.raw.length;
      const ok = parser.push(piece);
      expect(ok).toBe(!parser.paused);
      if (wasPaused) {
        expect(ok).toBe(false);
        expect(sink.raw.length).toBe(before);
      }
      if (!ok) {
        lastPaused();
        if (resumeEarly?.(step++)) resumeAll();
      }
    }
    resumeAll();
    parser.end();
  } catch (e) {
    if (!(e instanceof MsrpError)) throw e;
    return { events: sink.events, raw: sink.raw, error: e };
  }
  return { events: sink.events, raw: sink.raw };
}

/** Checks the error contract and the shape of the event stream of an outcome. */
function checkOutcome(
  outcome: Outcome,
  pieces: readonly Uint8Array[],
  options: ParserOptions,
): void {
  let inFrame = false;
  for (const event of outcome.raw) {
    if (event.type === 'head') {
      expect(inFrame).toBe(false);
      inFrame = true;
    } else {
      expect(inFrame).toBe(true);
      if (event.type === 'body') expect(event.part.length).toBeGreaterThan(0);
      else inFrame = false;
    }
  }
  const error = outcome.error;
  if (error === undefined) {
    expect(inFrame).toBe(false);
    return;
  }
  expect(error).toBeInstanceOf(MsrpError);
  expect(error.name).toBe('MsrpError');
  expect(error.code).toMatch(/^MSRP_ERR_[A-Z_]+$/);
  if (error.code !== 'MSRP_ERR_TRUNCATED' && error.transactionId !== undefined) {
    expect(error.status).toBe(400);
  }
  // A failed parser keeps failing with the same error.
  const parser = new Parser(new Collector(), options);
  let first: unknown;
  try {
    for (const piece of pieces) parser.push(piece);
    parser.end();
  } catch (e) {
    first = e;
  }
  expect(first).toBeInstanceOf(MsrpError);
  expect((first as MsrpError).code).toBe(error.code);
  for (const again of [
    () => parser.push(new Uint8Array([0x4d])),
    () => parser.resume(),
    () => parser.end(),
  ]) {
    expect(again).toThrow();
    try {
      again();
    } catch (e) {
      expect(e).toBe(first);
    }
  }
}

// ---- garbage ----------------------------------------------------------------------------------

const garbageTokenArb = (tid: string): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    { arbitrary: fc.uint8Array({ maxLength: 64 }), weight: 2 },
    { arbitrary: fragmentArb(tid), weight: 2 },
    {
      arbitrary: fc
        .constantFrom(
          ' ',
          ':',
          '\r\n\r\n',
          `MSRP ${tid} SEND\r\n`,
          `MSRP ${tid} 200 OK\r\n`,
          `MSRP ${tid} 200\r\n`,
          'MSRP x SEND\r\n',
          'To-Path: msrp://a.example;tcp\r\n',
          'From-Path: msrps://u@[::1]:1/s;ws;p=v\r\n',
          'To-Path: garbage\r\n',
          'Content-Type: text/plain\r\n',
          'Content-Type: text/plain;charset="a\\"b"\r\n',
          'Byte-Range: 1-*/*\r\n',
          'Status: 000 200 OK\r\n',
          'Expires: 99999999999\r\n',
          'WWW-Authenticate: Digest realm="x", nonce=\r\n',
          'X-A: b\r\n',
          `-------${tid}$\r\n`,
          `\r\n-------${tid}+\r\n`,
        )
        .map((s) => Buffer.from(s, 'latin1')),
      weight: 3,
    },
  );

/** Valid frames, then part or all of another head, then tokens: the parser gets deep into its states. */
const deepGarbageArb = tidArb.chain((tid) =>
  fc
    .tuple(
      fc.array(frameArb, { maxLength: 2 }),
      headArb(tid),
      // How much of the head: all of it, all but its last CRLF, or any prefix.
      fc.oneof(fc.constant(-1), fc.constant(-2), fc.nat()),
      fc.array(garbageTokenArb(tid), { maxLength: 20 }),
    )
    .map(([frames, head, keep, tokens]) => {
      const headBytes = encodeHead(head);
      const end =
        keep === -1
          ? headBytes.length
          : keep === -2
            ? headBytes.length - 2
            : keep % (headBytes.length + 1);
      return Buffer.concat([encodeFrames(frames), headBytes.subarray(0, end), ...tokens]);
    }),
);

const optionsArb: fc.Arbitrary<ParserOptions> = fc.oneof(
  { arbitrary: fc.constant({}), weight: 3 },
  fc.record(
    {
      maxStartLineBytes: fc.integer({ min: 0, max: 64 }),
      maxHeaderBytes: fc.integer({ min: 0, max: 400 }),
      maxHeaders: fc.integer({ min: 0, max: 6 }),
    },
    { requiredKeys: [], noNullPrototype: true },
  ),
);

// ---- properties ---------------------------------------------------------------------------------

describe('Parser properties', () => {
  it('parses any valid frame sequence, cut anywhere, back into the same heads, bodies and flags', () => {
    fc.assert(
      fc.property(framesArb, splitArb, (frames, split) => {
        const wire = encodeFrames(frames);
        const outcome = run(cut(wire, split));
        expect(outcome.error).toBeUndefined();
        expect(outcome.events).toStrictEqual(expectedEvents(frames));
      }),
      { numRuns: 200 },
    );
  });

  it('parses any valid frame sequence fed byte by byte', () => {
    fc.assert(
      fc.property(framesArb, (frames) => {
        const wire = encodeFrames(frames);
        const outcome = run(cut(wire, { chunk: 1 }));
        expect(outcome.error).toBeUndefined();
        expect(outcome.events).toStrictEqual(expectedEvents(frames));
      }),
      { numRuns: 20 },
    );
  });

  it('either parses random bytes or throws an MsrpError', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        splitArb,
        optionsArb,
        (data, split, options) => {
          const pieces = cut(data, split);
          checkOutcome(run(pieces, options), pieces, options);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('either parses random bytes after valid frames and headers or throws an MsrpError', () => {
    fc.assert(
      fc.property(deepGarbageArb, splitArb, optionsArb, (data, split, options) => {
        const pieces = cut(data, split);
        const outcome = run(pieces, options);
        checkOutcome(outcome, pieces, options);
        // Same events and error whichever way the bytes were cut.
        const whole = run([data], options);
        expect(outcome.events).toStrictEqual(whole.events);
        expect(outcome.error?.code).toBe(whole.error?.code);
        expect(outcome.error?.transactionId).toBe(whole.error?.transactionId);
      }),
      { numRuns: 300 },
    );
  });

  it('applies limits near the size of a frame the same way however the bytes are cut', () => {
    fc.assert(
      fc.property(
        framesArb,
        splitArb,
        fc.integer({ min: -3, max: 2 }),
        fc.integer({ min: -50, max: 3 }),
        fc.integer({ min: -2, max: 1 }),
        (frames, split, dStart, dBytes, dCount) => {
          // Limits around the sizes of the first frame: start line, header block, header count.
          const first = encodeFrame(frames[0]!.head, frames[0]!.body, frames[0]!.flag);
          const text = Buffer.concat(first).toString('latin1');
          const startLength = text.indexOf('\r\n');
          const blank = text.indexOf('\r\n\r\n');
          const headEnd =
            blank >= 0 && frames[0]!.head.contentType
              ? blank + 4
              : encodeHead(frames[0]!.head).length + frames[0]!.head.transactionId.length + 10;
          const headerLines = text.slice(startLength + 2, headEnd).split('\r\n').length - 2;
          const options: ParserOptions = {
            maxStartLineBytes: Math.max(0, startLength + dStart),
            maxHeaderBytes: Math.max(0, headEnd - startLength - 2 + dBytes),
            maxHeaders: Math.max(0, headerLines + dCount),
          };
          const wire = encodeFrames(frames);
          const whole = run([wire], options);
          const pieces = run(cut(wire, split), options);
          expect(pieces.events).toStrictEqual(whole.events);
          expect(pieces.error?.code).toBe(whole.error?.code);
          expect(pieces.error?.transactionId).toBe(whole.error?.transactionId);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same events when the sink pauses at random events and is resumed', () => {
    fc.assert(
      fc.property(
        framesArb,
        splitArb,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
        (frames, split, pauseBits, resumeBits) => {
          const pieces = cut(encodeFrames(frames), split);
          const plain = run(pieces);
          const paused = run(
            pieces,
            {},
            (i) => pauseBits[i % pauseBits.length]!,
            (step) => resumeBits[step % resumeBits.length]!,
          );
          expect(paused.error).toBeUndefined();
          expect(paused.events).toStrictEqual(plain.events);
          expect(paused.events).toStrictEqual(expectedEvents(frames));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same events and error on garbage when the sink pauses and is resumed', () => {
    fc.assert(
      fc.property(
        deepGarbageArb,
        splitArb,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
        (data, split, pauseBits, resumeBits) => {
          const pieces = cut(data, split);
          const plain = run(pieces);
          const paused = run(
            pieces,
            {},
            (i) => pauseBits[i % pauseBits.length]!,
            (step) => resumeBits[step % resumeBits.length]!,
          );
          expect(paused.events).toStrictEqual(plain.events);
          expect(paused.error?.code).toBe(plain.error?.code);
          expect(paused.error?.transactionId).toBe(plain.error?.transactionId);
        },
      ),
      { numRuns: 200 },
    );
  });
});
