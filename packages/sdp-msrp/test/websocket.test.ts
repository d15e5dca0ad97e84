// MSRP over WebSocket in SDP (RFC 7977): the m-line keeps TCP/MSRP or TCP/TLS/MSRP, `;ws`
// shows only in a=path, and a client's `.invalid` URI is reached through its relay, never dialled.
import { formatUri } from '@msrp-ts/msrp-core';
import { describe, expect, it } from 'vitest';
import {
  canonicalProto,
  createAnswer,
  createOffer,
  findMsrpMedia,
  formatMsrpMedia,
  negotiate,
  parseSdp,
  serializeSdp,
  SdpError,
  type MsrpProto,
  type Negotiation,
  type Rejection,
} from '../src/index.js';
import {
  crlf,
  LEGACY_WS_OFFER,
  RCS_CHAT_OFFER,
  RFC4975_OFFER,
  WS_RELAYED_OFFER,
  WSS_OFFER,
} from './fixtures.js';

const RELAY_WSS = 'msrps://relay.example.com:443;ws';
const RELAY_WS = 'msrp://relay.example.com:80;ws';
const CLIENT = 'msrp://abc123.invalid:2855/s1;ws';
const BOB = 'msrp://192.0.2.2:8000/bob1;tcp';
const BOB_TLS = 'msrps://192.0.2.2:8001/bob1;tcp';

function accepted(result: Negotiation | Rejection): Negotiation {
  if (!result.accepted) throw new Error(`rejected: ${result.reason}`);
  return result;
}

function mLine(sdp: string): string {
  return sdp.split('\r\n').find((l) => l.startsWith('m='))!;
}

function error(run: () => unknown): SdpError {
  try {
    run();
  } catch (e) {
    if (e instanceof SdpError) return e;
    throw e;
  }
  throw new Error('expected an SdpError');
}

describe('canonicalProto', () => {
  it('reads the WebSocket protos as the RFC 4975 protos of the same security', () => {
    const cases: [MsrpProto, string][] = [
      ['TCP/MSRP', 'TCP/MSRP'],
      ['TCP/WS/MSRP', 'TCP/MSRP'],
      ['TCP/TLS/MSRP', 'TCP/TLS/MSRP'],
      ['TCP/WSS/MSRP', 'TCP/TLS/MSRP'],
    ];
    for (const [proto, canonical] of cases) expect(canonicalProto(proto)).toBe(canonical);
  });
});

describe('parsing WebSocket media', () => {
  it('reads TCP/WS/MSRP and TCP/WSS/MSRP, in any case, with their ;ws paths', () => {
    const legacy = findMsrpMedia(parseSdp(crlf(LEGACY_WS_OFFER)));
    expect(legacy.proto).toBe('TCP/WS/MSRP');
    expect(legacy.path.map(formatUri)).toEqual([RELAY_WS, CLIENT]);
    const lower = WSS_OFFER.map((l) => l.replace('TCP/WSS/MSRP', 'tcp/wss/msrp'));
    expect(findMsrpMedia(parseSdp(crlf(lower))).proto).toBe('TCP/WSS/MSRP');
  });

  it('round-trips the RFC 7977 relay + .invalid path, byte for byte', () => {
    const text = crlf(WS_RELAYED_OFFER);
    expect(serializeSdp(parseSdp(text))).toBe(text);
    const media = findMsrpMedia(parseSdp(text));
    expect(media.proto).toBe('TCP/TLS/MSRP');
    expect(media.path.map(formatUri)).toEqual([RELAY_WSS, CLIENT]);
    expect(media.path.map((u) => u.transport)).toEqual(['ws', 'ws']);
  });

  it('never writes a WebSocket proto back (formatMsrpMedia)', () => {
    const wss = formatMsrpMedia(findMsrpMedia(parseSdp(crlf(WSS_OFFER))));
    expect(wss[0]!.value).toBe('message 9 TCP/TLS/MSRP *');
    const ws = formatMsrpMedia(findMsrpMedia(parseSdp(crlf(LEGACY_WS_OFFER))));
    expect(ws[0]!.value).toBe('message 80 TCP/MSRP *');
  });
});

describe('createOffer over WebSocket (RFC 7977 §5.2.2)', () => {
  it('writes a client behind a wss relay as TCP/TLS/MSRP, the relay then the .invalid URI', () => {
    const offer = createOffer({
      localUri: CLIENT,
      relayPath: [RELAY_WSS],
      acceptTypes: ['text/plain'],
      sessionId: '2890844526',
      sessionVersion: '2890844527',
    });
    // The RFC 7977 example as this package writes it: the fixture, up to o= and line order.
    expect(parseSdp(offer).media[0]!.lines.map((l) => `${l.type}=${l.value}`)).toEqual([
      'm=message 443 TCP/TLS/MSRP *',
      'a=sendrecv',
      'a=accept-types:text/plain',
      `a=path:${RELAY_WSS} ${CLIENT}`,
      'a=setup:actpass',
      'a=connection:new',
    ]);
    expect(offer).toContain('c=IN IP4 relay.example.com\r\n');
    expect(offer).not.toMatch(/TCP\/WSS?\/MSRP/);
  });

  it('writes a client behind a ws relay, or with no relay, as TCP/MSRP', () => {
    const relayed = createOffer({ localUri: CLIENT, relayPath: [RELAY_WS], acceptTypes: ['*'] });
    expect(mLine(relayed)).toBe('m=message 80 TCP/MSRP *');
    const direct = createOffer({ localUri: CLIENT, acceptTypes: ['*'], setup: 'active' });
    expect(mLine(direct)).toBe('m=message 2855 TCP/MSRP *');
    const secure = createOffer({
      localUri: 'msrps://abc123.invalid:2855/s1;ws',
      acceptTypes: ['*'],
      setup: 'active',
    });
    expect(mLine(secure)).toBe('m=message 2855 TCP/TLS/MSRP *');
  });

  it('refuses setup passive when its first hop is .invalid: nobody could connect to it', () => {
    const e = error(() => createOffer({ localUri: CLIENT, acceptTypes: ['*'], setup: 'passive' }));
    expect(e.code).toBe('SDP_ERR_INVALID_ARGUMENT');
    expect(e.message).toContain('abc123.invalid');
    // Behind a relay the first hop is the relay, which takes connections.
    const relayed = createOffer({
      localUri: CLIENT,
      relayPath: [RELAY_WSS],
      acceptTypes: ['*'],
      setup: 'passive',
    });
    expect(findMsrpMedia(parseSdp(relayed)).setup).toBe('passive');
  });
});

describe('createAnswer to WebSocket offers', () => {
  it('answers TCP/WS/MSRP with TCP/MSRP and TCP/WSS/MSRP with TCP/TLS/MSRP', () => {
    const ws = createAnswer(crlf(LEGACY_WS_OFFER), { localUri: BOB, acceptTypes: ['*'] });
    expect(ws.accepted).toBe(true);
    expect(mLine(ws.sdp)).toBe('m=message 8000 TCP/MSRP *');
    expect(accepted(negotiate(crlf(LEGACY_WS_OFFER), ws.sdp)).proto).toBe('TCP/MSRP');
    const wss = createAnswer(crlf(WSS_OFFER), { localUri: BOB_TLS, acceptTypes: ['*'] });
    expect(mLine(wss.sdp)).toBe('m=message 8001 TCP/TLS/MSRP *');
    expect(accepted(negotiate(crlf(WSS_OFFER), wss.sdp)).proto).toBe('TCP/TLS/MSRP');
  });

  it('still refuses a secure WebSocket offer from a plain TCP URI', () => {
    const answer = createAnswer(crlf(WSS_OFFER), { localUri: BOB, acceptTypes: ['*'] });
    expect(answer).toMatchObject({
      accepted: false,
      reason: `the offer asks for TCP/WSS/MSRP but our URI ${BOB} calls for TCP/MSRP`,
    });
    expect(mLine(answer.sdp)).toBe('m=message 0 TCP/WSS/MSRP *');
  });

  it('connects to the relay, never to the .invalid URI behind it, when it is the active side', () => {
    const offer = crlf(WS_RELAYED_OFFER);
    const answer = createAnswer(offer, { localUri: BOB_TLS, acceptTypes: ['*'], setup: 'active' });
    expect(answer.sdp).toContain('a=setup:active');
    const n = accepted(negotiate(offer, answer.sdp));
    expect(n.active).toBe('answerer');
    expect(n.answerer.connectTo).toEqual({ host: 'relay.example.com', port: 443 });
    expect(n.answerer.remotePath.map(formatUri)).toEqual([RELAY_WSS, CLIENT]);
    expect(formatUri(n.offerer.localUri)).toBe(CLIENT);
    expect(n.offerer.localPath.map(formatUri)).toEqual([RELAY_WSS, CLIENT]);
  });

  it('lets a client with no relay connect: actpass is answered passive whatever we prefer', () => {
    const offer = createOffer({ localUri: CLIENT, acceptTypes: ['*'] });
    const answer = createAnswer(offer, { localUri: BOB, acceptTypes: ['*'], setup: 'active' });
    expect(answer.sdp).toContain('a=setup:passive');
    const n = accepted(negotiate(offer, answer.sdp));
    expect(n.active).toBe('offerer');
    expect(n.offerer.connectTo).toEqual({ host: '192.0.2.2', port: 8000 });
    expect(n.answerer.connectTo).toBeUndefined();
  });

  it('rejects an offer that asks us to connect to an .invalid first hop', () => {
    const offer = crlf(WSS_OFFER.map((l) => (l === 'a=setup:active' ? 'a=setup:passive' : l)));
    const answer = createAnswer(offer, { localUri: BOB_TLS, acceptTypes: ['*'] });
    expect(answer.accepted).toBe(false);
    expect(answer.reason).toBe(
      'the offer asks us to connect to msrps://df7jal23ls0d.invalid/2s93i93idj;ws, an .invalid host that cannot be reached',
    );
  });

  it('as a client with no relay, connects itself or refuses an offerer that would dial it', () => {
    const caps = { localUri: CLIENT, acceptTypes: ['*'] } as const;
    const rcs = createAnswer(crlf(RCS_CHAT_OFFER), caps);
    expect(rcs.sdp).toContain('a=setup:active');
    expect(accepted(negotiate(crlf(RCS_CHAT_OFFER), rcs.sdp)).active).toBe('answerer');
    // RFC 4975 without a=setup: the offerer connects, to a host that does not exist.
    const plain = createAnswer(crlf(RFC4975_OFFER), caps);
    expect(plain.accepted).toBe(false);
    expect(plain.reason).toBe(
      `the offerer would connect to our first hop ${CLIENT}, an .invalid host that cannot be reached`,
    );
    // Behind a relay, the offerer connects to the relay.
    const relayed = createAnswer(crlf(RFC4975_OFFER), { ...caps, relayPath: [RELAY_WS] });
    expect(relayed.sdp).toContain(`a=path:${RELAY_WS} ${CLIENT}`);
    const n = accepted(negotiate(crlf(RFC4975_OFFER), relayed.sdp));
    expect(n.offerer.connectTo).toEqual({ host: 'relay.example.com', port: 80 });
  });
});

describe('negotiate toward an .invalid first hop', () => {
  it('rejects the session instead of telling a side to dial an .invalid host', () => {
    // A hand-written answer that makes the answerer connect to the client's own URI.
    const offer = crlf(WSS_OFFER.map((l) => (l === 'a=setup:active' ? 'a=setup:actpass' : l)));
    const answer = crlf([
      'v=0',
      's=-',
      'c=IN IP4 192.0.2.2',
      't=0 0',
      'm=message 8001 TCP/TLS/MSRP *',
      'a=accept-types:*',
      `a=path:${BOB_TLS}`,
      'a=setup:active',
    ]);
    const result = negotiate(offer, answer);
    expect(result).toMatchObject({ accepted: false, mediaIndex: 0 });
    expect((result as Rejection).reason).toContain(
      'msrps://df7jal23ls0d.invalid/2s93i93idj;ws, an .invalid host that cannot be reached',
    );
  });

  it('agrees TCP/WS/MSRP with TCP/MSRP but not with TCP/TLS/MSRP', () => {
    const answer = (proto: string): string =>
      crlf([
        'v=0',
        's=-',
        'c=IN IP4 192.0.2.2',
        't=0 0',
        `m=message 8000 ${proto} *`,
        'a=accept-types:*',
        `a=path:${BOB}`,
        'a=setup:passive',
      ]);
    expect(accepted(negotiate(crlf(LEGACY_WS_OFFER), answer('TCP/MSRP'))).proto).toBe('TCP/MSRP');
    expect(accepted(negotiate(crlf(LEGACY_WS_OFFER), answer('TCP/WS/MSRP'))).proto).toBe(
      'TCP/MSRP',
    );
    expect(negotiate(crlf(LEGACY_WS_OFFER), answer('TCP/TLS/MSRP'))).toMatchObject({
      accepted: false,
      reason: 'the offer uses TCP/WS/MSRP, the answer TCP/TLS/MSRP',
    });
  });
});
