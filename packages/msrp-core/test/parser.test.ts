import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  MsrpError,
  Parser,
  parseUri,
  type ContinuationFlag,
  type Head,
  type MsrpErrorCode,
  type ParserOptions,
  type RequestHead,
  type ResponseHead,
} from '../src/index.js';
import { containsEndLine } from '../src/internal.js';
import {
  Collector,
  byteByByte,
  parseAll,
  parseWith,
  splitAt,
  toBytes,
  type FrameEvent,
} from './helpers/collect.js';

// ---- fixtures ---------------------------------------------------------------------------

const TID = 'abcd1234';
const TO = 'msrp://bob.example.com:8888/9di4eae923wzd;tcp';
const FROM = 'msrp://alicepc.example.com:7777/iau39soe2843z;tcp';
const TO_HEADER = `To-Path: ${TO}`;
const FROM_HEADER = `From-Path: ${FROM}`;
const PATHS = [TO_HEADER, FROM_HEADER];
const END_LINE = `\r\n-------${TID}$\r\n`;

/** A frame on the wire; with `body` the header block ends in a blank line and CRLF closes the body. */
function frame(
  tid: string,
  startRest: string,
  headers: readonly string[],
  content?: string,
  flag: ContinuationFlag = '$',
): string {
  const lines = [`MSRP ${tid} ${startRest}`, ...headers].map((line) => `${line}\r\n`).join('');
  return content === undefined
    ? `${lines}-------${tid}${flag}\r\n`
    : `${lines}\r\n${content}\r\n-------${tid}${flag}\r\n`;
}

/** Start line and headers of a SEND with a text/plain body, up to and including the blank line. */
const SEND_HEAD = `MSRP ${TID} SEND\r\n${TO_HEADER}\r\n${FROM_HEADER}\r\nContent-Type: text/plain\r\n\r\n`;

function request(method: string, extra: Partial<RequestHead> = {}, tid = TID): RequestHead {
  return {
    kind: 'request',
    transactionId: tid,
    method,
    toPath: [parseUri(TO)],
    fromPath: [parseUri(FROM)],
    ...extra,
  };
}

function response(statusCode: number, extra: Partial<ResponseHead> = {}, tid = TID): ResponseHead {
  return {
    kind: 'response',
    transactionId: tid,
    statusCode,
    toPath: [parseUri(TO)],
    fromPath: [parseUri(FROM)],
    ...extra,
  };
}

const TEXT_PLAIN = { type: 'text', subtype: 'plain', params: [] };

const head = (h: Head): FrameEvent => ({ type: 'head', head: h });
const body = (text: string | Uint8Array): FrameEvent => ({
  type: 'body',
  bytes: typeof text === 'string' ? Buffer.from(text, 'latin1') : Buffer.from(text),
});
const end = (flag: ContinuationFlag = '$'): FrameEvent => ({ type: 'end', flag });

function bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** Body text accumulated so far by a collector. */
function bodyText(sink: Collector): string {
  return Buffer.concat(sink.parts).toString('latin1');
}

/** Asserts `actual` deep-equals `expected`; cheap when they match, for tests that compare often. */
function expectSameEvents(actual: FrameEvent[], expected: FrameEvent[], label: string): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual, label).toStrictEqual(expected);
}

/** Runs `fn`, which must throw an MsrpError, and returns that error. */
function catchMsrpError(fn: () => unknown): MsrpError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MsrpError);
    return e as MsrpError;
  }
  return expect.fail('expected an MsrpError to be thrown');
}

/** Pushes `pieces` one by one until the parser throws; returns the error and the bytes pushed. */
function pushUntilThrow(
  parser: Parser,
  pieces: readonly Uint8Array[],
): { error: MsrpError; pushed: number } {
  let pushed = 0;
  for (const piece of pieces) {
    pushed += piece.length;
    try {
      parser.push(piece);
    } catch (e) {
      expect(e).toBeInstanceOf(MsrpError);
      return { error: e as MsrpError, pushed };
    }
  }
  return expect.fail(`no error after pushing ${pushed} bytes`);
}

function expectError(
  error: MsrpError,
  code: MsrpErrorCode,
  status: number | undefined,
  transactionId: string | undefined,
): void {
  expect({
    code: error.code,
    status: error.status,
    transactionId: error.transactionId,
    name: error.name,
  }).toStrictEqual({ code, status, transactionId, name: 'MsrpError' });
}

// RFC 4975 §7.1.1 / §7.1.2 / RFC 4976 §7.1 style examples.
const RFC_SEND = frame(
  'd93kswow',
  'SEND',
  [
    `To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp`,
    `From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp`,
    'Message-ID: 12339sdqwer',
    'Byte-Range: 1-16/16',
    'Content-Type: text/plain',
  ],
  "Hi, I'm Alice!",
);
const RFC_REPORT = frame('dkei38sd', 'REPORT', [
  'To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp',
  'From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp',
  'Message-ID: 12339sdqwer',
  'Byte-Range: 1-106/106',
  'Status: 000 200 OK',
]);
const RFC_AUTH = frame('49fh', 'AUTH', [
  'To-Path: msrps://alice@intra.example.com;tcp',
  'From-Path: msrps://alice.example.com:9892/98cjs;tcp',
]);
const RESPONSE_OK = frame(TID, '200 OK', PATHS);
const RESPONSE_BARE = frame(TID, '200', PATHS);

/** Bodies that contain things that look like, but are not, the end-line of {@link TID}. */
const TRICKY_BODIES: readonly string[] = [
  '\r\n-------otherid$\r\n',
  `\r\n-------${TID}x`,
  `\r\n-------${TID}X\r\n`,
  `\r\n-------${TID} $\r\n`,
  `\r\n-------${TID}5$\r\n`,
  `a-------${TID}$\r\nb`,
  `\n-------${TID}$\r\n`,
  `\r-------${TID}$\r\n`,
  `\r\n-------${TID}$x`,
  `\r\n-------${TID}$\rx`,
  `\r\n-------${TID}$\r\r\n`,
  `\r\n------${TID}$\r\n`,
  `\r\n--------${TID}$\r\n`,
  `\r\n-------${TID.toUpperCase()}$\r\n`,
  '\r\n\r\n\r\n',
  '\r\r\r\n\n',
  '-',
];

const SPLIT_FIXTURES: Readonly<Record<string, string | Uint8Array>> = {
  'RFC SEND': RFC_SEND,
  'RFC REPORT': RFC_REPORT,
  'RFC AUTH': RFC_AUTH,
  'response with comment': RESPONSE_OK,
  'response without comment': RESPONSE_BARE,
  'empty body': `${SEND_HEAD}${END_LINE}`,
  'lenient empty body': `${SEND_HEAD}-------${TID}$\r\n`,
  'body of one CRLF': `${SEND_HEAD}\r\n${END_LINE}`,
  'body starting like the end-line': `${SEND_HEAD}-------${TID}x${END_LINE}`,
  'body of dashes': `${SEND_HEAD}-------${END_LINE}`,
  'three frames': RFC_SEND + RESPONSE_OK + RFC_REPORT,
  'flags +, # and $': [
    frame(TID, 'SEND', [...PATHS, 'Content-Type: text/plain'], 'part one', '+'),
    frame(TID, 'SEND', [...PATHS, 'Content-Type: text/plain'], 'part two', '#'),
    frame(TID, 'SEND', [...PATHS, 'Content-Type: text/plain'], 'part three', '$'),
  ].join(''),
  ...Object.fromEntries(
    TRICKY_BODIES.map((b) => [
      `tricky body ${JSON.stringify(b)}`,
      frame(TID, 'SEND', [...PATHS, 'Content-Type: text/plain'], b),
    ]),
  ),
  'binary body': Buffer.concat([
    bytes(SEND_HEAD),
    Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7 + 3) % 256)),
    bytes(END_LINE),
  ]),
  'blank lines between frames': `\r\n${RESPONSE_OK}\r\n\r\n${RESPONSE_BARE}`,
};

// ---- behaviour --------------------------------------------------------------------------

describe('Parser: requests', () => {
  it('reads a SEND with body (RFC 4975 §7.1.1 example)', () => {
    expect(parseAll(RFC_SEND)).toStrictEqual([
      head({
        kind: 'request',
        transactionId: 'd93kswow',
        method: 'SEND',
        toPath: [
          {
            scheme: 'msrp',
            host: 'bob.example.com',
            port: 8888,
            sessionId: '9di4eae923wzd',
            transport: 'tcp',
            params: [],
          },
        ],
        fromPath: [
          {
            scheme: 'msrp',
            host: 'alicepc.example.com',
            port: 7777,
            sessionId: 'iau39soe2843z',
            transport: 'tcp',
            params: [],
          },
        ],
        messageId: '12339sdqwer',
        byteRange: { start: 1, end: 16, total: 16 },
        contentType: TEXT_PLAIN,
      }),
      body("Hi, I'm Alice!"),
      end('$'),
    ]);
  });

  it('reads a bodiless REPORT with a Status header', () => {
    expect(parseAll(RFC_REPORT)).toStrictEqual([
      head({
        kind: 'request',
        transactionId: 'dkei38sd',
        method: 'REPORT',
        toPath: [parseUri('msrp://alicepc.example.com:7777/iau39soe2843z;tcp')],
        fromPath: [parseUri('msrp://bob.example.com:8888/9di4eae923wzd;tcp')],
        messageId: '12339sdqwer',
        byteRange: { start: 1, end: 106, total: 106 },
        status: { namespace: '000', code: 200, reason: 'OK' },
      }),
      end('$'),
    ]);
  });

  it('reads an AUTH (RFC 4976) with msrps URIs and userinfo', () => {
    expect(parseAll(RFC_AUTH)).toStrictEqual([
      head({
        kind: 'request',
        transactionId: '49fh',
        method: 'AUTH',
        toPath: [
          {
            scheme: 'msrps',
            user: 'alice',
            host: 'intra.example.com',
            transport: 'tcp',
            params: [],
          },
        ],
        fromPath: [
          {
            scheme: 'msrps',
            host: 'alice.example.com',
            port: 9892,
            sessionId: '98cjs',
            transport: 'tcp',
            params: [],
          },
        ],
      }),
      end('$'),
    ]);
  });

  it('reads a request with an unknown upper-case method', () => {
    expect(parseAll(frame(TID, 'NICKNAME', PATHS))).toStrictEqual([
      head(request('NICKNAME')),
      end(),
    ]);
  });

  it('keeps several To-Path URIs in order and extension headers as text', () => {
    const relay = 'msrps://relay.example.net:2855;tcp';
    const events = parseAll(
      frame(TID, 'SEND', [`To-Path: ${relay} ${TO}`, FROM_HEADER, 'X-Custom:  some value']),
    );
    expect(events).toStrictEqual([
      head(
        request('SEND', {
          toPath: [parseUri(relay), parseUri(TO)],
          extensions: [{ name: 'X-Custom', value: 'some value' }],
        }),
      ),
      end(),
    ]);
  });
});

describe('Parser: responses', () => {
  it('reads a response with a comment', () => {
    expect(parseAll(RESPONSE_OK)).toStrictEqual([head(response(200, { comment: 'OK' })), end()]);
  });

  it('reads a response comment with spaces', () => {
    expect(parseAll(frame(TID, '481 Session does not exist', PATHS))).toStrictEqual([
      head(response(481, { comment: 'Session does not exist' })),
      end(),
    ]);
  });

  it('reads a response without a comment (no comment property at all)', () => {
    const events = parseAll(RESPONSE_BARE);
    expect(events).toStrictEqual([head(response(200)), end()]);
    const first = events[0]!;
    expect(first.type === 'head' && 'comment' in first.head).toBe(false);
  });
});

describe('Parser: frames and bodies', () => {
  it('emits no body event for a frame without body', () => {
    expect(parseAll(RESPONSE_OK).map((e) => e.type)).toEqual(['head', 'end']);
  });

  it('reads an empty body: Content-Type, blank line, CRLF end-line', () => {
    expect(parseAll(`${SEND_HEAD}${END_LINE}`)).toStrictEqual([
      head(request('SEND', { contentType: TEXT_PLAIN })),
      end(),
    ]);
  });

  it('accepts the end-line directly after the blank line (lenient empty body)', () => {
    expect(parseAll(`${SEND_HEAD}-------${TID}$\r\n`)).toStrictEqual([
      head(request('SEND', { contentType: TEXT_PLAIN })),
      end(),
    ]);
  });

  it('accepts a blank line then the end-line without Content-Type', () => {
    const wire = `MSRP ${TID} SEND\r\n${TO_HEADER}\r\n${FROM_HEADER}\r\n\r\n-------${TID}+\r\n`;
    expect(parseAll(wire)).toStrictEqual([head(request('SEND')), end('+')]);
  });

  it('reads a body that is a single CRLF', () => {
    expect(parseAll(`${SEND_HEAD}\r\n${END_LINE}`)).toStrictEqual([
      head(request('SEND', { contentType: TEXT_PLAIN })),
      body('\r\n'),
      end(),
    ]);
  });

  it('reads a body that starts like the end-line but is not', () => {
    expect(parseAll(`${SEND_HEAD}-------${TID}x${END_LINE}`)).toStrictEqual([
      head(request('SEND', { contentType: TEXT_PLAIN })),
      body(`-------${TID}x`),
      end(),
    ]);
  });

  it('passes binary bodies through unchanged', () => {
    const data = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const events = parseAll(bytes(SEND_HEAD), data, bytes(END_LINE));
    expect(events[1]).toStrictEqual(body(data));
  });

  it('inFrame: from the first byte of a frame to its end-line, and not between frames', () => {
    const parser = new Parser(new Collector());
    const wire = bytes(`${SEND_HEAD}hello${END_LINE}`);
    expect(parser.inFrame).toBe(false);
    parser.push(wire.subarray(0, 1));
    expect(parser.inFrame).toBe(true);
    parser.push(wire.subarray(1, SEND_HEAD.length + 2));
    expect(parser.inFrame).toBe(true);
    parser.push(wire.subarray(SEND_HEAD.length + 2));
    expect(parser.inFrame).toBe(false);
    parser.push(bytes('\r\n'));
    expect(parser.inFrame).toBe(false);
  });

  it('reads several frames from one push', () => {
    expect(
      parseAll(RFC_SEND + RESPONSE_OK + RFC_REPORT + RESPONSE_BARE).map((e) => e.type),
    ).toEqual(['head', 'body', 'end', 'head', 'end', 'head', 'end', 'head', 'end']);
    expect(parseAll(RFC_SEND + RESPONSE_OK)).toStrictEqual([
      ...parseAll(RFC_SEND),
      ...parseAll(RESPONSE_OK),
    ]);
  });

  it('tolerates blank lines between frames', () => {
    expect(parseAll(`\r\n${RESPONSE_OK}\r\n\r\n${RESPONSE_BARE}`)).toStrictEqual([
      head(response(200, { comment: 'OK' })),
      end(),
      head(response(200)),
      end(),
    ]);
  });

  it.each<ContinuationFlag>(['+', '$', '#'])(
    'reports the %s flag with and without body',
    (flag) => {
      expect(parseAll(frame(TID, 'SEND', PATHS, undefined, flag))).toStrictEqual([
        head(request('SEND')),
        end(flag),
      ]);
      expect(
        parseAll(frame(TID, 'SEND', [...PATHS, 'Content-Type: text/plain'], 'chunk', flag)),
      ).toStrictEqual([
        head(request('SEND', { contentType: TEXT_PLAIN })),
        body('chunk'),
        end(flag),
      ]);
    },
  );

  it('does not take any other character for a flag', () => {
    // `-------abcd1234!` is not an end-line, so the stream ends inside the body.
    const error = catchMsrpError(() => parseAll(`${SEND_HEAD}x\r\n-------${TID}!\r\n`));
    expectError(error, 'MSRP_ERR_TRUNCATED', undefined, TID);
  });
});

describe('Parser: body slices are views', () => {
  function pattern(length: number): Buffer {
    const data = Buffer.alloc(length);
    for (let i = 0; i < length; i++) data[i] = (0x41 + i * 13) % 251;
    expect(containsEndLine(data, TID)).toBe(false);
    return data;
  }

  it('emits a large body pushed whole as views of the pushed buffer', () => {
    const data = pattern(256 * 1024);
    const wire = new Uint8Array(Buffer.concat([bytes(SEND_HEAD), data, bytes(END_LINE)]));
    const sink = new Collector();
    const parser = new Parser(sink);
    parser.push(wire);
    parser.end();
    expect(sink.parts.length).toBeGreaterThan(0);
    for (const part of sink.parts) expect(part.buffer).toBe(wire.buffer);
    expect(Buffer.concat(sink.parts).equals(data)).toBe(true);
  });

  it('emits a 1 MiB body pushed in one piece in at most 2 slices', () => {
    const data = new Uint8Array(pattern(1024 * 1024));
    const sink = new Collector();
    const parser = new Parser(sink);
    parser.push(bytes(SEND_HEAD));
    parser.push(data);
    parser.push(bytes(END_LINE));
    parser.end();
    expect(sink.parts.length).toBeGreaterThanOrEqual(1);
    expect(sink.parts.length).toBeLessThanOrEqual(2);
    const big = sink.parts.filter((p) => p.length > 1024);
    expect(big.length).toBe(1);
    expect(big[0]!.buffer).toBe(data.buffer);
    expect(Buffer.concat(sink.parts).equals(data)).toBe(true);
    expect(sink.events.map((e) => e.type)).toEqual(['head', 'body', 'end']);
  });

  it('emits a 1 MiB body that begins like a lenient end-line in at most 2 slices', () => {
    // The first bytes could begin an end-line right after the blank line: the held-back path.
    const data = new Uint8Array(pattern(1024 * 1024));
    data.set(bytes(`-------${TID}x`));
    const sink = new Collector();
    const parser = new Parser(sink);
    parser.push(bytes(SEND_HEAD));
    parser.push(data);
    parser.push(bytes(END_LINE));
    parser.end();
    expect(sink.parts.length).toBeLessThanOrEqual(2);
    expect(sink.parts.some((p) => p.buffer === data.buffer && p.length > 1000 * 1024)).toBe(true);
    expect(Buffer.concat(sink.parts).equals(data)).toBe(true);
  });

  it('emits a 1 MiB body pushed with its head and end-line as one slice', () => {
    const data = pattern(1024 * 1024);
    const wire = Buffer.concat([bytes(SEND_HEAD), data, bytes(END_LINE)]);
    const sink = new Collector();
    const parser = new Parser(sink);
    parser.push(wire);
    parser.end();
    expect(sink.parts.length).toBe(1);
    expect(sink.parts[0]!.buffer).toBe(wire.buffer);
    expect(Buffer.concat(sink.parts).equals(data)).toBe(true);
  });
});

describe('Parser: end-line recognition', () => {
  it.each(TRICKY_BODIES.map((b) => [JSON.stringify(b), b]))('reads %s as body', (_name, text) => {
    expect(parseAll(`${SEND_HEAD}${text}${END_LINE}`)).toStrictEqual([
      head(request('SEND', { contentType: TEXT_PLAIN })),
      body(text),
      end(),
    ]);
  });

  it("takes another transaction's end-line as body", () => {
    const text = 'before\r\n-------otherid$\r\nafter';
    expect(parseAll(bytes(`${SEND_HEAD}${text}${END_LINE}`))[1]).toStrictEqual(body(text));
  });

  it('takes the end-line followed by a non-flag character as body', () => {
    for (const c of ['a', 'Z', '0', '-', ' ', '.', '=', '%', '\r', '\n', '\0', '\xff']) {
      const text = `x\r\n-------${TID}${c}y`;
      expect(parseAll(bytes(`${SEND_HEAD}${text}${END_LINE}`))[1]).toStrictEqual(body(text));
    }
  });

  it('takes an end-line not preceded by CRLF as body', () => {
    const text = `abc-------${TID}$\r\nmore`;
    expect(parseAll(bytes(`${SEND_HEAD}${text}${END_LINE}`))[1]).toStrictEqual(body(text));
  });

  it('ends the body at the first real end-line and parses what follows as the next frame', () => {
    const wire = `${SEND_HEAD}one${END_LINE}${SEND_HEAD}two${END_LINE}`;
    expect(parseAll(wire).filter((e) => e.type === 'body')).toStrictEqual([
      body('one'),
      body('two'),
    ]);
  });
});

describe('Parser: a body its Byte-Range says is short', () => {
  // A short body's end-line is searched for without Node's search (EndLineScanner): the same
  // frames must come out, whatever the body holds and however the bytes are cut, and a
  // Byte-Range that lies about the length must not change where the body ends.
  const ranged = (text: string, range: string): Uint8Array =>
    toBytes(
      frame(TID, 'SEND', [...PATHS, `Byte-Range: ${range}`, 'Content-Type: text/plain'], text),
    );
  const bodies = [
    ...TRICKY_BODIES,
    `x\r\n-------${TID}y\r\n`,
    `\r\n-------${TID}`,
    `a\r\n-------otherid$\r\nb`,
  ];

  it.each(bodies.map((b) => [JSON.stringify(b), b]))(
    'reads %s whole and cut anywhere',
    (_n, text) => {
      for (const range of [`1-${text.length}/${text.length}`, `1-${text.length + 40}/*`, '1-1/1']) {
        const wire = ranged(text, range);
        const whole = parseAll(wire);
        expect(whole[1]).toStrictEqual(body(text));
        expect(whole.at(-1)).toStrictEqual(end());
        for (let k = 1; k < wire.length; k++) {
          expectSameEvents(parseAll(...splitAt(wire, [k])), whole, `${range}, split at ${k}`);
        }
      }
    },
  );

  it('reads on to the end-line of a body far longer than its range says', () => {
    const text = 'y'.repeat(70_000);
    const wire = ranged(text, '1-10/10');
    for (const cuts of [[], [300], [200, 65_536], [wire.length - 5]]) {
      const events = parseAll(...splitAt(wire, cuts));
      expect(events[1]).toStrictEqual(body(text));
      expect(events.at(-1)).toStrictEqual(end());
    }
    // And the frame after it is read as one.
    const two = parseAll(ranged(text, '1-10/10'), ranged('next', '1-4/4'));
    expect(two.filter((e) => e.type === 'end')).toHaveLength(2);
  });
});

describe('Parser: held-back bytes', () => {
  const full = END_LINE; // "\r\n-------abcd1234$\r\n"

  it.each(
    Array.from({ length: full.length - 1 }, (_, i): [number, string] => [
      i + 1,
      full.slice(0, i + 1),
    ]),
  )('holds back exactly the %i trailing bytes that could begin the end-line', (_n, suffix) => {
    // They turn out to be body.
    const sink = new Collector();
    const parser = new Parser(sink);
    parser.push(bytes(`${SEND_HEAD}hello${suffix}`));
    expect(bodyText(sink)).toBe('hello');
    parser.push(bytes(`Z${END_LINE}`));
    parser.end();
    expect(sink.events).toStrictEqual([
      head(request('SEND', { contentType: TEXT_PLAIN })),
      body(`hello${suffix}Z`),
      end(),
    ]);

    // They turn out to be the end-line.
    const sink2 = new Collector();
    const parser2 = new Parser(sink2);
    parser2.push(bytes(`${SEND_HEAD}hello${suffix}`));
    expect(bodyText(sink2)).toBe('hello');
    parser2.push(bytes(full.slice(suffix.length)));
    parser2.end();
    expect(sink2.events).toStrictEqual([
      head(request('SEND', { contentType: TEXT_PLAIN })),
      body('hello'),
      end(),
    ]);
  });

  it.each([
    '\r\n-x',
    '\r\n-------x',
    '\r\n-------abcd12X',
    `\r\n-------${TID}X`,
    `\r\n-------${TID}$X`,
    `\r\n-------${TID}$\rX`,
    '\r\r',
    '\rx',
    '-------',
    `-------${TID}$\r`,
  ])('emits at once trailing bytes %j that cannot begin the end-line', (suffix) => {
    const sink = new Collector();
    const parser = new Parser(sink);
    parser.push(bytes(`${SEND_HEAD}hello${suffix}`));
    // A trailing CR could begin the end-line: only that one byte may be held.
    const expected = `hello${suffix}`.replace(/\r$/, '');
    expect(bodyText(sink)).toBe(expected);
    parser.push(bytes(END_LINE));
    parser.end();
    expect(sink.events[1]).toStrictEqual(body(`hello${suffix}`));
  });

  it('holds back nothing when a push ends in ordinary body bytes', () => {
    const sink = new Collector();
    const parser = new Parser(sink);
    parser.push(bytes(`${SEND_HEAD}hello world`));
    expect(bodyText(sink)).toBe('hello world');
  });

  it('holds a lenient end-line prefix right after the blank line, and emits it if it is body', () => {
    const sink = new Collector();
    const parser = new Parser(sink);
    parser.push(bytes(SEND_HEAD));
    parser.push(bytes('-------abcd'));
    expect(sink.parts).toEqual([]);
    parser.push(bytes(`zz${END_LINE}`));
    parser.end();
    expect(sink.events[1]).toStrictEqual(body('-------abcdzz'));
  });
});

describe('Parser: any split gives the same events', () => {
  for (const [name, fixture] of Object.entries(SPLIT_FIXTURES)) {
    const wire = toBytes(fixture);

    it(`${name}: parses whole`, () => {
      const whole = parseAll(wire);
      expect(whole.length).toBeGreaterThanOrEqual(2);
      expect(whole.at(-1)?.type).toBe('end');
    });

    it(`${name}: split at every offset`, () => {
      const whole = parseAll(wire);
      for (let k = 1; k < wire.length; k++) {
        expectSameEvents(parseAll(...splitAt(wire, [k])), whole, `split at ${k}`);
      }
    });

    it(`${name}: byte by byte`, () => {
      expect(parseAll(...byteByByte(wire))).toStrictEqual(parseAll(wire));
    });
  }

  it('a tricky body: split at every pair of offsets', () => {
    const text = `a\r\n-------${TID}x\r\n-----`;
    const wire = toBytes(
      frame(
        TID,
        'SEND',
        ['To-Path: msrp://a;tcp', 'From-Path: msrp://b;tcp', 'Content-Type: t/p'],
        text,
      ),
    );
    const whole = parseAll(wire);
    expect(whole[1]).toStrictEqual(body(text));
    for (let i = 1; i < wire.length; i++) {
      for (let j = i + 1; j < wire.length; j++) {
        expectSameEvents(parseAll(...splitAt(wire, [i, j])), whole, `split at ${i}, ${j}`);
      }
    }
  });
});

describe('Parser: pause and resume', () => {
  const TWO = RFC_SEND + RESPONSE_OK;
  const twoEvents = parseAll(TWO);

  it('pauses after a body event; bytes pushed while paused come after resume, in order', () => {
    const sink = new Collector((e) => e.type === 'body');
    const parser = new Parser(sink);
    expect(parser.push(bytes(TWO))).toBe(false);
    expect(parser.paused).toBe(true);
    expect(sink.events.map((e) => e.type)).toEqual(['head', 'body']);
    expect(parser.push(bytes(RFC_REPORT))).toBe(false);
    for (const piece of byteByByte(bytes(RESPONSE_BARE))) expect(parser.push(piece)).toBe(false);
    expect(sink.raw.length).toBe(2);
    expect(parser.resume()).toBe(true);
    expect(parser.paused).toBe(false);
    parser.end();
    expect(sink.events).toStrictEqual([
      ...twoEvents,
      ...parseAll(RFC_REPORT),
      ...parseAll(RESPONSE_BARE),
    ]);
  });

  it('reads on in order when a sink method resumes it or pushes to it', () => {
    // A session's end() for an aborted message lets its reader go, which resumes the
    // connection, which resumed the parser inside that end(): the bytes queued behind went
    // before the rest of the array being read (the frames after the abort, in that read).
    const collector = new Collector((e) => e.type === 'body' && e.index === 1);
    let reentered = false;
    const parser: Parser = new Parser({
      head: (h) => collector.head(h),
      body: (part) => collector.body(part),
      end: (flag) => {
        const result = collector.end(flag);
        if (!reentered) {
          reentered = true;
          expect(parser.resume()).toBe(true);
          expect(parser.push(bytes(RESPONSE_BARE))).toBe(true);
        }
        return result;
      },
    });
    expect(parser.push(bytes(TWO))).toBe(false);
    expect(parser.push(bytes(RFC_REPORT))).toBe(false);
    expect(parser.resume()).toBe(true);
    parser.end();
    expect(collector.events).toStrictEqual([
      ...twoEvents,
      ...parseAll(RFC_REPORT),
      ...parseAll(RESPONSE_BARE),
    ]);
  });

  it('pauses after the head of a frame with body', () => {
    const sink = new Collector((e) => e.type === 'head' && e.index === 0);
    const parser = new Parser(sink);
    expect(parser.push(bytes(TWO))).toBe(false);
    expect(sink.events.map((e) => e.type)).toEqual(['head']);
    expect(parser.resume()).toBe(true);
    parser.end();
    expect(sink.events).toStrictEqual(twoEvents);
  });

  it('pauses after an end event', () => {
    const sink = new Collector((e) => e.type === 'end' && e.index === 2);
    const parser = new Parser(sink);
    expect(parser.push(bytes(TWO))).toBe(false);
    expect(sink.events).toStrictEqual(parseAll(RFC_SEND));
    expect(parser.resume()).toBe(true);
    parser.end();
    expect(sink.events).toStrictEqual(twoEvents);
  });

  it('delivers the end of a bodiless frame whose head paused only after resume', () => {
    const sink = new Collector((e) => e.type === 'head');
    const parser = new Parser(sink);
    expect(parser.push(bytes(RESPONSE_OK + RESPONSE_BARE))).toBe(false);
    expect(sink.events).toStrictEqual([head(response(200, { comment: 'OK' }))]);
    expect(parser.push(bytes(RFC_AUTH))).toBe(false);
    expect(sink.raw.length).toBe(1);
    // Resuming delivers the pending end, then pauses at the next head.
    expect(parser.resume()).toBe(false);
    expect(sink.events).toStrictEqual([
      head(response(200, { comment: 'OK' })),
      end(),
      head(response(200)),
    ]);
    expect(parser.resume()).toBe(false);
    expect(parser.resume()).toBe(true);
    parser.end();
    expect(sink.events).toStrictEqual([
      ...parseAll(RESPONSE_OK + RESPONSE_BARE),
      ...parseAll(RFC_AUTH),
    ]);
  });

  it('pauses when the last byte pushed completes a bodiless frame whose head pauses', () => {
    const sink = new Collector((e) => e.type === 'head');
    const parser = new Parser(sink);
    expect(parser.push(bytes(RESPONSE_OK))).toBe(false);
    expect(sink.raw.map((e) => e.type)).toEqual(['head']);
    expect(parser.resume()).toBe(true);
    expect(sink.raw.map((e) => e.type)).toEqual(['head', 'end']);
    parser.end();
  });

  it('delivers exactly one event per resume when every call pauses', () => {
    const wire = bytes(TWO + RFC_REPORT);
    const expected = parseAll(wire);
    const sink = new Collector(() => true);
    const parser = new Parser(sink);
    expect(parser.push(wire)).toBe(false);
    let resumes = 0;
    expect(sink.raw.length).toBe(1);
    while (parser.paused) {
      const before = sink.raw.length;
      parser.resume();
      resumes++;
      if (parser.paused) expect(sink.raw.length).toBe(before + 1);
      expect(resumes).toBeLessThan(100);
    }
    parser.end();
    expect(sink.events).toStrictEqual(expected);
  });

  it('pauses on a held-back body piece and keeps the held bytes', () => {
    const sink = new Collector((e) => e.type === 'body');
    const parser = new Parser(sink);
    expect(parser.push(bytes(`${SEND_HEAD}hello\r\n---`))).toBe(false);
    expect(bodyText(sink)).toBe('hello');
    expect(parser.push(bytes(`x${END_LINE}`))).toBe(false);
    expect(bodyText(sink)).toBe('hello');
    while (!parser.resume());
    parser.end();
    expect(sink.events).toStrictEqual([
      head(request('SEND', { contentType: TEXT_PLAIN })),
      body('hello\r\n---x'),
      end(),
    ]);
  });

  it('returns true from resume when not paused and from push when the sink never pauses', () => {
    const sink = new Collector();
    const parser = new Parser(sink);
    expect(parser.resume()).toBe(true);
    expect(parser.push(bytes(TWO))).toBe(true);
    expect(parser.paused).toBe(false);
  });
});

describe('Parser: limits', () => {
  it('rejects a start line longer than maxStartLineBytes', () => {
    const line = (n: number): string => `MSRP ${TID} 200 ${'x'.repeat(n - 18)}`;
    expect(line(40).length).toBe(40);
    const ok = parseWith(
      { maxStartLineBytes: 40 },
      `${line(40)}\r\n${PATHS.join('\r\n')}\r\n-------${TID}$\r\n`,
    );
    expect(ok.map((e) => e.type)).toEqual(['head', 'end']);
    const error = catchMsrpError(() =>
      parseWith(
        { maxStartLineBytes: 40 },
        `${line(41)}\r\n${PATHS.join('\r\n')}\r\n-------${TID}$\r\n`,
      ),
    );
    expectError(error, 'MSRP_ERR_START_LINE_TOO_LONG', 400, undefined);
  });

  it('applies the default start line limit of 1024 bytes', () => {
    const line = (n: number): string => `MSRP ${TID} 200 ${'x'.repeat(n - 18)}`;
    expect(parseAll(`${line(1024)}\r\n${PATHS.join('\r\n')}\r\n-------${TID}$\r\n`)).toHaveLength(
      2,
    );
    const error = catchMsrpError(() => parseAll(`${line(1025)}\r\n`));
    expectError(error, 'MSRP_ERR_START_LINE_TOO_LONG', 400, undefined);
  });

  it('rejects an endless start line fed byte by byte as soon as it passes the limit', () => {
    const parser = new Parser(new Collector(), { maxStartLineBytes: 40 });
    const { error, pushed } = pushUntilThrow(
      parser,
      byteByByte(bytes('MSRP x'.padEnd(100_000, 'y'))),
    );
    expectError(error, 'MSRP_ERR_START_LINE_TOO_LONG', 400, undefined);
    // 40 bytes plus a possible CR may still be a valid start line; one more cannot be.
    expect(pushed).toBeGreaterThan(41);
    expect(pushed).toBeLessThanOrEqual(42);
  });

  it('rejects a garbage line without LF, pushed whole, at once', () => {
    const parser = new Parser(new Collector());
    const error = catchMsrpError(() => parser.push(new Uint8Array(1 << 20).fill(0x41)));
    expectError(error, 'MSRP_ERR_START_LINE_TOO_LONG', 400, undefined);
  });

  it('accepts a header block of exactly maxHeaderBytes and rejects one byte more', () => {
    // The header block: every line after the start line, CRLFs and the blank line included.
    const start = `MSRP ${TID} SEND\r\n`;
    const block = (n: number): string => {
      const fixed = `${TO_HEADER}\r\n${FROM_HEADER}\r\nX-Pad: \r\nContent-Type: text/plain\r\n\r\n`;
      return fixed.replace('X-Pad: ', `X-Pad: ${'p'.repeat(n - fixed.length)}`);
    };
    const max = 200;
    expect(block(max).length).toBe(max);
    const accepted = parseWith({ maxHeaderBytes: max }, `${start}${block(max)}hi${END_LINE}`);
    expect(accepted.map((e) => e.type)).toEqual(['head', 'body', 'end']);
    const error = catchMsrpError(() =>
      parseWith({ maxHeaderBytes: max }, `${start}${block(max + 1)}hi${END_LINE}`),
    );
    expectError(error, 'MSRP_ERR_HEADER_TOO_LARGE', 400, TID);
  });

  it('rejects an endless header line fed byte by byte as soon as it passes the limit', () => {
    const start = `MSRP ${TID} SEND\r\n`;
    const parser = new Parser(new Collector(), { maxHeaderBytes: 100 });
    const pieces = byteByByte(bytes(`${start}X-Long: `.padEnd(100_000, 'z')));
    const { error, pushed } = pushUntilThrow(parser, pieces);
    expectError(error, 'MSRP_ERR_HEADER_TOO_LARGE', 400, TID);
    // 100 bytes of an unfinished line still need their LF, so the block can no longer fit.
    expect(pushed).toBe(start.length + 100);
  });

  it('applies the default header limit of 16 KiB', () => {
    const start = `MSRP ${TID} SEND\r\n${TO_HEADER}\r\n${FROM_HEADER}\r\n`;
    const error = catchMsrpError(() => parseAll(`${start}X-Big: ${'b'.repeat(16 * 1024)}\r\n`));
    expectError(error, 'MSRP_ERR_HEADER_TOO_LARGE', 400, TID);
    const fits = parseAll(`${start}X-Big: ${'b'.repeat(15 * 1024)}\r\n-------${TID}$\r\n`);
    expect(fits.map((e) => e.type)).toEqual(['head', 'end']);
  });

  it('rejects more than maxHeaders header fields', () => {
    const headers = (n: number): string[] => [
      ...PATHS,
      ...Array.from({ length: n - 2 }, (_, i) => `X-H${i}: ${i}`),
    ];
    const ok = parseWith({ maxHeaders: 5 }, frame(TID, 'SEND', headers(5)));
    expect(ok.map((e) => e.type)).toEqual(['head', 'end']);
    const error = catchMsrpError(() =>
      parseWith({ maxHeaders: 5 }, frame(TID, 'SEND', headers(6))),
    );
    expectError(error, 'MSRP_ERR_TOO_MANY_HEADERS', 400, TID);
  });

  it('applies the default limit of 64 header fields', () => {
    const headers = (n: number): string[] => [
      ...PATHS,
      ...Array.from({ length: n - 2 }, (_, i) => `X-H${i}: ${i}`),
    ];
    expect(parseAll(frame(TID, 'SEND', headers(64)))).toHaveLength(2);
    const error = catchMsrpError(() => parseAll(frame(TID, 'SEND', headers(65))));
    expectError(error, 'MSRP_ERR_TOO_MANY_HEADERS', 400, TID);
  });

  it('rejects too many headers fed byte by byte by the end of the first extra field', () => {
    const head5 = `MSRP ${TID} SEND\r\n${TO_HEADER}\r\n${FROM_HEADER}\r\nA: 1\r\nB: 2\r\nC: 3\r\n`;
    const extra = 'D: 4\r\n';
    const parser = new Parser(new Collector(), { maxHeaders: 5 });
    const pieces = byteByByte(bytes(`${head5}${extra}`.padEnd(head5.length + 10_000, 'E')));
    const { error, pushed } = pushUntilThrow(parser, pieces);
    expectError(error, 'MSRP_ERR_TOO_MANY_HEADERS', 400, TID);
    expect(pushed).toBeGreaterThan(head5.length);
    expect(pushed).toBeLessThanOrEqual(head5.length + extra.length);
  });

  /** Events, or the error code, of parsing `pieces` with `options`. */
  function outcome(options: ParserOptions, pieces: readonly Uint8Array[]): string {
    try {
      return JSON.stringify(parseWith(options, ...pieces).map((e) => e.type));
    } catch (e) {
      expect(e).toBeInstanceOf(MsrpError);
      return (e as MsrpError).code;
    }
  }

  // The property test's counterexample (seed 289938682): a bare LF on the line past
  // maxHeaders read "too many headers" whole and "bad line ending" byte by byte.
  it('reports a malformed line past maxHeaders as malformed, however the bytes are cut', () => {
    const end = `-------${TID}$\r\n`;
    const wire = bytes(`MSRP ${TID} 000\r\n${TO_HEADER}\r\n\n${end}${end}`);
    const options = { maxHeaders: 1 };
    expect(outcome(options, [wire])).toBe('MSRP_ERR_BAD_LINE_ENDING');
    expect(outcome(options, byteByByte(wire))).toBe('MSRP_ERR_BAD_LINE_ENDING');
  });

  it.each([
    ['bodiless', frame(TID, 'SEND', PATHS)],
    ['with body', frame(TID, 'SEND', [...PATHS, 'Content-Type: text/plain'], 'hi')],
    ['lenient empty body', `MSRP ${TID} SEND\r\n${PATHS.join('\r\n')}\r\n\r\n-------${TID}$\r\n`],
  ])(
    'applies maxHeaderBytes to a frame %s the same way however the bytes are cut',
    (_kind, text) => {
      const wire = bytes(text);
      const block = wire.length - wire.indexOf('\r\n') - 2;
      const differences: string[] = [];
      for (let max = block - 20; max <= block + 3; max++) {
        const options = { maxHeaderBytes: max };
        const whole = outcome(options, [wire]);
        const cuts = [
          byteByByte(wire),
          ...Array.from({ length: wire.length - 1 }, (_, k) => splitAt(wire, [k + 1])),
        ];
        const other = cuts.map((pieces) => outcome(options, pieces)).find((o) => o !== whole);
        if (other !== undefined) {
          differences.push(`block ${block}, max ${max}: whole ${whole}, cut ${other}`);
        }
      }
      expect(differences).toEqual([]);
    },
  );
});

describe('Parser: malformed input', () => {
  it('rejects a start line ending in a bare LF', () => {
    const error = catchMsrpError(() => parseAll(`MSRP ${TID} SEND\n${TO_HEADER}\r\n`));
    expect(error.code).toBe('MSRP_ERR_BAD_LINE_ENDING');
    expect(error.status).toBe(400);
  });

  it('rejects a lone LF before any frame', () => {
    expect(catchMsrpError(() => parseAll('\n')).code).toBe('MSRP_ERR_BAD_LINE_ENDING');
  });

  it('rejects a header line ending in a bare LF, naming the transaction', () => {
    const error = catchMsrpError(() => parseAll(`MSRP ${TID} SEND\r\n${TO_HEADER}\n`));
    expectError(error, 'MSRP_ERR_BAD_LINE_ENDING', 400, TID);
  });

  it('rejects a bodiless end-line ending in a bare LF', () => {
    const error = catchMsrpError(() =>
      parseAll(`MSRP ${TID} SEND\r\n${PATHS.join('\r\n')}\r\n-------${TID}$\n`),
    );
    expectError(error, 'MSRP_ERR_BAD_LINE_ENDING', 400, TID);
  });

  it.each([
    ['To-Path', [FROM_HEADER]],
    ['From-Path', [TO_HEADER]],
    ['To-Path', []],
  ])('rejects a bodiless frame without %s', (_missing, headers) => {
    const error = catchMsrpError(() => parseAll(frame(TID, 'SEND', headers)));
    expectError(error, 'MSRP_ERR_MISSING_HEADER', 400, TID);
    expect(error.message).toContain(_missing);
  });

  it('rejects a frame with body without From-Path before emitting its head', () => {
    const sink = new Collector();
    const parser = new Parser(sink);
    const error = catchMsrpError(() =>
      parser.push(bytes(frame(TID, 'SEND', [TO_HEADER, 'Content-Type: text/plain'], 'x'))),
    );
    expectError(error, 'MSRP_ERR_MISSING_HEADER', 400, TID);
    expect(sink.raw).toEqual([]);
  });

  it('rejects a start line that is not MSRP', () => {
    expect(catchMsrpError(() => parseAll('HTTP/1.1 200 OK\r\n')).code).toBe(
      'MSRP_ERR_BAD_START_LINE',
    );
  });

  it('rejects a malformed header line', () => {
    const error = catchMsrpError(() => parseAll(`MSRP ${TID} SEND\r\nno colon here\r\n`));
    expectError(error, 'MSRP_ERR_BAD_HEADER', 400, TID);
  });

  it("rejects another transaction's end-line after the headers", () => {
    const error = catchMsrpError(() =>
      parseAll(`MSRP ${TID} SEND\r\n${PATHS.join('\r\n')}\r\n-------otherid$\r\n`),
    );
    expectError(error, 'MSRP_ERR_BAD_HEADER', 400, TID);
  });

  it.each([
    ['a flag followed by CR and no LF', `-------${TID}$\rX`],
    ['the id followed by another character', `-------${TID}X$`],
    ['a longer id', `-------${TID}5$`],
    ['a shorter id', `-------${TID.slice(0, -1)}$`],
  ])(
    'rejects an end-line of a bodiless frame with %s, pushed whole or byte by byte',
    (_what, line) => {
      const wire = bytes(
        `MSRP ${TID} SEND\r\n${PATHS.join('\r\n')}\r\n${line}\r\n-------${TID}$\r\n`,
      );
      for (const pieces of [[wire], byteByByte(wire)]) {
        const sink = new Collector();
        const parser = new Parser(sink);
        const error = catchMsrpError(() => pieces.forEach((piece) => parser.push(piece)));
        expectError(error, 'MSRP_ERR_BAD_HEADER', 400, TID);
        expect(sink.raw).toEqual([]);
      }
    },
  );

  it('rethrows the same error on every later push, resume and end, with no more events', () => {
    const sink = new Collector();
    const parser = new Parser(sink);
    parser.push(bytes(RESPONSE_OK));
    const error = catchMsrpError(() => parser.push(bytes(`MSRP ${TID} SEND\nmore`)));
    expect(error.code).toBe('MSRP_ERR_BAD_LINE_ENDING');
    const before = sink.raw.length;
    expect(catchMsrpError(() => parser.push(bytes(RESPONSE_OK)))).toBe(error);
    expect(catchMsrpError(() => parser.push(new Uint8Array(0)))).toBe(error);
    expect(catchMsrpError(() => parser.resume())).toBe(error);
    expect(catchMsrpError(() => parser.end())).toBe(error);
    expect(catchMsrpError(() => parser.push(bytes(RESPONSE_OK)))).toBe(error);
    expect(sink.raw.length).toBe(before);
  });

  it('stays failed after a limit error', () => {
    const parser = new Parser(new Collector(), { maxStartLineBytes: 10 });
    const error = catchMsrpError(() => parser.push(bytes('MSRP abcd1234 SEND\r\n')));
    expect(error.code).toBe('MSRP_ERR_START_LINE_TOO_LONG');
    expect(catchMsrpError(() => parser.push(bytes(RESPONSE_OK)))).toBe(error);
    expect(catchMsrpError(() => parser.end())).toBe(error);
  });
});

describe('Parser: end of stream', () => {
  it('accepts end() between frames', () => {
    const sink = new Collector();
    const parser = new Parser(sink);
    parser.push(bytes(RESPONSE_OK));
    expect(() => parser.end()).not.toThrow();
    expect(sink.events).toHaveLength(2);
  });

  it('throws MSRP_ERR_TRUNCATED from end() while paused with part of a frame still queued', () => {
    const sink = new Collector((e) => e.type === 'end');
    const parser = new Parser(sink);
    expect(parser.push(bytes(RESPONSE_OK + RESPONSE_BARE.slice(0, 30)))).toBe(false);
    expect(sink.events).toStrictEqual(parseAll(RESPONSE_OK));
    expect(catchMsrpError(() => parser.end()).code).toBe('MSRP_ERR_TRUNCATED');
  });

  it('accepts end() on a fresh parser', () => {
    expect(parseAll()).toEqual([]);
  });

  it.each([
    ['the headers', `MSRP ${TID} SEND\r\n${TO_HEADER}\r\n`],
    ['a header line', `MSRP ${TID} SEND\r\nTo-Pa`],
    ['the body', `${SEND_HEAD}some body`],
    ['right after the blank line', SEND_HEAD],
    ['held-back bytes', `${SEND_HEAD}some body\r\n-------${TID}$\r`],
    ['a bodiless end-line', `MSRP ${TID} SEND\r\n${PATHS.join('\r\n')}\r\n-------${TID}$\r`],
  ])(
    'throws MSRP_ERR_TRUNCATED with the transaction id when the stream ends inside %s',
    (_w, wire) => {
      const sink = new Collector();
      const parser = new Parser(sink);
      parser.push(bytes(wire));
      const error = catchMsrpError(() => parser.end());
      expect(error.code).toBe('MSRP_ERR_TRUNCATED');
      expect(error.transactionId).toBe(TID);
      expect(sink.raw.every((e) => e.type !== 'end')).toBe(true);
      expect(catchMsrpError(() => parser.end())).toBe(error);
    },
  );

  it('throws MSRP_ERR_TRUNCATED without a transaction id inside a start line', () => {
    const parser = new Parser(new Collector());
    parser.push(bytes('MSRP abc'));
    const error = catchMsrpError(() => parser.end());
    expectError(error, 'MSRP_ERR_TRUNCATED', undefined, undefined);
  });
});

describe('Parser: chunks of one message', () => {
  // The parser recognises a chunk whose headers differ from the previous chunk's only in the
  // Byte-Range value by comparing bytes; these check it never takes a changed head for that.
  const chunk = (tid: string, range: string, extra: string[] = [], type = 'text/plain'): string =>
    frame(
      tid,
      'SEND',
      [...PATHS, 'Message-ID: m1234567', `Byte-Range: ${range}`, ...extra, `Content-Type: ${type}`],
      'xyz',
      '+',
    );
  const heads = (...wire: string[]): Head[] =>
    parseAll(wire.join('')).flatMap((e) => (e.type === 'head' ? [e.head] : []));
  const expected = (
    tid: string,
    start: number,
    end: number,
    extra: Partial<RequestHead> = {},
  ): RequestHead =>
    request(
      'SEND',
      {
        messageId: 'm1234567',
        byteRange: { start, end, total: 1_000_000 },
        contentType: { type: 'text', subtype: 'plain', params: [] },
        ...extra,
      },
      tid,
    );

  it('gives each chunk its own transaction id and Byte-Range, however the bytes are cut', () => {
    const wire = [
      chunk('tid00001', '1-3/1000000'),
      chunk('tid00002', '4-6/1000000'),
      chunk('tid00003', '999997-999999/1000000'),
      chunk('tid00004', '7-9/1000000'),
    ].join('');
    const want = [
      expected('tid00001', 1, 3),
      expected('tid00002', 4, 6),
      expected('tid00003', 999_997, 999_999),
      expected('tid00004', 7, 9),
    ];
    expect(heads(wire)).toStrictEqual(want);
    for (let cut = 1; cut < wire.length; cut += 7) {
      const got = parseAll(...splitAt(toBytes(wire), [cut, cut + 150])).flatMap((e) =>
        e.type === 'head' ? [e.head] : [],
      );
      expect(got).toStrictEqual(want);
    }
  });

  it('parses in full a chunk whose other headers changed', () => {
    const got = heads(
      chunk('tid00001', '1-3/1000000'),
      chunk('tid00002', '4-6/1000000', [], 'text/html'),
      chunk('tid00003', '7-9/1000000', ['X-Extra: 1']),
      frame(
        'tid00004',
        'SEND',
        [...PATHS, 'Message-ID: m7654321', 'Byte-Range: 1-3/3', 'Content-Type: text/plain'],
        'xyz',
      ),
    );
    expect(got[1]).toMatchObject({ transactionId: 'tid00002', contentType: { subtype: 'html' } });
    expect(got[2]).toMatchObject({
      transactionId: 'tid00003',
      extensions: [{ name: 'X-Extra', value: '1' }],
    });
    expect(got[3]).toMatchObject({
      messageId: 'm7654321',
      byteRange: { start: 1, end: 3, total: 3 },
    });
  });

  it('notices a change of the same length before or after the Byte-Range', () => {
    const got = heads(
      chunk('tid00001', '1-3/1000000'),
      chunk('tid00002', '4-6/1000000', [], 'text/PLAIN'),
      chunk('tid00003', '7-9/1000000').replace('m1234567', 'm1234568'),
    );
    expect(got[1]).toMatchObject({ transactionId: 'tid00002', contentType: { subtype: 'PLAIN' } });
    expect(got[2]).toMatchObject({ transactionId: 'tid00003', messageId: 'm1234568' });
  });

  it('still rejects a bad Byte-Range in an otherwise repeated head', () => {
    expect(() =>
      parseAll(chunk('tid00001', '1-3/1000000') + chunk('tid00002', '9-3/1000000')),
    ).toThrow(MsrpError);
  });

  it('hands out a fresh head object per chunk', () => {
    const [a, b] = heads(chunk('tid00001', '1-3/1000000'), chunk('tid00002', '4-6/1000000'));
    expect(a).not.toBe(b);
    expect(a!.transactionId).toBe('tid00001');
  });
});
