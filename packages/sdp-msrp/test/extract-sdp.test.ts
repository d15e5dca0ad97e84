import { describe, expect, it, vi } from 'vitest';
import { extractSdp, SdpError, type SdpErrorCode } from '../src/index.js';
import { crlf, RFC4975_OFFER, RFC5547_PUSH } from './fixtures.js';

const SDP = crlf(RFC4975_OFFER);

/** A SIP message: start line, headers, empty line, body; Content-Length in octets. */
function sip(start: string, headers: readonly string[], body: string, eol = '\r\n'): string {
  const length = `Content-Length: ${Buffer.byteLength(body)}`;
  return [start, ...headers, length, '', ''].join(eol) + body;
}

const INVITE_HEADERS = [
  'Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.example.com;transport=tcp>',
];

function failure(text: string): SdpError {
  try {
    extractSdp(text);
  } catch (e) {
    if (e instanceof SdpError) return e;
    throw e;
  }
  throw new Error('expected an SdpError');
}

function multipart(type: string, boundary: string, parts: readonly string[], eol = '\r\n'): string {
  return `${parts.map((p) => `--${boundary}${eol}${p}${eol}`).join('')}--${boundary}--${eol}`.replace(
    /^/,
    `This is a preamble${eol}`,
  );
}

describe('extractSdp', () => {
  it('refuses what is no string (a Buffer from a SIP stack) with a clear error', () => {
    const e = failure(Buffer.from('INVITE sip:b@h SIP/2.0\r\n\r\n') as unknown as string);
    expect(e.code).toBe('SDP_ERR_INVALID_ARGUMENT');
    expect(e.message).toBe('extractSdp takes a string, not bytes (decode them)');
  });

  it('takes the body of an INVITE with Content-Type application/sdp', () => {
    const invite = sip(
      'INVITE sip:bob@biloxi.example.com SIP/2.0',
      [...INVITE_HEADERS, 'Content-Type: application/sdp'],
      SDP,
    );
    expect(extractSdp(invite)).toBe(SDP);
  });

  it('takes the body of a 200 OK, with compact headers c: and l: and parameters', () => {
    const body = SDP;
    const ok = [
      'SIP/2.0 200 OK',
      ...INVITE_HEADERS,
      'c: Application/SDP; charset=utf-8',
      `l: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
    expect(extractSdp(ok)).toBe(body);
  });

  it('stops at Content-Length, counted in octets (UTF-8 session name)', () => {
    const body = crlf(['v=0', 's=Café ☕', 't=0 0']);
    const message = `${sip('SIP/2.0 200 OK', ['Content-Type: application/sdp'], body)}NEXT MESSAGE`;
    expect(extractSdp(message)).toBe(body);
  });

  it('counts Content-Length without Buffer, which a browser lacks', () => {
    const body = crlf(['v=0', 's=Café ☕', 't=0 0']);
    const message = `${sip('SIP/2.0 200 OK', ['Content-Type: application/sdp'], body)}NEXT`;
    vi.stubGlobal('Buffer', undefined);
    try {
      expect(extractSdp(message)).toBe(body);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('reads bare LF line ends, folded headers and a Content-Length counted for CRLF', () => {
    const body = RFC4975_OFFER.join('\n') + '\n';
    const message = [
      'INVITE sip:bob@biloxi.example.com SIP/2.0',
      'Subject: a folded',
      '  header line',
      'Content-Type:',
      '  application/sdp',
      `Content-Length: ${Buffer.byteLength(crlf(RFC4975_OFFER))}`,
      '',
      body,
    ].join('\n');
    expect(extractSdp(message)).toBe(body);
  });

  it('returns bare SDP as it is, after keep-alive empty lines', () => {
    expect(extractSdp(SDP)).toBe(SDP);
    expect(extractSdp(`\r\n\r\n${SDP}`)).toBe(SDP);
  });

  it('finds the SDP part of multipart/mixed (RFC 5621) with a quoted boundary', () => {
    const sdp = crlf(RFC5547_PUSH);
    const body = multipart('multipart/mixed', 'boundary 42', [
      `Content-Type: application/sdp\r\nContent-Disposition: session\r\n\r\n${sdp}`,
      'Content-Type: image/jpeg\r\nContent-ID: <id2@alicepc.example.org>\r\nContent-Transfer-Encoding: binary\r\n\r\n\xff\xd8\xff',
    ]);
    const invite = sip(
      'INVITE sip:bob@example.org SIP/2.0',
      ['Content-Type: multipart/mixed;boundary="boundary 42"'],
      body,
    );
    // The CRLF before the delimiter belongs to the delimiter (RFC 2046 §5.1.1).
    expect(extractSdp(invite)).toBe(sdp);
  });

  it('finds SDP as the second part of multipart/alternative, with LF line ends', () => {
    const body = multipart(
      'multipart/alternative',
      'unique-boundary-1',
      [
        'Content-Type: text/plain\n\nNot SDP',
        `content-type: application/sdp\n\n${RFC4975_OFFER.join('\n')}`,
      ],
      '\n',
    );
    const message = sip(
      'SIP/2.0 183 Session Progress',
      ['Content-Type: multipart/alternative; boundary=unique-boundary-1'],
      body,
      '\n',
    );
    expect(extractSdp(message)).toBe(RFC4975_OFFER.join('\n'));
  });

  it('looks inside nested multiparts, and past parts without headers', () => {
    const inner = multipart('multipart/alternative', 'in', [
      '\r\nplain text part',
      `Content-Type: application/sdp\r\n\r\n${SDP}`,
    ]);
    const outer = multipart('multipart/mixed', 'out', [
      `Content-Type: multipart/alternative; boundary=in\r\n\r\n${inner}`,
    ]);
    const message = sip(
      'INVITE sip:b@example.org SIP/2.0',
      ['Content-Type: multipart/mixed; boundary=out'],
      outer,
    );
    expect(extractSdp(message)).toBe(SDP);
  });

  // RFC 2046 §5.1.1 lets a part be multipart again, without a bound; extractSdp reads 16
  // levels, and refuses deeper nesting (a hostile body) with an SdpError, not a stack overflow.
  it('reads multiparts nested 16 deep and refuses deeper ones', () => {
    // Built as two lists joined once: nesting by concatenation would copy the body each level.
    const nested = (levels: number): string => {
      const opens: string[] = [];
      const closes: string[] = [];
      for (let i = 0; i < levels; i++) {
        const type = i === 0 ? 'application/sdp' : `multipart/mixed;boundary=b${i - 1}`;
        opens.unshift(`--b${i}\r\nContent-Type: ${type}\r\n\r\n`);
        closes.push(`\r\n--b${i}--\r\n`);
      }
      const type = `multipart/mixed;boundary=b${levels - 1}`;
      const body = opens.join('') + SDP + closes.join('');
      return sip('INVITE sip:b@h SIP/2.0', [`Content-Type: ${type}`], body);
    };
    expect(extractSdp(nested(16))).toBe(SDP);
    for (const levels of [17, 5_000]) {
      const e = failure(nested(levels));
      expect(e.code).toBe('SDP_ERR_BAD_MULTIPART');
      expect(e.message).toContain('nests multipart bodies more than 16 deep');
    }
  });

  it.each<[string, string, SdpErrorCode, string]>([
    ['no body', sip('INVITE sip:b@h SIP/2.0', INVITE_HEADERS, ''), 'SDP_ERR_NO_SDP', 'has no body'],
    [
      'another body type',
      sip('MESSAGE sip:b@h SIP/2.0', ['Content-Type: text/plain'], 'hello'),
      'SDP_ERR_NO_SDP',
      'the SIP message body is text/plain, not application/sdp',
    ],
    [
      'a body without Content-Type',
      sip('INVITE sip:b@h SIP/2.0', [], SDP),
      'SDP_ERR_NO_SDP',
      'a body without Content-Type',
    ],
    [
      'a multipart without SDP',
      sip(
        'INVITE sip:b@h SIP/2.0',
        ['Content-Type: multipart/mixed;boundary=b'],
        multipart('multipart/mixed', 'b', ['Content-Type: text/plain\r\n\r\nhi', '\r\nno headers']),
      ),
      'SDP_ERR_NO_SDP',
      'No application/sdp part in the multipart/mixed body (parts: text/plain, text/plain)',
    ],
    [
      'a multipart without boundary',
      sip('INVITE sip:b@h SIP/2.0', ['Content-Type: multipart/mixed'], 'x'),
      'SDP_ERR_BAD_MULTIPART',
      'multipart/mixed without a boundary',
    ],
    [
      'a multipart whose delimiter never comes',
      sip(
        'INVITE sip:b@h SIP/2.0',
        ['Content-Type: multipart/mixed; boundary=zz'],
        `--yy\r\n\r\n${SDP}`,
      ),
      'SDP_ERR_BAD_MULTIPART',
      'no "--zz" delimiter line',
    ],
    [
      'a truncated multipart',
      sip(
        'INVITE sip:b@h SIP/2.0',
        ['Content-Type: multipart/mixed; boundary=zz'],
        `--zz\r\nContent-Type: application/sdp\r\n\r\n${SDP}`,
      ),
      'SDP_ERR_BAD_MULTIPART',
      'no closing "--zz--" delimiter',
    ],
    [
      'a part whose headers never end',
      sip(
        'INVITE sip:b@h SIP/2.0',
        ['Content-Type: multipart/mixed; boundary=zz'],
        '--zz\r\nContent-Type: application/sdp\r\n--zz--\r\n',
      ),
      'SDP_ERR_BAD_MULTIPART',
      'Part 1 of the multipart/mixed body has no empty line after its headers',
    ],
    [
      'text that is not SIP',
      'HTTP/1.1 200 OK\r\n\r\n',
      'SDP_ERR_BAD_SIP',
      'Neither a SIP message nor SDP',
    ],
    [
      'a header section that never ends',
      'INVITE sip:b@h SIP/2.0\r\nContent-Type: application/sdp\r\n',
      'SDP_ERR_BAD_SIP',
      'header section does not end',
    ],
    [
      'a bad Content-Length',
      'SIP/2.0 200 OK\r\nContent-Length: ten\r\n\r\nv=0',
      'SDP_ERR_BAD_SIP',
      'Invalid Content-Length "ten"',
    ],
  ])('says which when given %s', (_name, text, code, message) => {
    const e = failure(text);
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
  });
});
