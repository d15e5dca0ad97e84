import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  Parser,
  newTransactionId,
  parseUri,
  type ByteRange,
  type RequestHead,
} from '../src/index.js';
import {
  ChunkHeadTemplate,
  containsEndLine,
  encodeHead,
  encodeResponse,
  wantsResponse,
} from '../src/internal.js';

const base: RequestHead = {
  kind: 'request',
  method: 'SEND',
  transactionId: 'ignored1',
  toPath: [
    parseUri('msrp://relay.example.net:2855/r1;tcp'),
    parseUri('msrp://[2001:db8::2]:7777/bob;tcp'),
  ],
  fromPath: [parseUri('msrps://alice.example.com:7654/jshA7weztas;tcp')],
  messageId: 'm1234567',
  contentType: { type: 'text', subtype: 'plain', params: [{ name: 'charset', value: 'utf-8' }] },
};

describe('ChunkHeadTemplate', () => {
  const heads: [string, RequestHead][] = [
    ['a plain SEND', base],
    [
      'a SEND asking for reports, with MIME headers',
      {
        ...base,
        successReport: 'yes',
        failureReport: 'partial',
        contentHeaders: [{ name: 'Content-Disposition', value: 'attachment; filename="a b.txt"' }],
      },
    ],
  ];
  const ranges: ByteRange[] = [
    { start: 1, end: 8192, total: 100_000 },
    // The same total again (a message of many chunks), another, then the first one's again:
    // each head has its own.
    { start: 8193, end: 16_384, total: 100_000 },
    { start: 16_385, end: 24_576, total: 100_000 },
    { start: 8193, end: '*', total: '*' },
    { start: 91_809, end: 100_000, total: 100_000 },
    { start: 1, end: 5, total: 5 },
    { start: 1, end: 5, total: 5 },
    { start: 8193, end: 16_384, total: 100_000 },
  ];

  for (const [name, head] of heads) {
    it(`encodes ${name} exactly as encodeHead does`, () => {
      const template = new ChunkHeadTemplate(head);
      for (const byteRange of ranges) {
        const transactionId = newTransactionId();
        expect(Buffer.from(template.encode(transactionId, byteRange)).toString()).toBe(
          Buffer.from(encodeHead({ ...head, transactionId, byteRange })).toString(),
        );
      }
    });
  }

  for (const [name, head] of heads) {
    it(`encodes ${name} with another Message-ID exactly as encodeHead does`, () => {
      const template = new ChunkHeadTemplate(head);
      for (const messageId of ['m2m2', 'another-Id.9+%=', 'x'.repeat(32)]) {
        const transactionId = newTransactionId();
        const byteRange = ranges[0]!;
        expect(Buffer.from(template.encode(transactionId, byteRange, messageId)).toString()).toBe(
          Buffer.from(encodeHead({ ...head, transactionId, byteRange, messageId })).toString(),
        );
      }
    });
  }

  it('encodes a head without Message-ID exactly as encodeHead does', () => {
    const head: RequestHead = { ...base };
    delete head.messageId;
    const template = new ChunkHeadTemplate(head);
    const byteRange = ranges[1]!;
    expect(Buffer.from(template.encode('tid12345', byteRange)).toString()).toBe(
      Buffer.from(encodeHead({ ...head, transactionId: 'tid12345', byteRange })).toString(),
    );
  });

  it('checks the fields once, when it is made', () => {
    expect(() => new ChunkHeadTemplate({ ...base, messageId: 'bad id' })).toThrow(/Message-ID/);
  });
});

describe('containsEndLine', () => {
  const tid = 'a786hjs2';
  const cases: [string, string, boolean][] = [
    ['an empty body', '', false],
    ['a body that starts with the end-line', `-------${tid}$`, true],
    ['a body that is the end-line without flag', `-------${tid}`, true],
    ['the end-line after CRLF inside', `abc\r\n-------${tid}+ more`, true],
    ['the end-line after CRLF at the end', `abc\r\n-------${tid}`, true],
    ['the end-line without CRLF inside', `abc-------${tid}$`, false],
    ['six dashes', `\r\n------${tid}`, false],
    ['another id', `\r\n-------a786hjs3`, false],
    ['another end-line, then this one', `a\r\n-------other$\r\n-------${tid}+`, true],
    ['the start of this id, cut short', `a\r\n-------a786hj`, false],
    ['a prefix of the id at the end', `\r\n-------a786hj`, false],
    ['CR LF alone', '\r\n', false],
    // Past the bodies searched without Node's search.
    ['the end-line after 300 bytes', `${'x'.repeat(300)}\r\n-------${tid}$`, true],
    ['another id after 300 bytes', `${'x'.repeat(300)}\r\n-------a786hjs3`, false],
  ];
  for (const [name, text, expected] of cases) {
    it(`is ${expected} for ${name}, as a Buffer and as a plain Uint8Array`, () => {
      const buf = Buffer.from(text, 'latin1');
      expect(containsEndLine(buf, tid)).toBe(expected);
      expect(containsEndLine(new Uint8Array(buf), tid)).toBe(expected);
      // A view into a larger array sees only its own bytes.
      const wider = Buffer.from(`-------${tid}${text}\r\n-------${tid}`, 'latin1');
      const view = wider.subarray(7 + tid.length, 7 + tid.length + buf.length);
      expect(containsEndLine(view, tid)).toBe(expected);
    });
  }
});

describe('encodeResponse', () => {
  it('answers one hop back, as encodeFrame of the RFC 4975 §7.2 response head would', () => {
    const request = { ...base, transactionId: 'a786hjs2' };
    const expected = Buffer.concat(
      encodeFrame({
        kind: 'response',
        transactionId: 'a786hjs2',
        statusCode: 200,
        comment: 'OK',
        toPath: [request.fromPath[0]!],
        fromPath: [request.toPath[0]!],
      }),
    );
    expect(Buffer.from(encodeResponse(request, 200, 'OK')).equals(expected)).toBe(true);
  });

  it('keeps a comment on one line (a CR/LF run is one space) and omits an empty one', () => {
    const heads: unknown[] = [];
    const parser = new Parser({
      head: (h) => void heads.push(h),
      body: () => true,
      end: () => true,
    });
    parser.push(encodeResponse(base, 413, 'too\r\nbig'));
    parser.push(encodeResponse(base, 481));
    expect(heads).toMatchObject([
      { kind: 'response', statusCode: 413, comment: 'too big' },
      { kind: 'response', statusCode: 481 },
    ]);
    expect(heads[1]).not.toHaveProperty('comment');
  });

  it('refuses a status code that is not three digits', () => {
    expect(() => encodeResponse(base, 42)).toThrow(/status code/);
  });
});

describe('wantsResponse', () => {
  const send = (failureReport?: 'yes' | 'no' | 'partial'): RequestHead => ({
    ...base,
    ...(failureReport && { failureReport }),
  });

  it('follows Failure-Report for SEND (RFC 4975 §7.1)', () => {
    expect([200, 413].map((s) => wantsResponse(send(), s))).toEqual([true, true]);
    expect([200, 413].map((s) => wantsResponse(send('no'), s))).toEqual([false, false]);
    expect([200, 413].map((s) => wantsResponse(send('partial'), s))).toEqual([false, true]);
  });

  it('never answers a REPORT and always answers other methods', () => {
    expect(wantsResponse({ ...base, method: 'REPORT' }, 400)).toBe(false);
    expect(wantsResponse({ ...base, method: 'AUTH', failureReport: 'no' }, 200)).toBe(true);
  });
});
