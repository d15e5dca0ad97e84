import { describe, expect, it } from 'vitest';
import { formatUri, MsrpError, parseUri, uriEquals } from '../src/index.js';

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

const eq = (a: string, b: string): boolean => uriEquals(parseUri(a), parseUri(b));

describe('parseUri', () => {
  it('parses an msrp URI with host, port, session-id and transport', () => {
    expect(parseUri('msrp://atlanta.example.com:7654/jshA7weztas;tcp')).toStrictEqual({
      scheme: 'msrp',
      host: 'atlanta.example.com',
      port: 7654,
      sessionId: 'jshA7weztas',
      transport: 'tcp',
      params: [],
    });
  });

  it('parses an msrps URI with userinfo and no port or session-id (a relay URI)', () => {
    expect(parseUri('msrps://alice@intra.example.com;tcp')).toStrictEqual({
      scheme: 'msrps',
      user: 'alice',
      host: 'intra.example.com',
      transport: 'tcp',
      params: [],
    });
  });

  it('keeps percent-encoded userinfo with a password part as written', () => {
    const uri = parseUri('msrp://al%40ice:pw@example.com:2855/s1d2;tcp');
    expect(uri.user).toBe('al%40ice:pw');
    expect(uri.host).toBe('example.com');
  });

  it('reads the scheme case-insensitively and stores it lower-cased', () => {
    expect(parseUri('MSRPS://example.com;tcp').scheme).toBe('msrps');
    expect(parseUri('Msrp://example.com;tcp').scheme).toBe('msrp');
  });

  it('parses an IPv4 host', () => {
    const uri = parseUri('msrp://192.0.2.17:2855/x9y8z7;tcp');
    expect(uri.host).toBe('192.0.2.17');
    expect(uri.port).toBe(2855);
  });

  it('parses IPv6 literals, storing the address without brackets', () => {
    expect(parseUri('msrp://[::1]/abcd;tcp')).toStrictEqual({
      scheme: 'msrp',
      host: '::1',
      sessionId: 'abcd',
      transport: 'tcp',
      params: [],
    });
    const uri = parseUri('msrps://[2001:db8::1]:2855;tcp');
    expect(uri.host).toBe('2001:db8::1');
    expect(uri.port).toBe(2855);
    expect(uri.sessionId).toBeUndefined();
    expect(parseUri('msrp://bob@[2001:db8::7]:9/s;tcp')).toMatchObject({
      user: 'bob',
      host: '2001:db8::7',
      port: 9,
    });
  });

  it('accepts ports 0 and 65535 and leaves the port out when none is written', () => {
    expect(parseUri('msrp://example.com:0/s1;tcp').port).toBe(0);
    expect(parseUri('msrp://example.com:65535/s1;tcp').port).toBe(65535);
    expect(parseUri('msrp://[::1]:65535;tcp').port).toBe(65535);
    expect('port' in parseUri('msrp://example.com/s1;tcp')).toBe(false);
  });

  it('keeps the case of the session-id and accepts "/", "+", "=" and unreserved marks in it', () => {
    expect(parseUri('msrp://h.example.com/AbCdEf;tcp').sessionId).toBe('AbCdEf');
    expect(parseUri('msrp://h.example.com/a/b+c=d;tcp').sessionId).toBe('a/b+c=d');
    expect(parseUri('msrp://h.example.com:1/aB3+/x==;tcp').sessionId).toBe('aB3+/x==');
    expect(parseUri('msrp://h.example.com/a-b.c_d~e;tcp').sessionId).toBe('a-b.c_d~e');
  });

  it('reads the transport: tcp, ws (RFC 7977) and any other alphanumeric token, case kept', () => {
    expect(parseUri('msrp://example.com/s1;tcp').transport).toBe('tcp');
    expect(parseUri('msrps://example.com/s1;ws').transport).toBe('ws');
    expect(parseUri('msrp://example.com/s1;sctp').transport).toBe('sctp');
    expect(parseUri('msrp://example.com/s1;TCP').transport).toBe('TCP');
    expect(parseUri('msrp://example.com/s1;udp6').transport).toBe('udp6');
  });

  it('reads the parameters after the transport in order, with and without value', () => {
    expect(parseUri('msrp://example.com:2855/s1;tcp;a=b;c').params).toStrictEqual([
      { name: 'a', value: 'b' },
      { name: 'c' },
    ]);
    expect(parseUri('msrp://example.com/s1;ws;foo=Bar-1.2;x;y=z').params).toStrictEqual([
      { name: 'foo', value: 'Bar-1.2' },
      { name: 'x' },
      { name: 'y', value: 'z' },
    ]);
  });
});

describe('formatUri', () => {
  const valid = [
    'msrp://atlanta.example.com:7654/jshA7weztas;tcp',
    'msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp',
    'msrps://alice@intra.example.com;tcp',
    'msrps://alice.example.com:9892/98cjs;tcp',
    'msrps://relay.example.com:2855/hjdhfsjkh;tcp',
    'msrp://192.0.2.1:2855/iau39soe2843z;tcp',
    'msrp://[::1]:2855/s3ss10n;tcp',
    'msrp://[2001:db8::1]:2855;tcp',
    'msrp://[2001:DB8::A]/AbC;tcp',
    'msrp://user%40x:pw@host.example.com:1/sid;tcp;a=b;c',
    'msrp://example.com:0/a/b+c=;ws',
    'msrp://example.com:65535/x;ws;transport-extra',
    'msrps://Host.Example.COM/MiXeD;TCP',
    'msrp://ex%41mple.com/s1;sctp',
    'msrp://h/s;tcp',
  ];

  it.each(valid)('gives back the text it was parsed from: %s', (text) => {
    expect(formatUri(parseUri(text))).toBe(text);
  });

  it('brackets an IPv6 host and writes every part', () => {
    expect(
      formatUri({
        scheme: 'msrps',
        user: 'bob',
        host: '2001:db8::2',
        port: 2855,
        sessionId: 'abc/def',
        transport: 'ws',
        params: [{ name: 'k', value: 'v' }, { name: 'flag' }],
      }),
    ).toBe('msrps://bob@[2001:db8::2]:2855/abc/def;ws;k=v;flag');
  });

  it('writes port 0', () => {
    expect(
      formatUri({ scheme: 'msrp', host: 'h.example', port: 0, transport: 'tcp', params: [] }),
    ).toBe('msrp://h.example:0;tcp');
  });
});

describe('uriEquals (RFC 4975 §6.1)', () => {
  it('is true for identical URIs', () => {
    expect(eq('msrp://example.com:2855/s1;tcp', 'msrp://example.com:2855/s1;tcp')).toBe(true);
  });

  it('compares the scheme case-insensitively, and msrp never equals msrps', () => {
    expect(eq('MSRP://example.com:2855/s1;tcp', 'msrp://example.com:2855/s1;tcp')).toBe(true);
    expect(eq('msrps://example.com:2855/s1;tcp', 'msrp://example.com:2855/s1;tcp')).toBe(false);
  });

  it('compares host names case-insensitively', () => {
    expect(eq('msrp://EXAMPLE.Com:2855/s1;tcp', 'msrp://example.com:2855/s1;tcp')).toBe(true);
    expect(eq('msrp://example.org:2855/s1;tcp', 'msrp://example.com:2855/s1;tcp')).toBe(false);
  });

  it('compares IPv6 addresses by value', () => {
    expect(eq('msrp://[::1]:2855/s1;tcp', 'msrp://[0:0::1]:2855/s1;tcp')).toBe(true);
    expect(eq('msrp://[::1]:2855/s1;tcp', 'msrp://[0:0:0:0:0:0:0:1]:2855/s1;tcp')).toBe(true);
    expect(eq('msrp://[2001:DB8::1]/s1;tcp', 'msrp://[2001:db8:0:0::1]/s1;tcp')).toBe(true);
    expect(eq('msrp://[::1]:2855/s1;tcp', 'msrp://[::2]:2855/s1;tcp')).toBe(false);
  });

  it('decodes percent-encoded unreserved characters in the host before comparing', () => {
    expect(eq('msrp://ex%61mple.com/s1;tcp', 'msrp://example.com/s1;tcp')).toBe(true);
    expect(eq('msrp://%45XAMPLE.com/s1;tcp', 'msrp://example.com/s1;tcp')).toBe(true);
    expect(eq('msrp://a%2Db%2ec%7Ed/s1;tcp', 'msrp://a-b.c~d/s1;tcp')).toBe(true);
    expect(eq('msrp://ex%62mple.com/s1;tcp', 'msrp://example.com/s1;tcp')).toBe(false);
  });

  it('compares a percent-encoded reserved character in the host without decoding it', () => {
    // "%2C" is ",": not unreserved, so it stays encoded, and the hex case does not matter.
    expect(eq('msrp://a%2Cb/s1;tcp', 'msrp://a%2cb/s1;tcp')).toBe(true);
    expect(eq('msrp://a%2Cb/s1;tcp', 'msrp://a,b/s1;tcp')).toBe(false);
  });

  it('ignores userinfo', () => {
    expect(eq('msrp://alice@example.com:2855/s1;tcp', 'msrp://bob@example.com:2855/s1;tcp')).toBe(
      true,
    );
    expect(eq('msrp://alice@example.com:2855/s1;tcp', 'msrp://example.com:2855/s1;tcp')).toBe(true);
  });

  it('never equates an explicit port with an absent one, even the usual 2855', () => {
    expect(eq('msrp://example.com:2855/s1;tcp', 'msrp://example.com/s1;tcp')).toBe(false);
    expect(eq('msrp://example.com/s1;tcp', 'msrp://example.com:2855/s1;tcp')).toBe(false);
    expect(eq('msrp://example.com:2855/s1;tcp', 'msrp://example.com:2856/s1;tcp')).toBe(false);
  });

  it('compares the session-id case-sensitively, and absent never equals present', () => {
    expect(eq('msrp://example.com/abcd;tcp', 'msrp://example.com/ABCD;tcp')).toBe(false);
    expect(eq('msrp://example.com/abcd;tcp', 'msrp://example.com;tcp')).toBe(false);
    expect(eq('msrp://example.com;tcp', 'msrp://example.com;tcp')).toBe(true);
  });

  it('compares the transport case-insensitively; different transports never match', () => {
    expect(eq('msrp://example.com/s1;TCP', 'msrp://example.com/s1;tcp')).toBe(true);
    expect(eq('msrp://example.com/s1;tcp', 'msrp://example.com/s1;ws')).toBe(false);
    expect(eq('msrp://example.com/s1;tcp', 'msrp://example.com/s1;sctp')).toBe(false);
  });

  it('does not let extra URI parameters decide equality', () => {
    expect(eq('msrp://example.com/s1;tcp;a=b', 'msrp://example.com/s1;tcp')).toBe(true);
  });

  it('is symmetric', () => {
    const pairs: [string, string][] = [
      ['msrp://[::1]/s;tcp', 'msrp://[0:0::1]/s;tcp'],
      ['msrp://a@ex%61mple.com:1/s;TCP', 'msrp://EXAMPLE.com:1/s;tcp'],
      ['msrp://example.com:1/s;tcp', 'msrp://example.com/s;tcp'],
    ];
    for (const [a, b] of pairs) expect(eq(a, b)).toBe(eq(b, a));
  });
});

describe('parseUri errors', () => {
  const cases: [problem: string, text: string, message: RegExp][] = [
    ['missing scheme', 'example.com:2855/s1;tcp', /scheme/],
    ['missing scheme separator', 'msrp:example.com:2855/s1;tcp', /scheme/],
    ['http scheme', 'http://example.com:2855/s1;tcp', /scheme must be msrp:\/\/ or msrps:\/\//],
    ['sip scheme', 'sip:alice@example.com', /scheme/],
    ['missing transport', 'msrp://example.com:2855/s1', /missing ";transport"/],
    ['empty transport', 'msrp://example.com:2855/s1;', /invalid transport ""/],
    ['non-alphanumeric transport', 'msrp://example.com/s1;t-c-p', /invalid transport "t-c-p"/],
    ['port 65536', 'msrp://example.com:65536/s1;tcp', /invalid port "65536"/],
    ['six-digit port', 'msrp://example.com:100000/s1;tcp', /invalid port "100000"/],
    ['non-numeric port', 'msrp://example.com:28a5/s1;tcp', /invalid port "28a5"/],
    ['negative port', 'msrp://example.com:-1/s1;tcp', /invalid port "-1"/],
    ['empty port', 'msrp://example.com:/s1;tcp', /invalid port ""/],
    ['bad IPv6 port', 'msrp://[::1]:99999/s1;tcp', /invalid port "99999"/],
    ['empty host', 'msrp://:2855/s1;tcp', /missing host/],
    ['empty authority', 'msrp:///s1;tcp', /missing host/],
    ['empty host after userinfo', 'msrp://alice@/s1;tcp', /missing host/],
    ['bad host character', 'msrp://exa mple.com/s1;tcp', /invalid host "exa mple.com"/],
    ['unterminated IPv6', 'msrp://[::1/s1;tcp', /unterminated IPv6/],
    ['bad IPv6 address', 'msrp://[2001:db8::g]/s1;tcp', /invalid IPv6 address "2001:db8::g"/],
    ['too many IPv6 groups', 'msrp://[1:2:3:4:5:6:7:8:9]/s1;tcp', /invalid IPv6 address/],
    ['garbage after IPv6', 'msrp://[::1]2855/s1;tcp', /unexpected "2855" after IPv6/],
    ['bad session-id char', 'msrp://example.com/ab%20cd;tcp', /invalid session-id "ab%20cd"/],
    ['session-id with "@"', 'msrp://example.com/ab@cd;tcp', /invalid session-id "ab@cd"/],
    ['empty session-id', 'msrp://example.com/;tcp', /invalid session-id ""/],
    ['bad userinfo', 'msrp://al ice@example.com/s1;tcp', /invalid userinfo "al ice"/],
    ['param with empty value', 'msrp://example.com/s1;tcp;a=', /invalid parameter "a="/],
    ['param without name', 'msrp://example.com/s1;tcp;=b', /invalid parameter "=b"/],
    ['param with bad char', 'msrp://example.com/s1;tcp;a="b"', /invalid parameter "a="b""/],
    ['trailing ";"', 'msrp://example.com/s1;tcp;', /invalid parameter ""/],
  ];

  it.each(cases)('%s: %s', (_problem, text, message) => {
    const error = thrown(() => parseUri(text));
    expect(error.code).toBe('MSRP_ERR_BAD_URI');
    expect(error.status).toBe(400);
    expect(error.name).toBe('MsrpError');
    expect(error.message).toContain(text);
    expect(error.message).toMatch(message);
  });
});
