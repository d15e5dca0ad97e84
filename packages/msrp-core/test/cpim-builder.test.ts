// createCpim: what the Chat layer sends. One SP after each colon, CRLF, §2.3 escapes, and
// the result reads back as what was asked.
import { describe, expect, it } from 'vitest';
import { createCpim, formatCpim, parseCpim, type CpimInit } from '../src/index.js';

const IMDN = 'urn:ietf:params:imdn';
const ANONYMOUS = 'sip:anonymous@anonymous.invalid';
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('createCpim', () => {
  it('writes an RCS chat message the way RCS clients do', () => {
    const m = createCpim({
      from: ANONYMOUS,
      to: ANONYMOUS,
      dateTime: new Date(Date.UTC(2024, 4, 17, 9, 12, 44, 518)),
      ns: { imdn: IMDN },
      headers: [
        ['imdn.Message-ID', 'id-1'],
        ['imdn.Disposition-Notification', 'positive-delivery, display'],
      ],
      body: 'hello',
    });
    expect(text(formatCpim(m))).toBe(
      [
        `From: <${ANONYMOUS}>`,
        `To: <${ANONYMOUS}>`,
        'DateTime: 2024-05-17T09:12:44.518Z',
        `NS: imdn <${IMDN}>`,
        'imdn.Message-ID: id-1',
        'imdn.Disposition-Notification: positive-delivery, display',
        '',
        'Content-Type: text/plain;charset=utf-8',
        '',
        'hello',
      ].join('\r\n'),
    );
    expect(m.get(IMDN, 'Message-ID')?.text).toBe('id-1');
    expect(m.text()).toBe('hello');
  });

  it('writes the outer MIME block, Subject;lang=, cc, Require and Content-Length on request', () => {
    const m = createCpim({
      mimeHeaders: true,
      from: { name: 'Alice', uri: 'sip:alice@example.com' },
      to: ['sip:bob@example.com', { name: 'Carol', uri: 'sip:carol@example.com' }],
      cc: 'sip:dave@example.com',
      dateTime: '2000-12-13T13:40:00-08:00',
      subject: [{ text: 'hi' }, { text: 'salut', lang: 'fr' }],
      ns: { imdn: IMDN },
      require: ['imdn.Message-ID'],
      headers: [['imdn.Message-ID', 'x']],
      contentType: 'application/octet-stream',
      contentHeaders: [['Content-Disposition', 'attachment']],
      contentLength: true,
      body: new Uint8Array([0, 13, 10, 13, 10, 255]),
    });
    const wire = formatCpim(m);
    expect(text(wire.subarray(0, wire.length - 6))).toBe(
      [
        'Content-Type: message/cpim',
        '',
        'From: "Alice" <sip:alice@example.com>',
        'To: <sip:bob@example.com>',
        'To: "Carol" <sip:carol@example.com>',
        'cc: <sip:dave@example.com>',
        'DateTime: 2000-12-13T13:40:00-08:00',
        'Subject: hi',
        'Subject:;lang=fr salut',
        `NS: imdn <${IMDN}>`,
        'Require: imdn.Message-ID',
        'imdn.Message-ID: x',
        '',
        'Content-Type: application/octet-stream',
        'Content-Disposition: attachment',
        'Content-Length: 6',
        '',
        '',
      ].join('\r\n'),
    );
    const back = parseCpim(wire);
    expect(back.mimeHeaders).toHaveLength(1);
    expect(back.to).toEqual([
      { uri: 'sip:bob@example.com' },
      { name: 'Carol', uri: 'sip:carol@example.com' },
    ]);
    expect(back.subjects).toEqual([{ text: 'hi' }, { text: 'salut', lang: 'fr' }]);
    expect(back.unsupportedRequired([{ namespace: IMDN, name: 'Message-ID' }])).toEqual([]);
    expect(Array.from(back.body)).toEqual([0, 13, 10, 13, 10, 255]);
    expect(back.isText).toBe(false);
  });

  it('escapes values so that a line break cannot inject a header', () => {
    const m = createCpim({
      from: { name: 'Eve "x"\r\nTo: <sip:victim@example.com>', uri: 'sip:eve@example.com' },
      subject: ' leading space, back\\slash, tab\t, bell\u0007, ünïcödé',
      body: '',
    });
    const wire = text(formatCpim(m));
    expect(wire).toContain(
      'From: "Eve \\"x\\"\\r\\nTo: <sip:victim@example.com>" <sip:eve@example.com>',
    );
    expect(wire).toContain(
      'Subject: \\u0020leading space, back\\\\slash, tab\\t, bell\\u0007, ünïcödé',
    );
    const back = parseCpim(formatCpim(m));
    expect(back.to).toEqual([]);
    expect(back.from?.name).toBe('Eve "x"\r\nTo: <sip:victim@example.com>');
    expect(back.subjects[0]?.text).toBe(' leading space, back\\slash, tab\t, bell\u0007, ünïcödé');
  });

  const invalid: Array<[string, CpimInit]> = [
    ['a header name with a space', { headers: [['Bad Name', 'x']], body: '' }],
    ['a prefix without its ns entry', { headers: [['imdn.Message-ID', 'x']], body: '' }],
    ['a Require prefix without its ns entry', { require: ['foo.Bar'], body: '' }],
    ['a URI with a space', { from: 'sip:a b@example.com', body: '' }],
    ['a URI with an angle bracket', { to: 'sip:a>@example.com', body: '' }],
    // RFC 3862 §3: headers are lines, a URI within <> holds no control character (RFC 3986
    // §2); a CR or LF would end the header, a NUL or other C0 cut it in many readers.
    ['a From URI with a CR', { from: 'sip:a\r@example.com', body: '' }],
    ['a To URI with a LF', { to: ['sip:b@example.com', 'sip:a\n@example.com'], body: '' }],
    ['a From URI with a NUL', { from: 'sip:a\0@example.com', body: '' }],
    ['a To URI with a C0 control', { to: 'sip:a\x01@example.com', body: '' }],
    ['a cc URI with a C0 control', { cc: { name: 'A', uri: 'sip:a\x1f@example.com' }, body: '' }],
    ['a From URI with a DEL', { from: 'sip:a\x7f@example.com', body: '' }],
    ['an NS URI with a NUL', { ns: { imdn: 'urn:ietf:params:imdn\0' }, body: '' }],
    ['a bad NS prefix', { ns: { 'a.b': IMDN }, body: '' }],
    ['a DateTime that is not RFC 3339', { dateTime: 'yesterday', body: '' }],
    // RFC 3862 §3.6: a header value holds no line end; this one would end the metadata block.
    ['a DateTime string ending in a line break', { dateTime: '2000-12-13T13:40:00Z\n', body: '' }],
    ['a DateTime string with a leading space', { dateTime: ' 2000-12-13T13:40:00Z', body: '' }],
    ['an invalid Date', { dateTime: new Date(Number.NaN), body: '' }],
    // RFC 3339 §5.6: date-fullyear = 4DIGIT; the caller's error, not a peer's bad CPIM.
    ['a Date past year 9999', { dateTime: new Date(Date.UTC(10000, 0, 1)), body: '' }],
    ['a line break in a content header', { contentType: 'text/plain\r\nX: y', body: '' }],
    ['a bad Subject lang', { subject: [{ text: 'x', lang: 'fr x' }], body: '' }],
  ];
  for (const [what, init] of invalid) {
    it(`refuses ${what} with MSRP_ERR_INVALID_ARGUMENT`, () => {
      expect(() => createCpim(init)).toThrow(
        expect.objectContaining({ code: 'MSRP_ERR_INVALID_ARGUMENT' }),
      );
    });
  }
});
