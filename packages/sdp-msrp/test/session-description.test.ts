import { describe, expect, it } from 'vitest';
import { parseMediaLine, parseSdp, SdpError, sdpAttributes, serializeSdp } from '../src/index.js';
import { ALL_FIXTURES, crlf, MIXED_OFFER } from './fixtures.js';

function caught(f: () => unknown): SdpError {
  try {
    f();
  } catch (e) {
    if (e instanceof SdpError) return e;
    throw e;
  }
  throw new Error('expected an SdpError');
}

describe('parseSdp / serializeSdp', () => {
  for (const [name, lines] of Object.entries(ALL_FIXTURES)) {
    it(`round-trips ${name} with CRLF, LF and without a final line end`, () => {
      for (const text of [crlf(lines), `${lines.join('\n')}\n`, lines.join('\r\n')]) {
        expect(serializeSdp(parseSdp(text))).toBe(text);
      }
    });
  }

  it('keeps session and media lines apart, in order, unknown ones included', () => {
    const sdp = parseSdp(crlf(MIXED_OFFER));
    expect(sdp.eol).toBe('\r\n');
    expect(sdp.trailer).toBe('\r\n');
    expect(sdp.session.map((l) => `${l.type}=${l.value}`)).toEqual(MIXED_OFFER.slice(0, 9));
    expect(sdp.media).toHaveLength(2);
    expect(sdp.media[1]!.lines.map((l) => l.line)).toEqual([13, 14, 15, 16, 17]);
    const attributes = sdpAttributes(sdp.media[1]!.lines);
    expect(attributes.map((a) => [a.name, a.value])).toEqual([
      ['x-custom', 'keep me'],
      ['accept-types', 'text/plain'],
      ['path', 'msrp://100.3.6.6:2855/chat42;tcp'],
      ['x-custom', 'and me, in order'],
    ]);
    expect(sdpAttributes(sdp.session).map((a) => a.name)).toEqual(['x-vendor-flag', 'sendrecv']);
    expect(sdpAttributes(sdp.session)[0]!.value).toBeUndefined();
  });

  it('keeps trailing empty lines (a SIP body often ends with one) as the trailer', () => {
    const text = `${crlf(['v=0', 's=-'])}\r\n`;
    const sdp = parseSdp(text);
    expect(sdp.trailer).toBe('\r\n\r\n');
    expect(serializeSdp(sdp)).toBe(text);
  });

  // RFC 8866 §5 has no empty lines, so a run of them is refused at its first line. The run is
  // long enough (160 KB) that a quadratic trailer scan took over 10 s; the 5 s timeout fails
  // such a scan without asserting a timing that a busy machine could miss.
  it('refuses a long run of empty lines in time linear in it', { timeout: 5_000 }, () => {
    const e = caught(() => parseSdp(`v=0\r\n${'\r\n'.repeat(80_000)}s=-\r\n`));
    expect(e.code).toBe('SDP_ERR_SYNTAX');
    expect(e.line).toBe(2);
    expect(parseSdp(`v=0\r\ns=-${'\r\n'.repeat(80_000)}`).trailer).toHaveLength(160_000);
    expect(parseSdp('v=0\ns=-\n\r\n\n').trailer).toBe('\n\r\n\n');
  });

  it('names the first line that is not <type>=<value>', () => {
    const e = caught(() => parseSdp(crlf(['v=0', 's=-', 'a = path', 't=0 0'])));
    expect(e.code).toBe('SDP_ERR_SYNTAX');
    expect(e.line).toBe(3);
    expect(e.text).toBe('a = path');
    expect(e.message).toBe('line 3 (a = path): not an SDP line of the form <type>=<value>');
    expect(caught(() => parseSdp('v=0\r\n\r\ns=-\r\n')).line).toBe(2);
    expect(caught(() => parseSdp('v=0\r\nS=x\r\n')).line).toBe(2);
  });

  it('rejects text that does not begin with v=0, and empty text', () => {
    const e = caught(() => parseSdp('o=- 1 1 IN IP4 h\r\nv=0\r\n'));
    expect(e.code).toBe('SDP_ERR_SYNTAX');
    expect(e.message).toContain('SDP must begin with v=0');
    expect(caught(() => parseSdp('v=1\r\n')).line).toBe(1);
    expect(caught(() => parseSdp('')).message).toBe('Empty session description');
  });

  it('refuses what is no string with a clear error, not a TypeError from inside', () => {
    for (const [given, name] of [
      [null, 'null'],
      [undefined, 'undefined'],
      [Buffer.from('v=0\r\n'), 'bytes (decode them)'],
    ] as const) {
      const e = caught(() => parseSdp(given as unknown as string));
      expect(e.code).toBe('SDP_ERR_INVALID_ARGUMENT');
      expect(e.message).toBe(`parseSdp takes a string, not ${name}`);
    }
  });
});

describe('parseMediaLine', () => {
  it('reads media, port, port count, proto and formats', () => {
    expect(parseMediaLine({ type: 'm', value: 'message 7654 TCP/MSRP *' })).toEqual({
      media: 'message',
      port: 7654,
      proto: 'TCP/MSRP',
      formats: ['*'],
    });
    expect(parseMediaLine({ type: 'm', value: 'audio 49170/2 RTP/AVP 0 8' })).toEqual({
      media: 'audio',
      port: 49170,
      portCount: 2,
      proto: 'RTP/AVP',
      formats: ['0', '8'],
    });
  });

  it('names the line when a field is missing or the port is not a port', () => {
    const e = caught(() =>
      parseMediaLine({ type: 'm', value: 'message 70000 TCP/MSRP *', line: 6 }),
    );
    expect(e.code).toBe('SDP_ERR_BAD_ATTRIBUTE');
    expect(e.message).toBe('line 6 (m=message 70000 TCP/MSRP *): invalid port "70000"');
    expect(caught(() => parseMediaLine({ type: 'm', value: 'message 7' })).message).toContain(
      'expected m=<media> <port> <proto>',
    );
  });
});
