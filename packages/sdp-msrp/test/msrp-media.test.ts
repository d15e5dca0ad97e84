import { formatUri } from '@msrp-ts/msrp-core';
import { describe, expect, it } from 'vitest';
import {
  canonicalProto,
  findMsrpMedia,
  formatMsrpMedia,
  parseMsrpMedia,
  parseSdp,
  SdpError,
  serializeSdp,
  type MsrpMedia,
} from '../src/index.js';
import {
  crlf,
  IPV6_OFFER,
  MIXED_OFFER,
  RCS_CHAT_OFFER,
  RELAYED_OFFER,
  RFC4975_OFFER,
  RFC4975_WRAPPED,
  RFC5547_PULL,
  RFC5547_PUSH,
  TLS_CEMA_OFFER,
  WSS_OFFER,
} from './fixtures.js';

function media(lines: readonly string[]): MsrpMedia {
  return findMsrpMedia(parseSdp(crlf(lines)));
}

function error(lines: readonly string[]): SdpError {
  try {
    parseMsrpMedia(parseSdp(crlf(lines)));
  } catch (e) {
    if (e instanceof SdpError) return e;
    throw e;
  }
  throw new Error('expected an SdpError');
}

/** RFC 4975_OFFER with its MSRP attributes replaced by `attributes`. */
function withAttributes(...attributes: string[]): string[] {
  return [...RFC4975_OFFER.slice(0, 6), ...attributes];
}

describe('parseMsrpMedia', () => {
  it('reads the RFC 4975 §8.7 offer', () => {
    const m = media(RFC4975_OFFER);
    expect(m).toMatchObject({
      index: 0,
      port: 7654,
      proto: 'TCP/MSRP',
      formats: ['*'],
      connection: { netType: 'IN', addrType: 'IP4', address: 'atlanta.example.com' },
      acceptTypes: ['text/plain'],
      wrappedTypes: [],
      cema: false,
      fingerprints: [],
      direction: 'sendrecv',
    });
    expect(m.setup).toBeUndefined();
    expect(m.maxSize).toBeUndefined();
    expect(m.file).toBeUndefined();
    expect(m.path.map(formatUri)).toEqual(['msrp://atlanta.example.com:7654/jshA7weztas;tcp']);
  });

  it('reads wrapped types and max-size (RFC 4975 §8.6)', () => {
    const m = media(RFC4975_WRAPPED);
    expect(m.acceptTypes).toEqual(['message/cpim', 'text/plain', 'text/html']);
    expect(m.wrappedTypes).toEqual(['text/plain', 'image/*']);
    expect(m.maxSize).toBe(131072);
  });

  it('reads a relayed path in order, relay first (RFC 4975 §8.3)', () => {
    const m = media(RELAYED_OFFER);
    expect(m.proto).toBe('TCP/TLS/MSRP');
    expect(m.path.map((u) => `${u.scheme} ${u.host} ${u.sessionId}`)).toEqual([
      'msrps relay.example.net asdf',
      'msrps bob.example.com 9di4ea',
    ]);
  });

  it('reads an RCS chat offer: actpass, CPIM and its wrapped types', () => {
    const m = media(RCS_CHAT_OFFER);
    expect(m.setup).toBe('actpass');
    expect(m.direction).toBe('sendrecv');
    expect(m.wrappedTypes).toContain('message/imdn+xml');
    expect(m.path[0]!.sessionId).toBe('1458916144436');
  });

  it('reads TLS fingerprint, CEMA and a=connection (RFC 6714, RFC 6135)', () => {
    const m = media(TLS_CEMA_OFFER);
    expect(m.cema).toBe(true);
    expect(m.connectionMode).toBe('new');
    expect(m.fingerprints).toEqual([
      {
        algorithm: 'SHA-256',
        value:
          '4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:31:18:9D:88:37:50:EF:35:E5:F1:B0:F0',
      },
    ]);
    // CEMA: c= names the middlebox, a=path the endpoint behind it.
    expect(m.connection?.address).toBe('198.51.100.10');
    expect(m.path[0]!.host).toBe('10.0.0.2');
  });

  it('reads IPv6 addresses in c= and a=path', () => {
    const m = media(IPV6_OFFER);
    expect(m.connection).toEqual({ netType: 'IN', addrType: 'IP6', address: '2001:db8::1' });
    expect(m.path[0]!.host).toBe('2001:db8::1');
    expect(m.setup).toBe('active');
  });

  it('reads WebSocket media (RFC 7977)', () => {
    const m = media(WSS_OFFER);
    expect(m.proto).toBe('TCP/WSS/MSRP');
    expect(m.path[0]).toMatchObject({
      scheme: 'msrps',
      host: 'df7jal23ls0d.invalid',
      transport: 'ws',
    });
  });

  it('reads an RFC 5547 push offer with every file attribute', () => {
    const m = media(RFC5547_PUSH);
    expect(m.direction).toBe('sendonly');
    expect(m.title).toBe('This is my latest picture');
    expect(m.file).toEqual({
      selector: {
        name: 'My cool picture.jpg',
        type: 'image/jpeg',
        size: 32349,
        hash: {
          algorithm: 'sha-1',
          value: '72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E',
        },
      },
      transferId: 'vBnG916bdberum2fFEABR1FR3ExZMUrd',
      disposition: 'attachment',
      date: { creation: 'Mon, 15 May 2006 15:01:31 +0300' },
      icon: 'cid:id2@alicepc.example.org',
      range: { start: 1, stop: 32349 },
    });
  });

  it('reads an RFC 5547 pull offer', () => {
    const m = media(RFC5547_PULL);
    expect(m.direction).toBe('recvonly');
    expect(m.file?.selector).toEqual({
      name: 'My cool picture.jpg',
      hash: {
        algorithm: 'sha-1',
        value: '72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E',
      },
    });
  });

  it('skips other media but counts them, and folds session-level attributes in', () => {
    const all = parseMsrpMedia(parseSdp(crlf(MIXED_OFFER)));
    expect(all).toHaveLength(1);
    expect(all[0]!.index).toBe(1);
    expect(all[0]!.direction).toBe('sendrecv');
    const sessionLevel = parseMsrpMedia(
      parseSdp(
        crlf([
          ...RFC4975_OFFER.slice(0, 5),
          'a=recvonly',
          'a=setup:passive',
          ...RFC4975_OFFER.slice(5),
        ]),
      ),
    )[0]!;
    expect(sessionLevel.direction).toBe('recvonly');
    expect(sessionLevel.setup).toBe('passive');
  });

  it('accepts a rejected stream (port 0) without path or accept-types', () => {
    const m = media(['v=0', 's=-', 't=0 0', 'm=message 0 TCP/MSRP *']);
    expect(m.port).toBe(0);
    expect(m.path).toEqual([]);
  });

  it('says when there is no MSRP media, and what there is instead', () => {
    let e: unknown;
    try {
      findMsrpMedia(parseSdp(crlf(MIXED_OFFER.slice(0, 12))));
    } catch (caught) {
      e = caught;
    }
    expect(e).toBeInstanceOf(SdpError);
    expect((e as SdpError).code).toBe('SDP_ERR_NO_MSRP');
    expect((e as SdpError).message).toContain('m=audio 49170 RTP/AVP 0 8 97');
  });

  it.each([
    [['a=accept-types:text/plain'], 6, 'MSRP media without a=path'],
    [['a=path:msrp://h:1/s;tcp'], 6, 'MSRP media without a=accept-types'],
    [['a=accept-types:text/plain', 'a=path:http://h/s'], 8, 'Invalid MSRP URI "http://h/s"'],
    [
      ['a=accept-types:text/plain', 'a=path:msrp://h:1/s;tcp msrp://h:99999/t;tcp'],
      8,
      'invalid port "99999"',
    ],
    [['a=accept-types:text/ plain', 'a=path:msrp://h:1/s;tcp'], 7, '"text/" is not a media type'],
    [
      ['a=accept-types:*/*', 'a=path:msrp://h:1/s;tcp'],
      7,
      '"*/*" is not a media type (expected *, type/* or type/subtype)',
    ],
    [
      ['a=accept-types:text/plain', 'a=path:msrp://h:1/s;tcp', 'a=max-size:big'],
      9,
      'a=max-size must be an integer',
    ],
    [
      ['a=accept-types:text/plain', 'a=path:msrp://h:1/s;tcp', 'a=setup:both'],
      9,
      'a=setup must be active, passive',
    ],
    [
      ['a=accept-types:text/plain', 'a=path:msrp://h:1/s;tcp', 'a=connection:old'],
      9,
      'a=connection must be new or existing',
    ],
    [
      ['a=accept-types:text/plain', 'a=path:msrp://h:1/s;tcp', 'a=fingerprint:SHA-256'],
      9,
      'expected a=fingerprint',
    ],
    [
      ['a=accept-types:text/plain', 'a=path:msrp://h:1/s;tcp', 'a=path:msrp://h:2/s;tcp'],
      9,
      'more than one a=path',
    ],
    [
      ['a=accept-types:text/plain', 'a=path:msrp://h:1/s;tcp', 'a=sendonly', 'a=recvonly'],
      10,
      'more than one direction attribute',
    ],
    [
      ['a=accept-types:text/plain', 'a=path:msrp://h:1/s;tcp', 'a=file-selector:name:"x size:1'],
      9,
      'unterminated quoted string',
    ],
    [
      ['a=accept-types:text/plain', 'a=path:msrp://h:1/s;tcp', 'a=file-selector:size:-1'],
      9,
      'size must be a number',
    ],
    [
      ['a=accept-types:text/plain', 'a=path:msrp://h:1/s;tcp', 'a=file-transfer-id:abc'],
      9,
      'without a=file-selector',
    ],
    [
      [
        'a=accept-types:text/plain',
        'a=path:msrp://h:1/s;tcp',
        'a=file-selector:',
        'a=file-range:9-3',
      ],
      10,
      'Invalid file-range "9-3"',
    ],
    [
      [
        'a=accept-types:text/plain',
        'a=path:msrp://h:1/s;tcp',
        'a=file-selector:',
        'a=file-date:yesterday',
      ],
      10,
      'Invalid file-date',
    ],
    [
      [
        'a=accept-types:text/plain',
        'a=path:msrp://h:1/s;tcp',
        'a=file-selector:',
        'a=file-transfer-id:a b',
      ],
      10,
      'expected a token',
    ],
    [
      ['c=IN IP4', 'a=accept-types:text/plain', 'a=path:msrp://h:1/s;tcp'],
      7,
      'expected c=<nettype>',
    ],
  ])('names the offending line: %j', (attributes, line, message) => {
    const e = error(withAttributes(...attributes));
    expect(e.code).toBe('SDP_ERR_BAD_ATTRIBUTE');
    expect(e.line).toBe(line);
    expect(e.message).toMatch(new RegExp(`^line ${line} \\(`));
    expect(e.message).toContain(message);
  });
});

describe('formatMsrpMedia', () => {
  it('writes what parseMsrpMedia reads, for every fixture kind', () => {
    for (const lines of [
      RFC4975_WRAPPED,
      RELAYED_OFFER,
      RFC5547_PUSH,
      TLS_CEMA_OFFER,
      IPV6_OFFER,
      WSS_OFFER,
    ]) {
      const parsed = media(lines);
      const init: Omit<MsrpMedia, 'index'> = parsed;
      const written = parseSdp(crlf(['v=0', 's=-', 't=0 0']));
      const again = findMsrpMedia({ ...written, media: [{ lines: formatMsrpMedia(init) }] });
      // Updated for issue 10: a TCP/WSS/MSRP read is written TCP/TLS/MSRP (RFC 7977 §5.2.2).
      const proto = canonicalProto(parsed.proto);
      expect({ ...again, connection: parsed.connection }).toEqual({ ...parsed, proto });
    }
  });

  it('writes a rejected stream as its m= line alone', () => {
    const lines = formatMsrpMedia({ ...media(RFC4975_OFFER), port: 0 });
    expect(lines.map((l) => `${l.type}=${l.value}`)).toEqual(['m=message 0 TCP/MSRP *']);
  });

  it('refuses values it cannot write', () => {
    const base = media(RFC4975_OFFER);
    expect(() => formatMsrpMedia({ ...base, acceptTypes: [] })).toThrow(
      'acceptTypes must name at least one type',
    );
    // Left out from JavaScript (createOffer({ localUri }) alone): not a TypeError from inside.
    const withoutTypes = { ...base, acceptTypes: undefined } as unknown as typeof base;
    expect(() => formatMsrpMedia(withoutTypes)).toThrow('acceptTypes must name at least one type');
    expect(() => formatMsrpMedia({ ...base, acceptTypes: ['text'] })).toThrow('"text" is not *');
    expect(() => formatMsrpMedia({ ...base, path: [] })).toThrow('The path is empty');
    expect(() => formatMsrpMedia({ ...base, maxSize: -1 })).toThrow('Invalid maxSize -1');
    expect(() => formatMsrpMedia({ ...base, file: { selector: {}, transferId: 'a b' } })).toThrow(
      'Invalid file-transfer-id "a b"',
    );
    expect(
      serializeSdp({
        session: [],
        media: [{ lines: formatMsrpMedia(base) }],
        eol: '\n',
        trailer: '',
      }),
    ).toContain('a=path:msrp://atlanta.example.com:7654/jshA7weztas;tcp');
  });
});
