// message/cpim from a bad peer: every fault is an MsrpError MSRP_ERR_CPIM (status 400) that
// says what is wrong, never a crash or a scan of an unbounded body.
import { describe, expect, it } from 'vitest';
import { MsrpError, createCpim, parseCpim, type ParseCpimOptions } from '../src/index.js';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const crlf = (...lines: string[]): Uint8Array => enc(lines.join('\r\n'));

function fault(bytes: Uint8Array, options?: ParseCpimOptions): MsrpError {
  try {
    parseCpim(bytes, options);
  } catch (e) {
    expect(e).toBeInstanceOf(MsrpError);
    const error = e as MsrpError;
    expect(error.code).toBe('MSRP_ERR_CPIM');
    expect(error.status).toBe(400);
    return error;
  }
  throw new Error('expected parseCpim to throw');
}

const FROM = 'From: <sip:alice@example.com>';
const CONTENT = ['Content-Type: text/plain', '', 'hi'];

describe('parseCpim refuses, naming the fault', () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty input', enc(''), /missing blank line after the metadata headers/],
    ['no blank line after the metadata', crlf(FROM, 'To: <sip:b@example.com>', ''), /metadata/],
    [
      'no blank line after the content headers',
      crlf(FROM, '', 'Content-Type: text/plain', ''),
      /content headers/,
    ],
    [
      'a metadata header without a colon',
      crlf(FROM, 'X-No-Colon here', '', ...CONTENT),
      /metadata header without a colon/,
    ],
    [
      'a colon inside a URI is no header colon',
      crlf(FROM, 'To <sip:b@example.com>', '', ...CONTENT),
      /bad metadata header name/,
    ],
    [
      'a content header without a colon',
      crlf(FROM, '', 'Content-Type text/plain', '', 'hi'),
      /content header without a colon/,
    ],
    [
      'an outer MIME header without a colon',
      crlf('Content-Type: message/cpim', 'oops', '', FROM, '', ...CONTENT),
      /MIME header without a colon/,
    ],
    [
      'NS without angle brackets',
      crlf('NS: imdn urn:ietf:params:imdn', '', ...CONTENT),
      /broken NS/,
    ],
    ['NS with an empty URI', crlf('NS: imdn <>', '', ...CONTENT), /broken NS/],
    ['NS with two prefixes', crlf('NS: a b <urn:x>', '', ...CONTENT), /broken NS/],
    ['NS with a bad prefix', crlf('NS: a@b <urn:x>', '', ...CONTENT), /bad prefix in NS/],
    ['a header name with a space', crlf('Bad Name: x', '', ...CONTENT), /bad metadata header name/],
    ['a header name with two dots', crlf('a.b.c: x', '', ...CONTENT), /bad metadata header name/],
    ['an empty header name', crlf(': x', '', ...CONTENT), /bad metadata header name/],
    ['a bad parameter', crlf('Subject:;=fr x', '', ...CONTENT), /bad parameter/],
    [
      'an unterminated quoted parameter',
      crlf('Subject:;x="abc', '', ...CONTENT),
      /unterminated quoted parameter/,
    ],
    ['a Require of a bad name', crlf('Require: a b', '', ...CONTENT), /bad header name in Require/],
    [
      'a From without angle brackets',
      crlf('From: sip:alice@example.com', '', ...CONTENT),
      /From is not \[name\] <URI>/,
    ],
    [
      'a To with text after the URI',
      crlf('To: <sip:b@example.com> x', '', ...CONTENT),
      /To is not/,
    ],
    ['a cc with an empty URI', crlf('cc: <>', '', ...CONTENT), /bad URI in cc/],
    [
      'an unterminated display name',
      crlf('From: "Alice <sip:a@example.com>', '', ...CONTENT),
      /unterminated display name/,
    ],
    [
      'text between display name and URI',
      crlf('From: "A" x <sip:a@example.com>', '', ...CONTENT),
      /between display name/,
    ],
    [
      'a DateTime that is not RFC 3339',
      crlf('DateTime: yesterday', '', ...CONTENT),
      /bad DateTime/,
    ],
    [
      'a DateTime in month 13',
      crlf('DateTime: 2024-13-01T00:00:00Z', '', ...CONTENT),
      /bad DateTime/,
    ],
    [
      'February 29 of a common year',
      crlf('DateTime: 2023-02-29T00:00:00Z', '', ...CONTENT),
      /bad DateTime/,
    ],
    [
      'an offset of 24 hours',
      crlf('DateTime: 2024-01-01T00:00:00+24:00', '', ...CONTENT),
      /bad DateTime/,
    ],
  ];
  for (const [what, bytes, message] of cases) {
    it(what, () => {
      expect(fault(bytes).message).toMatch(message);
    });
  }
});

describe('limits', () => {
  it('refuses headers over 64 KiB by default', () => {
    const long = `X-Long: ${'a'.repeat(70 * 1024)}`;
    expect(fault(crlf(long, '', ...CONTENT)).message).toMatch(/headers larger than 65536 bytes/);
  });

  it('counts the bytes of all blocks together', () => {
    const line = `X: ${'a'.repeat(60)}`;
    const bytes = crlf(line, '', `Content-Type: text/plain; x=${'b'.repeat(60)}`, '', 'hi');
    expect(parseCpim(bytes, { maxHeaderBytes: 200 }).body.length).toBe(2);
    expect(fault(bytes, { maxHeaderBytes: 100 }).message).toMatch(/larger than 100 bytes/);
  });

  it('stops at the limit in a large input without line ends', () => {
    const bytes = new Uint8Array(8 * 1024 * 1024).fill(0x41);
    expect(fault(bytes).message).toMatch(/headers larger than/);
  });

  it('refuses more than 256 header lines by default, or maxHeaders', () => {
    const many = Array.from({ length: 257 }, (_, k) => `X-${k}: ${k}`);
    expect(fault(crlf(...many, '', ...CONTENT)).message).toMatch(/more than 256 header lines/);
    const few = Array.from({ length: 5 }, (_, k) => `X-${k}: ${k}`);
    expect(fault(crlf(...few, '', ...CONTENT), { maxHeaders: 4 }).message).toMatch(/more than 4/);
    expect(parseCpim(crlf(...few, '', ...CONTENT), { maxHeaders: 6 }).headers).toHaveLength(5);
  });

  it('does not scan the body: a large body costs no header budget', () => {
    const body = new Uint8Array(4 * 1024 * 1024).fill(0x0a);
    const head = crlf(FROM, '', 'Content-Type: application/octet-stream', '', '');
    const bytes = new Uint8Array(head.length + body.length);
    bytes.set(head);
    bytes.set(body, head.length);
    expect(parseCpim(bytes, { maxHeaderBytes: 100, maxHeaders: 2 }).body.length).toBe(body.length);
  });
});

describe('what a caller refuses after parsing', () => {
  it('lists Require names it does not know, whatever their prefix', () => {
    const m = parseCpim(
      crlf(
        'NS: x <urn:ietf:params:imdn>',
        'NS: y <urn:example:unknown>',
        'Require: x.Message-ID,y.Thing,z.Undeclared,From',
        'x.Message-ID: 1',
        '',
        ...CONTENT,
      ),
    );
    expect(m.require).toEqual(['x.Message-ID', 'y.Thing', 'z.Undeclared', 'From']);
    expect(
      m.unsupportedRequired([{ namespace: 'urn:ietf:params:imdn', name: 'Message-ID' }]),
    ).toEqual(['y.Thing', 'z.Undeclared']);
  });

  it('binds a prefix only for the headers after its NS', () => {
    const m = parseCpim(crlf('a.Early: 1', 'NS: a <urn:x>', 'a.Late: 2', '', ...CONTENT));
    expect(m.headers[0]?.namespace).toBeUndefined();
    expect(m.get('urn:x', 'Early')).toBeUndefined();
    expect(m.get('urn:x', 'Late')?.text).toBe('2');
  });

  it('throws MSRP_ERR_CPIM for text() of an unknown charset', () => {
    const m = parseCpim(crlf(FROM, '', 'Content-Type: text/plain; charset=x-no-such', '', 'hi'));
    expect(() => m.text()).toThrow(expect.objectContaining({ code: 'MSRP_ERR_CPIM' }));
  });

  it('decodes text() in a declared charset other than UTF-8', () => {
    const m = createCpim({
      contentType: 'text/plain; charset=iso-8859-1',
      body: new Uint8Array([0xe9]),
    });
    expect(m.text()).toBe('é');
  });

  it('treats an encapsulated object without Content-Type as text', () => {
    const m = parseCpim(crlf(FROM, '', '', 'plain'));
    expect(m.contentHeaders).toEqual([]);
    expect(m.isText).toBe(true);
    expect(m.text()).toBe('plain');
  });

  it('tolerates no space, or two, after a metadata colon', () => {
    const m = parseCpim(crlf('From:<sip:a@example.com>', 'X:  two', '', ...CONTENT));
    expect(m.from).toEqual({ uri: 'sip:a@example.com' });
    expect(m.headers[1]?.value).toBe('two');
  });
});
