import { describe, expect, it } from 'vitest';
import {
  formatByteRange,
  formatContentType,
  formatStatusHeader,
  mediaTypeOf,
  MsrpError,
  newMessageId,
  newSessionId,
  newTransactionId,
  parseByteRange,
  parseContentType,
  parseStatusHeader,
  parseUri,
} from '../src/index.js';
import {
  formatAuthHeader,
  formatAuthParams,
  formatHead,
  paramValue,
  parseAuthHeader,
  parseAuthParams,
  parseHeaderLine,
  parseStartLine,
} from '../src/internal.js';
import type { Head, MsrpUri, RequestHead, ResponseHead } from '../src/index.js';

/** Runs `fn` and returns the MsrpError it throws; fails the test when it throws nothing. */
function thrown(fn: () => unknown): MsrpError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MsrpError);
    return e as MsrpError;
  }
  throw new Error('expected an MsrpError, nothing was thrown');
}

const IDENT = /^[A-Za-z0-9][A-Za-z0-9.\-+%=]{3,31}$/;
const TID = 'tx8Hq2ab';

/** A fresh request head to parse header lines into. */
function request(): Head {
  return parseStartLine(`MSRP ${TID} SEND`);
}

/** Parses header lines into a fresh request head. */
function headers(...lines: string[]): Head {
  const head = request();
  for (const line of lines) parseHeaderLine(head, line);
  return head;
}

const A = 'msrp://alice.example.com:7777/iau39soe2843z;tcp';
const B = 'msrp://bob.example.com:8888/9di4eae923wzd;tcp';
const R = 'msrps://relay.example.com:2855/hjdhfsjkh;tcp';

const CHALLENGE =
  'Digest realm="relay.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
  'qop="auth", algorithm=SHA-256, stale=true';
const CREDENTIALS =
  'Digest username="alice", realm="relay.example.com", ' +
  'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="msrps://relay.example.com:2855;tcp", ' +
  'response="6629fae49393a05397450978507c4ef1", algorithm=SHA-256, qop=auth, ' +
  'cnonce="0a4f113b", nc=00000001';

describe('parseByteRange / formatByteRange', () => {
  it.each([
    ['1-25/25', { start: 1, end: 25, total: 25 }],
    ['1-*/*', { start: 1, end: '*', total: '*' }],
    ['26-50/*', { start: 26, end: 50, total: '*' }],
    ['1-*/1048576', { start: 1, end: '*', total: 1048576 }],
    ['1-0/0', { start: 1, end: 0, total: 0 }],
    ['101-100/100', { start: 101, end: 100, total: 100 }],
    ['1-9007199254740991/9007199254740991', { start: 1, end: 2 ** 53 - 1, total: 2 ** 53 - 1 }],
  ] as const)('parses %s', (text, range) => {
    expect(parseByteRange(text)).toStrictEqual(range);
    expect(formatByteRange(range)).toBe(text);
  });

  it.each([
    ['0-5/5', 'start 0 (positions count from 1)'],
    ['5-3/10', 'end before start'],
    ['1-30/25', 'end beyond total'],
    ['2-1/0', 'end beyond a zero total'],
    ['a-5/5', 'non-digit start'],
    ['1-5b/5', 'non-digit end'],
    ['1-5/x', 'non-digit total'],
    ['*-5/5', '"*" start'],
    ['-1-5/5', 'negative start'],
    ['1.5-5/5', 'fraction'],
    ['\uff11-5/5', 'non-ASCII digit'],
    ['1-5', 'no total'],
    ['1/5', 'no end'],
    ['1-5/5 ', 'trailing space'],
    [' 1-5/5', 'leading space'],
    ['1 - 5/5', 'inner spaces'],
    ['', 'empty'],
    ['9007199254740992-*/*', 'start 2^53'],
    ['1-9007199254740992/*', 'end 2^53'],
    ['1-*/9007199254740993', 'total beyond 2^53'],
    ['1-*/123456789012345678901234567890', 'thirty-digit total'],
  ])('rejects %j (%s)', (text) => {
    expect(parseByteRange(text)).toBeUndefined();
  });
});

describe('parseStatusHeader / formatStatusHeader', () => {
  it('parses "000 200 OK"', () => {
    expect(parseStatusHeader('000 200 OK')).toStrictEqual({
      namespace: '000',
      code: 200,
      reason: 'OK',
    });
    expect(formatStatusHeader({ namespace: '000', code: 200, reason: 'OK' })).toBe('000 200 OK');
  });

  it('parses a status without reason, leaving reason out', () => {
    const status = parseStatusHeader('000 413');
    expect(status).toStrictEqual({ namespace: '000', code: 413 });
    expect(status && 'reason' in status).toBe(false);
    expect(formatStatusHeader({ namespace: '000', code: 413 })).toBe('000 413');
  });

  it('keeps a reason with spaces and UTF-8 as written', () => {
    const text = '000 413 Nachricht zu groß — bitte aufhören ✋';
    expect(parseStatusHeader(text)).toStrictEqual({
      namespace: '000',
      code: 413,
      reason: 'Nachricht zu groß — bitte aufhören ✋',
    });
    expect(formatStatusHeader(parseStatusHeader(text)!)).toBe(text);
    expect(parseStatusHeader('000 481 Session  does not exist')?.reason).toBe(
      'Session  does not exist',
    );
  });

  it('keeps a non-zero namespace and pads a short code to three digits', () => {
    expect(parseStatusHeader('123 408 Timeout')).toStrictEqual({
      namespace: '123',
      code: 408,
      reason: 'Timeout',
    });
    expect(formatStatusHeader({ namespace: '000', code: 8 })).toBe('000 008');
  });

  it.each(['000', '000 20', '000 2000', '00 200', '0000 200', '000200', '000 200OK', 'abc 200'])(
    'rejects %j',
    (text) => {
      expect(parseStatusHeader(text)).toBeUndefined();
    },
  );
});

describe('parseContentType / formatContentType / mediaTypeOf', () => {
  it('parses a bare media type', () => {
    expect(parseContentType('text/plain')).toStrictEqual({
      type: 'text',
      subtype: 'plain',
      params: [],
    });
  });

  it('parses message/cpim', () => {
    const ct = parseContentType('message/cpim');
    expect(ct).toStrictEqual({ type: 'message', subtype: 'cpim', params: [] });
    expect(mediaTypeOf(ct!)).toBe('message/cpim');
  });

  it('parses parameters in order, with or without space after ";"', () => {
    expect(parseContentType('text/plain; charset=utf-8;format=flowed')).toStrictEqual({
      type: 'text',
      subtype: 'plain',
      params: [
        { name: 'charset', value: 'utf-8' },
        { name: 'format', value: 'flowed' },
      ],
    });
  });

  it('keeps the case of type, subtype and parameters; mediaTypeOf lower-cases', () => {
    const ct = parseContentType('Text/HTML; Charset="UTF-8"');
    expect(ct).toStrictEqual({
      type: 'Text',
      subtype: 'HTML',
      params: [{ name: 'Charset', value: 'UTF-8', quoted: true }],
    });
    expect(mediaTypeOf(ct!)).toBe('text/html');
    expect(formatContentType(ct!)).toBe('Text/HTML;Charset="UTF-8"');
  });

  it('unescapes quoted parameters and escapes them again when formatting', () => {
    const text = 'text/plain;title="say \\"hi\\" \\\\ ok; really"';
    const ct = parseContentType(text);
    expect(ct?.params).toStrictEqual([
      { name: 'title', value: 'say "hi" \\ ok; really', quoted: true },
    ]);
    expect(formatContentType(ct!)).toBe(text);
  });

  it('keeps a quoted boundary with spaces, and a parameter without value', () => {
    const ct = parseContentType('multipart/mixed; boundary="simple boundary"; x-flag');
    expect(ct?.params).toStrictEqual([
      { name: 'boundary', value: 'simple boundary', quoted: true },
      { name: 'x-flag' },
    ]);
    expect(formatContentType(ct!)).toBe('multipart/mixed;boundary="simple boundary";x-flag');
  });

  it('round-trips what it formats', () => {
    const ct = {
      type: 'application',
      subtype: 'im-iscomposing+xml',
      params: [
        { name: 'charset', value: 'utf-8' },
        { name: 'note', value: 'a "quoted" \\ value', quoted: true },
      ],
    };
    expect(parseContentType(formatContentType(ct))).toStrictEqual(ct);
  });

  it.each([
    'text',
    'text/',
    '/plain',
    'te xt/plain',
    'te(x)t/plain',
    'text/plain;',
    'text/plain;;a=b',
    'text/plain; =x',
    'text/plain; a=b c',
    'text/plain; a=',
    'text/plain; a="unterminated',
    'text/plain; a="bad \\escape"',
    'text/plain; a="x"y',
  ])('rejects %j', (text) => {
    expect(parseContentType(text)).toBeUndefined();
  });
});

describe('parseAuthHeader / formatAuthHeader / parseAuthParams / paramValue', () => {
  it('parses an RFC 4976 WWW-Authenticate challenge', () => {
    const header = parseAuthHeader(CHALLENGE);
    expect(header).toStrictEqual({
      scheme: 'Digest',
      params: [
        { name: 'realm', value: 'relay.example.com', quoted: true },
        { name: 'nonce', value: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', quoted: true },
        { name: 'qop', value: 'auth', quoted: true },
        { name: 'algorithm', value: 'SHA-256' },
        { name: 'stale', value: 'true' },
      ],
    });
    expect(formatAuthHeader(header!)).toBe(CHALLENGE);
  });

  it('parses an RFC 4976 Authorization with uri, response, cnonce and nc', () => {
    const header = parseAuthHeader(CREDENTIALS)!;
    expect(header.scheme).toBe('Digest');
    expect(header.params.map((p) => p.name)).toStrictEqual([
      'username',
      'realm',
      'nonce',
      'uri',
      'response',
      'algorithm',
      'qop',
      'cnonce',
      'nc',
    ]);
    expect(paramValue(header.params, 'username')).toBe('alice');
    expect(paramValue(header.params, 'uri')).toBe('msrps://relay.example.com:2855;tcp');
    expect(paramValue(header.params, 'response')).toBe('6629fae49393a05397450978507c4ef1');
    expect(paramValue(header.params, 'cnonce')).toBe('0a4f113b');
    expect(paramValue(header.params, 'nc')).toBe('00000001');
    expect(paramValue(header.params, 'qop')).toBe('auth');
    expect(header.params.find((p) => p.name === 'qop')?.quoted).toBeUndefined();
    expect(formatAuthHeader(header)).toBe(CREDENTIALS);
  });

  it('finds parameters by case-insensitive name; absent ones are undefined', () => {
    const { params } = parseAuthHeader(CHALLENGE)!;
    expect(paramValue(params, 'REALM')).toBe('relay.example.com');
    expect(paramValue(params, 'Stale')).toBe('true');
    expect(paramValue(params, 'opaque')).toBeUndefined();
    expect(paramValue([{ name: 'flag' }], 'flag')).toBeUndefined();
    expect(
      paramValue(
        [
          { name: 'a', value: '1' },
          { name: 'A', value: '2' },
        ],
        'a',
      ),
    ).toBe('1');
  });

  it('keeps commas and escaped quotes inside quoted values', () => {
    const header = parseAuthHeader('Digest realm="a, b", opaque="x\\"y\\\\z", nonce=abc');
    expect(header?.params).toStrictEqual([
      { name: 'realm', value: 'a, b', quoted: true },
      { name: 'opaque', value: 'x"y\\z', quoted: true },
      { name: 'nonce', value: 'abc' },
    ]);
    expect(formatAuthHeader(header!)).toBe('Digest realm="a, b", opaque="x\\"y\\\\z", nonce=abc');
  });

  it('tolerates missing or extra whitespace around separators', () => {
    expect(parseAuthHeader('Digest realm="a",nonce="b"')?.params).toStrictEqual([
      { name: 'realm', value: 'a', quoted: true },
      { name: 'nonce', value: 'b', quoted: true },
    ]);
    expect(parseAuthHeader('Digest realm = "a" ,  nonce=b')?.params).toStrictEqual([
      { name: 'realm', value: 'a', quoted: true },
      { name: 'nonce', value: 'b' },
    ]);
  });

  it('parses a bare scheme and formats it back', () => {
    expect(parseAuthHeader('Digest')).toStrictEqual({ scheme: 'Digest', params: [] });
    expect(formatAuthHeader({ scheme: 'Digest', params: [] })).toBe('Digest');
  });

  it('skips empty list elements, as RFC 7230 §7 says a recipient must', () => {
    const both = [
      { name: 'realm', value: 'a', quoted: true },
      { name: 'nonce', value: 'b', quoted: true },
    ];
    for (const text of [
      'Digest realm="a",,nonce="b"',
      'Digest , realm="a", ,nonce="b",',
      'Digest realm="a" , , nonce="b" ,',
    ]) {
      expect(parseAuthHeader(text)?.params).toStrictEqual(both);
    }
    expect(parseAuthParams('nextnonce="x",,qop=auth')?.map((p) => p.name)).toEqual([
      'nextnonce',
      'qop',
    ]);
  });

  it.each([
    '',
    ' Digest realm="a"',
    'Dig"est realm="a"',
    'Digest realm="a" nonce="b"',
    'Digest realm="unterminated',
    'Digest realm=a b',
    'Digest realm="bad \\escape"',
  ])('rejects %j', (text) => {
    expect(parseAuthHeader(text)).toBeUndefined();
  });

  it('parses and formats Authentication-Info parameters (no scheme)', () => {
    const text =
      'nextnonce="fe3b72c1", qop=auth, rspauth="6629fae4", cnonce="0a4f113b", nc=00000001';
    const params = parseAuthParams(text);
    expect(params).toStrictEqual([
      { name: 'nextnonce', value: 'fe3b72c1', quoted: true },
      { name: 'qop', value: 'auth' },
      { name: 'rspauth', value: '6629fae4', quoted: true },
      { name: 'cnonce', value: '0a4f113b', quoted: true },
      { name: 'nc', value: '00000001' },
    ]);
    expect(paramValue(params!, 'NextNonce')).toBe('fe3b72c1');
    expect(formatAuthParams(params!)).toBe(text);
    expect(parseAuthParams('nextnonce="a" qop=auth')).toBeUndefined();
  });
});

describe('parseStartLine', () => {
  it('parses SEND, REPORT and AUTH requests with empty paths', () => {
    for (const method of ['SEND', 'REPORT', 'AUTH']) {
      expect(parseStartLine(`MSRP a786hjs2 ${method}`)).toStrictEqual({
        kind: 'request',
        transactionId: 'a786hjs2',
        method,
        toPath: [],
        fromPath: [],
      });
    }
  });

  it('parses unknown upper-case methods (answered with 501 upstream)', () => {
    const head = parseStartLine('MSRP d93kswow NICKNAME');
    expect(head).toMatchObject({ kind: 'request', method: 'NICKNAME' });
  });

  it('parses a response with a comment', () => {
    expect(parseStartLine('MSRP a786hjs2 200 OK')).toStrictEqual({
      kind: 'response',
      transactionId: 'a786hjs2',
      statusCode: 200,
      comment: 'OK',
      toPath: [],
      fromPath: [],
    });
    const head = parseStartLine('MSRP 49fh 401 Unauthorized — try again') as ResponseHead;
    expect(head.statusCode).toBe(401);
    expect(head.comment).toBe('Unauthorized — try again');
  });

  it('parses a response without a comment, leaving comment out', () => {
    const head = parseStartLine('MSRP a786hjs2 413');
    expect(head).toStrictEqual({
      kind: 'response',
      transactionId: 'a786hjs2',
      statusCode: 413,
      toPath: [],
      fromPath: [],
    });
    expect('comment' in head).toBe(false);
  });

  it('accepts transaction ids of 4 and of 32 characters using every ident-char', () => {
    expect(parseStartLine('MSRP 49fh SEND').transactionId).toBe('49fh');
    const long = 'A1.b-C+d%e=F' + 'x'.repeat(20);
    expect(long).toHaveLength(32);
    expect(parseStartLine(`MSRP ${long} 200`).transactionId).toBe(long);
  });

  it.each([
    ['no "MSRP "', 'SEND a786hjs2 SEND'],
    ['lower-case "msrp"', 'msrp a786hjs2 SEND'],
    ['"MSRP" alone', 'MSRP'],
    ['HTTP', 'HTTP/1.1 200 OK'],
  ])('rejects a line with %s, without status', (_why, line) => {
    const error = thrown(() => parseStartLine(line));
    expect(error.code).toBe('MSRP_ERR_BAD_START_LINE');
    expect(error.message).toMatch(/MSRP /);
    expect(error.status).toBeUndefined();
    expect(error.transactionId).toBeUndefined();
  });

  it.each([
    ['3 characters', 'abc'],
    ['33 characters', 'a'.repeat(33)],
    ['an underscore', 'abc_def'],
    ['a slash', 'abc/def'],
    ['a leading "."', '.abcdef'],
    ['a leading "-"', '-abcdef'],
    ['nothing', ''],
  ])('rejects a transaction id with %s', (_why, tid) => {
    const error = thrown(() => parseStartLine(`MSRP ${tid} SEND`));
    expect(error.code).toBe('MSRP_ERR_BAD_START_LINE');
    expect(error.message).toMatch(/transaction id/);
    expect(error.transactionId).toBeUndefined();
  });

  it.each([
    ['lower-case method', 'MSRP a786hjs2 send'],
    ['mixed-case method', 'MSRP a786hjs2 Send'],
    ['no method', 'MSRP a786hjs2'],
    ['empty method', 'MSRP a786hjs2 '],
    ['method with trailing space', 'MSRP a786hjs2 SEND '],
    ['method with digits', 'MSRP a786hjs2 SEND2'],
    ['two-digit status', 'MSRP a786hjs2 20'],
    ['four-digit status', 'MSRP a786hjs2 2000'],
    ['status glued to comment', 'MSRP a786hjs2 200OK'],
    ['control character in comment', 'MSRP a786hjs2 200 O\u0001K'],
  ])('rejects a %s with status 400 and the transaction id', (_why, line) => {
    const error = thrown(() => parseStartLine(line));
    expect(error.code).toBe('MSRP_ERR_BAD_START_LINE');
    expect(error.status).toBe(400);
    expect(error.transactionId).toBe('a786hjs2');
  });
});

describe('parseHeaderLine', () => {
  it('parses To-Path and From-Path into URI lists, next hop first', () => {
    const head = headers(`To-Path: ${R} ${B}`, `From-Path: ${A}`);
    expect(head.toPath).toStrictEqual([parseUri(R), parseUri(B)]);
    expect(head.fromPath).toStrictEqual([parseUri(A)]);
  });

  it.each([
    ['Message-ID: 87652491', { messageId: '87652491' }],
    ['Success-Report: yes', { successReport: 'yes' }],
    ['Success-Report: no', { successReport: 'no' }],
    ['Failure-Report: yes', { failureReport: 'yes' }],
    ['Failure-Report: no', { failureReport: 'no' }],
    ['Failure-Report: partial', { failureReport: 'partial' }],
    ['Byte-Range: 1-25/25', { byteRange: { start: 1, end: 25, total: 25 } }],
    ['Byte-Range: 1-*/*', { byteRange: { start: 1, end: '*', total: '*' } }],
    ['Status: 000 200 OK', { status: { namespace: '000', code: 200, reason: 'OK' } }],
    ['Status: 000 413', { status: { namespace: '000', code: 413 } }],
    ['Expires: 1800', { expires: 1800 }],
    ['Expires: 0', { expires: 0 }],
    ['Min-Expires: 60', { minExpires: 60 }],
    ['Max-Expires: 86400', { maxExpires: 86400 }],
    [`Use-Path: ${R}`, { usePath: [parseUri(R)] }],
    [`Use-Path: ${R} ${A}`, { usePath: [parseUri(R), parseUri(A)] }],
    [`WWW-Authenticate: ${CHALLENGE}`, { wwwAuthenticate: [parseAuthHeader(CHALLENGE)] }],
    [`Authorization: ${CREDENTIALS}`, { authorization: parseAuthHeader(CREDENTIALS) }],
    [
      'Authentication-Info: nextnonce="fe3b72c1", qop=auth',
      {
        authenticationInfo: [
          { name: 'nextnonce', value: 'fe3b72c1', quoted: true },
          { name: 'qop', value: 'auth' },
        ],
      },
    ],
    [
      'Content-Type: text/plain; charset=utf-8',
      {
        contentType: {
          type: 'text',
          subtype: 'plain',
          params: [{ name: 'charset', value: 'utf-8' }],
        },
      },
    ],
    [
      'Content-Type: message/cpim',
      { contentType: { type: 'message', subtype: 'cpim', params: [] } },
    ],
  ])('parses %j into its field', (line, fields) => {
    const head = headers(line);
    expect(head).toStrictEqual({ ...request(), ...fields });
  });

  it('reads header names case-insensitively', () => {
    const head = headers(
      `to-path: ${B}`,
      `FROM-PATH: ${A}`,
      'message-id: 87652491',
      'BYTE-range: 1-5/5',
      'success-REPORT: no',
      'www-authenticate: Digest realm="r"',
      'content-type: text/plain',
    );
    expect(head.toPath).toStrictEqual([parseUri(B)]);
    expect(head.fromPath).toStrictEqual([parseUri(A)]);
    expect(head.messageId).toBe('87652491');
    expect(head.byteRange).toStrictEqual({ start: 1, end: 5, total: 5 });
    expect(head.successReport).toBe('no');
    expect(head.wwwAuthenticate).toHaveLength(1);
    expect(head.contentType?.subtype).toBe('plain');
    expect(head.extensions).toBeUndefined();
  });

  it('accepts a value after ":" with no space or with tabs', () => {
    expect(headers('Message-ID:87652491').messageId).toBe('87652491');
    expect(headers('Message-ID:\t 87652491').messageId).toBe('87652491');
  });

  // RFC 4975 §9 writes these values as ABNF quoted strings, which are case-insensitive
  // (RFC 5234 §2.3), exactly like the header names the parser already reads in any case.
  it('reads Success-Report and Failure-Report values case-insensitively (RFC 5234 §2.3)', () => {
    expect(headers('Success-Report: YES').successReport).toBe('yes');
    expect(headers('Failure-Report: Partial').failureReport).toBe('partial');
  });

  it('keeps unknown headers in extensions, in order, names and values as written', () => {
    const head = headers(
      'X-Zeta: 1',
      `To-Path: ${B}`,
      'x-alpha: two words',
      'Priority: urgent',
      'X-Zeta: 3',
      'X-Note: grüße ✓',
    );
    expect(head.extensions).toStrictEqual([
      { name: 'X-Zeta', value: '1' },
      { name: 'x-alpha', value: 'two words' },
      { name: 'Priority', value: 'urgent' },
      { name: 'X-Zeta', value: '3' },
      { name: 'X-Note', value: 'grüße ✓' },
    ]);
    expect(head.contentHeaders).toBeUndefined();
  });

  it('keeps Content-ID, Content-Description and Content-Disposition in contentHeaders', () => {
    const head = headers(
      'Content-ID: <part1@example.com>',
      'X-Other: x',
      'content-description: A picture of Bob',
      'Content-Disposition: attachment; filename="bob.jpg"',
      'Content-Type: image/jpeg',
    );
    expect(head.contentHeaders).toStrictEqual([
      { name: 'Content-ID', value: '<part1@example.com>' },
      { name: 'content-description', value: 'A picture of Bob' },
      { name: 'Content-Disposition', value: 'attachment; filename="bob.jpg"' },
    ]);
    expect(head.extensions).toStrictEqual([{ name: 'X-Other', value: 'x' }]);
    expect(head.contentType).toStrictEqual({ type: 'image', subtype: 'jpeg', params: [] });
  });

  it('collects every WWW-Authenticate challenge (one per algorithm)', () => {
    const head = headers(
      'WWW-Authenticate: Digest realm="r", nonce="n1", algorithm=SHA-256',
      'WWW-Authenticate: Digest realm="r", nonce="n2", algorithm=MD5',
    );
    expect(head.wwwAuthenticate?.map((c) => paramValue(c.params, 'algorithm'))).toStrictEqual([
      'SHA-256',
      'MD5',
    ]);
  });

  it.each([
    [`To-Path: ${B}`, `To-Path: ${A}`],
    [`From-Path: ${A}`, `from-path: ${B}`],
    ['Message-ID: 87652491', 'message-id: 87652492'],
    ['Success-Report: yes', 'Success-Report: no'],
    ['Failure-Report: yes', 'Failure-Report: partial'],
    ['Byte-Range: 1-5/5', 'Byte-Range: 1-5/5'],
    ['Status: 000 200 OK', 'Status: 000 200 OK'],
    ['Expires: 10', 'Expires: 20'],
    ['Min-Expires: 10', 'Min-Expires: 20'],
    ['Max-Expires: 10', 'Max-Expires: 20'],
    [`Use-Path: ${R}`, `Use-Path: ${R}`],
    [`Authorization: ${CREDENTIALS}`, `Authorization: ${CREDENTIALS}`],
    ['Authentication-Info: qop=auth', 'Authentication-Info: qop=auth'],
    ['Content-Type: text/plain', 'Content-Type: text/html'],
  ])('rejects a second %j as a duplicate', (first, second) => {
    const head = headers(first);
    const error = thrown(() => parseHeaderLine(head, second));
    expect(error.code).toBe('MSRP_ERR_DUPLICATE_HEADER');
    expect(error.status).toBe(400);
    expect(error.transactionId).toBe(TID);
    expect(error.message).toContain(second.slice(0, second.indexOf(':')));
  });

  it.each([
    'To-Path: http://bob.example.com;tcp',
    'To-Path: ',
    `To-Path: ${B}  ${A}`,
    'From-Path: msrp://alice.example.com:7777/s',
    'Use-Path: msrps://relay.example.com:99999;tcp',
    'Message-ID: abc',
    'Message-ID: 8765_2491',
    'Success-Report: maybe',
    'Failure-Report: sometimes',
    'Byte-Range: 0-5/5',
    'Byte-Range: 1-x/5',
    'Status: 200 OK',
    'Status: 000 20',
    'Expires: -1',
    'Expires: 1.5',
    'Expires: 12345678901',
    'Min-Expires: soon',
    'Max-Expires: ',
    'WWW-Authenticate: Digest realm="r" nonce="n"',
    'Authorization: Digest username="alice" realm="r"',
    'Authentication-Info: nextnonce="unterminated',
    'Content-Type: text',
    'Content-Type: text/plain; a="x',
    'X-Custom: bell\u0007',
    'Content-ID: nul\u0000byte',
  ])('rejects the malformed value %j with status 400 and the transaction id', (line) => {
    const error = thrown(() => parseHeaderLine(request(), line));
    expect(error.code).toBe('MSRP_ERR_BAD_HEADER');
    expect(error.status).toBe(400);
    expect(error.transactionId).toBe(TID);
    expect(error.message).toContain(line.slice(0, line.indexOf(':')));
  });

  it('keeps the URI error as the cause of a bad path', () => {
    const error = thrown(() => parseHeaderLine(request(), 'To-Path: http://x;tcp'));
    expect(error.cause).toBeInstanceOf(MsrpError);
    expect((error.cause as MsrpError).code).toBe('MSRP_ERR_BAD_URI');
  });

  it.each(['No colon here', ': empty name', '1X-Header: v', 'Bad Name: v', 'X(y): v'])(
    'rejects the malformed line %j',
    (line) => {
      const error = thrown(() => parseHeaderLine(request(), line));
      expect(error.code).toBe('MSRP_ERR_BAD_HEADER');
      expect(error.status).toBe(400);
      expect(error.transactionId).toBe(TID);
    },
  );

  it('puts headers into a response head too', () => {
    const head = parseStartLine('MSRP 49fi 200 OK');
    parseHeaderLine(head, `Use-Path: ${R}`);
    parseHeaderLine(head, 'Expires: 1800');
    expect(head).toMatchObject({ kind: 'response', usePath: [parseUri(R)], expires: 1800 });
  });
});

describe('formatHead', () => {
  const uri = (text: string): MsrpUri => parseUri(text);
  const full: RequestHead = {
    // Written in an order unlike the canonical one on purpose.
    contentType: {
      type: 'text',
      subtype: 'plain',
      params: [{ name: 'charset', value: 'utf-8' }],
    },
    contentHeaders: [
      { name: 'Content-ID', value: '<part1@example.com>' },
      { name: 'Content-Disposition', value: 'inline' },
    ],
    extensions: [
      { name: 'X-Zeta', value: '1' },
      { name: 'X-Alpha', value: '2' },
    ],
    authenticationInfo: [{ name: 'nextnonce', value: 'fe3b72c1', quoted: true }],
    authorization: parseAuthHeader(CREDENTIALS)!,
    wwwAuthenticate: [
      parseAuthHeader('Digest realm="r", nonce="n1", algorithm=SHA-256')!,
      parseAuthHeader('Digest realm="r", nonce="n2", algorithm=MD5')!,
    ],
    usePath: [uri(R), uri(A)],
    maxExpires: 86400,
    minExpires: 60,
    expires: 1800,
    status: { namespace: '000', code: 200, reason: 'OK' },
    byteRange: { start: 1, end: 5, total: 5 },
    failureReport: 'partial',
    successReport: 'no',
    messageId: '87652491',
    fromPath: [uri(A)],
    toPath: [uri(R), uri(B)],
    method: 'SEND',
    transactionId: TID,
    kind: 'request',
  };

  it('writes the start line and headers in canonical order, then the blank line', () => {
    expect(formatHead(full)).toBe(
      [
        `MSRP ${TID} SEND`,
        `To-Path: ${R} ${B}`,
        `From-Path: ${A}`,
        'Message-ID: 87652491',
        'Success-Report: no',
        'Failure-Report: partial',
        'Byte-Range: 1-5/5',
        'Status: 000 200 OK',
        'Expires: 1800',
        'Min-Expires: 60',
        'Max-Expires: 86400',
        `Use-Path: ${R} ${A}`,
        'WWW-Authenticate: Digest realm="r", nonce="n1", algorithm=SHA-256',
        'WWW-Authenticate: Digest realm="r", nonce="n2", algorithm=MD5',
        `Authorization: ${CREDENTIALS}`,
        'Authentication-Info: nextnonce="fe3b72c1"',
        'X-Zeta: 1',
        'X-Alpha: 2',
        'Content-ID: <part1@example.com>',
        'Content-Disposition: inline',
        'Content-Type: text/plain;charset=utf-8',
        '',
        '',
      ].join('\r\n'),
    );
  });

  it('gives back the head when its lines are parsed again', () => {
    const lines = formatHead(full).split('\r\n');
    expect(lines.splice(-2)).toStrictEqual(['', '']);
    const head = parseStartLine(lines[0]!);
    for (const line of lines.slice(1)) parseHeaderLine(head, line);
    expect(head).toStrictEqual(full);
  });

  it('ends a head without Content-Type after one CRLF', () => {
    const head: ResponseHead = {
      kind: 'response',
      transactionId: 'a786hjs2',
      statusCode: 200,
      comment: 'OK',
      toPath: [uri(A)],
      fromPath: [uri(B)],
    };
    expect(formatHead(head)).toBe(`MSRP a786hjs2 200 OK\r\nTo-Path: ${A}\r\nFrom-Path: ${B}\r\n`);
    const bare: ResponseHead = { ...head, statusCode: 8 };
    delete bare.comment;
    expect(formatHead(bare)).toBe(`MSRP a786hjs2 008\r\nTo-Path: ${A}\r\nFrom-Path: ${B}\r\n`);
  });

  const base: RequestHead = {
    kind: 'request',
    transactionId: TID,
    method: 'SEND',
    toPath: [uri(B)],
    fromPath: [uri(A)],
  };
  const evil = 'a\r\nX-Injected: 1';
  const response: ResponseHead = { ...base, kind: 'response', statusCode: 200 };

  it.each<[string, Head]>([
    ['comment', { ...response, comment: 'OK\r\nX-Injected: 1' }],
    ['comment (LF only)', { ...response, comment: 'OK\nX' }],
    ['extension value', { ...base, extensions: [{ name: 'X-A', value: evil }] }],
    ['extension value (CR only)', { ...base, extensions: [{ name: 'X-A', value: 'a\rb' }] }],
    ['content header value', { ...base, contentHeaders: [{ name: 'Content-ID', value: evil }] }],
    ['Status reason', { ...base, status: { namespace: '000', code: 200, reason: evil } }],
    [
      'Content-Type parameter',
      {
        ...base,
        contentType: {
          type: 'text',
          subtype: 'plain',
          params: [{ name: 'a', value: evil, quoted: true }],
        },
      },
    ],
    [
      'WWW-Authenticate parameter',
      {
        ...base,
        wwwAuthenticate: [{ scheme: 'Digest', params: [{ name: 'realm', value: evil }] }],
      },
    ],
    [
      'Authorization parameter',
      {
        ...base,
        authorization: { scheme: 'Digest', params: [{ name: 'nonce', value: evil, quoted: true }] },
      },
    ],
    [
      'Authentication-Info parameter',
      { ...base, authenticationInfo: [{ name: 'qop', value: evil }] },
    ],
    ['To-Path session-id', { ...base, toPath: [{ ...uri(B), sessionId: 'ab\r\ncd' }] }],
    ['Use-Path host', { ...base, usePath: [{ ...uri(R), host: 'relay\n.example.com' }] }],
  ])('rejects CR or LF in the %s', (_where, head) => {
    const error = thrown(() => formatHead(head));
    expect(error.code).toBe('MSRP_ERR_INVALID_ARGUMENT');
    expect(error.status).toBeUndefined();
  });

  it.each<[string, Head]>([
    ['3-character transaction id', { ...base, transactionId: 'abc' }],
    ['33-character transaction id', { ...base, transactionId: 'a'.repeat(33) }],
    ['transaction id with a space', { ...base, transactionId: 'ab cd' }],
    ['transaction id with "_"', { ...base, transactionId: 'ab_cd' }],
    ['lower-case method', { ...base, method: 'send' }],
    ['empty method', { ...base, method: '' }],
    ['method with a space', { ...base, method: 'SE ND' }],
    ['short Message-ID', { ...base, messageId: 'abc' }],
    ['Message-ID with a space', { ...base, messageId: 'abc def' }],
    ['status code 1000', { ...response, statusCode: 1000 }],
    ['negative status code', { ...response, statusCode: -1 }],
    ['fractional status code', { ...response, statusCode: 200.5 }],
    ['empty To-Path', { ...base, toPath: [] }],
    ['empty From-Path', { ...base, fromPath: [] }],
    ['extension name with a space', { ...base, extensions: [{ name: 'X Bad', value: 'v' }] }],
    ['extension name with ":"', { ...base, extensions: [{ name: 'X-Bad:', value: 'v' }] }],
    ['content header name', { ...base, contentHeaders: [{ name: '', value: 'v' }] }],
  ])('rejects a %s', (_what, head) => {
    const error = thrown(() => formatHead(head));
    expect(error.code).toBe('MSRP_ERR_INVALID_ARGUMENT');
    expect(error.status).toBeUndefined();
  });
});

describe('ids', () => {
  const generators = [
    ['newTransactionId', newTransactionId],
    ['newMessageId', newMessageId],
    ['newSessionId', newSessionId],
  ] as const;

  it.each(generators)('%s matches the ident grammar with 96 random bits (24 hex)', (_n, make) => {
    for (let i = 0; i < 1000; i++) {
      const id = make();
      expect(id).toMatch(IDENT);
      expect(id).toMatch(/^[0-9a-f]{24}$/);
    }
  });

  it.each(generators)('%s gives 10000 distinct ids', (_n, make) => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(make());
    expect(ids.size).toBe(10_000);
  });

  it('never repeats across the three generators, which share one random pool', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      ids.add(newTransactionId());
      ids.add(newMessageId());
      ids.add(newSessionId());
    }
    expect(ids.size).toBe(9000);
  });

  it('gives ids that fit a start line, a Message-ID header and a URI session-id', () => {
    const tid = newTransactionId();
    expect(parseStartLine(`MSRP ${tid} SEND`).transactionId).toBe(tid);
    const mid = newMessageId();
    expect(headers(`Message-ID: ${mid}`).messageId).toBe(mid);
    const sid = newSessionId();
    expect(parseUri(`msrp://example.com:2855/${sid};tcp`).sessionId).toBe(sid);
  });
});
