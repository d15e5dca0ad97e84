import { formatUri, parseUri } from '@msrp-ts/msrp-core';
import { describe, expect, it } from 'vitest';
import {
  createAnswer,
  createOffer,
  findMsrpMedia,
  negotiate,
  parseSdp,
  SdpError,
  type AnswerCapabilities,
  type FileDescription,
  type Negotiation,
  type Rejection,
} from '../src/index.js';
import {
  crlf,
  IPV6_OFFER,
  MIXED_OFFER,
  RCS_CHAT_OFFER,
  RELAYED_OFFER,
  RFC4975_ANSWER,
  RFC4975_OFFER,
  RFC4975_WRAPPED,
  RFC5547_PULL,
  RFC5547_PUSH,
  TLS_CEMA_OFFER,
  WSS_OFFER,
} from './fixtures.js';

/** A version 4 UUID (RFC 9562), what a new file-transfer-id is. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const ALICE = 'msrp://192.0.2.1:7654/alice1;tcp';
const BOB = 'msrp://192.0.2.2:8000/bob1;tcp';
const HASH = '72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E';

function accepted(result: Negotiation | Rejection): Negotiation {
  if (!result.accepted) throw new Error(`rejected: ${result.reason}`);
  return result;
}

function lines(sdp: string): string[] {
  return sdp.split('\r\n');
}

/** What JavaScript callers pass by mistake for SDP, and how the error names it. */
const NOT_SDP = [
  [Buffer.from(crlf(RFC4975_OFFER)), 'bytes (decode them)'],
  [null, 'null'],
  [undefined, 'undefined'],
  [{ sdp: crlf(RFC4975_OFFER) }, 'object'],
].map(([given, name]) => [given as unknown as string, name as string] as const);

describe('createOffer', () => {
  it('writes a chat offer with a=setup:actpass by default', () => {
    const offer = createOffer({
      localUri: ALICE,
      acceptTypes: ['message/cpim', 'text/plain'],
      wrappedTypes: ['text/plain', 'message/imdn+xml'],
      maxSize: 65536,
      sessionId: '2890844526',
    });
    expect(offer).toBe(
      crlf([
        'v=0',
        'o=- 2890844526 0 IN IP4 192.0.2.1',
        's=-',
        'c=IN IP4 192.0.2.1',
        't=0 0',
        'm=message 7654 TCP/MSRP *',
        'a=sendrecv',
        'a=accept-types:message/cpim text/plain',
        'a=accept-wrapped-types:text/plain message/imdn+xml',
        'a=max-size:65536',
        `a=path:${ALICE}`,
        'a=setup:actpass',
        'a=connection:new',
      ]),
    );
    expect(parseSdp(offer).session[1]!.value).toMatch(/^- 2890844526 0 /);
  });

  it('puts relay URIs before ours and takes TLS from the first hop', () => {
    const offer = createOffer({
      localUri: parseUri('msrps://10.0.0.5:2855/me;tcp'),
      relayPath: ['msrps://relay.example.net:2855/r1;tcp'],
      acceptTypes: ['text/plain'],
      fingerprint: 'sha-256 4aadb9b13f82183b540212df3e5d496b19e57cab31189d883750ef35e5f1b0f0',
      setup: null,
      cema: true,
    });
    const media = findMsrpMedia(parseSdp(offer));
    expect(media.proto).toBe('TCP/TLS/MSRP');
    expect(media.port).toBe(2855);
    expect(media.connection?.address).toBe('relay.example.net');
    expect(media.path.map(formatUri)).toEqual([
      'msrps://relay.example.net:2855/r1;tcp',
      'msrps://10.0.0.5:2855/me;tcp',
    ]);
    expect(media.fingerprints).toEqual([
      {
        algorithm: 'SHA-256',
        value:
          '4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:31:18:9D:88:37:50:EF:35:E5:F1:B0:F0',
      },
    ]);
    expect(media.cema).toBe(true);
    // setup: null writes an RFC 4975 offer: neither a=setup nor a=connection.
    expect(offer).not.toMatch(/a=setup|a=connection/);
  });

  // Updated for issue 10: RFC 7977 §5.2.2 keeps `;ws` out of the m-line, which this test
  // used to pin as TCP/WS/MSRP and TCP/WSS/MSRP.
  it('writes IPv6 as IP6, TCP/MSRP or TCP/TLS/MSRP over WebSocket, the address and port asked for', () => {
    const v6 = findMsrpMedia(
      parseSdp(createOffer({ localUri: 'msrp://[2001:db8::7]:2855/v6;tcp', acceptTypes: ['*'] })),
    );
    expect(v6.connection).toEqual({ netType: 'IN', addrType: 'IP6', address: '2001:db8::7' });
    const ws = findMsrpMedia(
      parseSdp(
        createOffer({
          localUri: 'msrp://df7jal23ls0d.invalid/s;ws',
          acceptTypes: ['*'],
          port: 9,
          address: '192.0.2.9',
          setup: 'active',
        }),
      ),
    );
    expect(ws).toMatchObject({
      proto: 'TCP/MSRP',
      port: 9,
      setup: 'active',
      connection: { address: '192.0.2.9' },
    });
    const wss = findMsrpMedia(
      parseSdp(createOffer({ localUri: 'msrps://h.invalid/s;ws', acceptTypes: ['*'] })),
    );
    expect(wss.proto).toBe('TCP/TLS/MSRP');
  });

  it('writes an RFC 5547 push offer: sendonly, the file, a fresh file-transfer-id', () => {
    const offer = createOffer({
      localUri: ALICE,
      acceptTypes: ['message/cpim'],
      wrappedTypes: ['*'],
      title: 'This is my latest picture',
      file: {
        mode: 'push',
        selector: {
          name: 'My "cool" picture.jpg',
          type: 'image/jpeg',
          size: 32349,
          hash: { algorithm: 'sha-1', value: HASH },
        },
        disposition: 'attachment',
        date: { creation: 'Mon, 15 May 2006 15:01:31 +0300' },
        icon: 'cid:id2@alicepc.example.org',
        range: { start: 1, stop: '*' },
      },
    });
    expect(lines(offer)).toContain(
      `a=file-selector:name:"My %22cool%22 picture.jpg" type:image/jpeg size:32349 hash:sha-1:${HASH}`,
    );
    const media = findMsrpMedia(parseSdp(offer));
    expect(media.direction).toBe('sendonly');
    expect(media.title).toBe('This is my latest picture');
    expect(media.file?.transferId).toMatch(UUID);
    expect(media.file).toMatchObject({
      disposition: 'attachment',
      icon: 'cid:id2@alicepc.example.org',
      range: { start: 1, stop: '*' },
    });
    const again = findMsrpMedia(
      parseSdp(
        createOffer({ localUri: ALICE, acceptTypes: ['*'], file: { mode: 'push', selector: {} } }),
      ),
    );
    expect(again.file?.transferId).not.toBe(media.file?.transferId);
  });

  it('writes a pull offer as recvonly with the given file-transfer-id', () => {
    const media = findMsrpMedia(
      parseSdp(
        createOffer({
          localUri: ALICE,
          acceptTypes: ['*'],
          file: { mode: 'pull', selector: { name: 'x.bin' }, transferId: 'xfer1' },
        }),
      ),
    );
    expect(media.direction).toBe('recvonly');
    expect(media.file).toEqual({ selector: { name: 'x.bin' }, transferId: 'xfer1' });
  });

  it('refuses options it cannot write', () => {
    expect(() => createOffer({ localUri: 'http://x/', acceptTypes: ['*'] })).toThrow(
      'localUri: Invalid MSRP URI',
    );
    expect(() => createOffer({ localUri: ALICE, relayPath: ['nope'], acceptTypes: ['*'] })).toThrow(
      'relayPath:',
    );
    expect(() => createOffer({ localUri: ALICE, acceptTypes: [] })).toThrow('at least one type');
    expect(() =>
      createOffer({ localUri: ALICE, acceptTypes: ['*'], fingerprint: 'AB:CD' }),
    ).toThrow('Invalid fingerprint');
    expect(() => createOffer({ localUri: ALICE, acceptTypes: ['*'], sessionId: 'abc' })).toThrow(
      'Invalid o= fields',
    );
    try {
      createOffer({ localUri: ALICE, acceptTypes: ['text'] });
    } catch (e) {
      expect(e).toBeInstanceOf(SdpError);
      expect((e as SdpError).code).toBe('SDP_ERR_INVALID_ARGUMENT');
    }
  });
});

describe('createAnswer', () => {
  const caps: AnswerCapabilities = {
    localUri: BOB,
    acceptTypes: ['text/plain', 'message/cpim'],
    sessionId: '1',
  };

  it('answers the RFC 4975 offer without a=setup: the offerer connects', () => {
    const answer = createAnswer(crlf(RFC4975_OFFER), caps);
    expect(answer).toMatchObject({ accepted: true, mediaIndex: 0 });
    expect(answer.reason).toBeUndefined();
    expect(answer.sdp).toBe(
      crlf([
        'v=0',
        'o=- 1 0 IN IP4 192.0.2.2',
        's=-',
        'c=IN IP4 192.0.2.2',
        't=0 0',
        'm=message 8000 TCP/MSRP *',
        'a=sendrecv',
        'a=accept-types:text/plain',
        `a=path:${BOB}`,
      ]),
    );
    const n = accepted(negotiate(crlf(RFC4975_OFFER), answer.sdp));
    expect(n.active).toBe('offerer');
  });

  it('answers actpass with passive by default and active on request (RFC 6135)', () => {
    const rcsCaps = {
      ...caps,
      acceptTypes: ['message/cpim', 'application/im-iscomposing+xml'],
      wrappedTypes: ['text/plain', 'message/imdn+xml'],
    };
    const passive = createAnswer(crlf(RCS_CHAT_OFFER), rcsCaps);
    expect(lines(passive.sdp)).toEqual(
      expect.arrayContaining([
        'a=setup:passive',
        'a=connection:new',
        'a=accept-wrapped-types:text/plain message/imdn+xml',
      ]),
    );
    const active = createAnswer(crlf(RCS_CHAT_OFFER), { ...rcsCaps, setup: 'active' });
    expect(lines(active.sdp)).toContain('a=setup:active');
    expect(accepted(negotiate(crlf(RCS_CHAT_OFFER), active.sdp)).active).toBe('answerer');
    expect(accepted(negotiate(crlf(RCS_CHAT_OFFER), passive.sdp)).active).toBe('offerer');
  });

  it('answers an active offer passive whatever we prefer, and a holdconn offer holdconn', () => {
    expect(lines(createAnswer(crlf(IPV6_OFFER), { ...caps, setup: 'active' }).sdp)).toContain(
      'a=setup:passive',
    );
    const held = createAnswer(crlf([...RFC4975_OFFER, 'a=setup:holdconn']), caps);
    expect(lines(held.sdp)).toContain('a=setup:holdconn');
    expect(accepted(negotiate(crlf([...RFC4975_OFFER, 'a=setup:holdconn']), held.sdp)).active).toBe(
      'none',
    );
  });

  it('rejects every other media section with port 0, keeping their number (RFC 3264 §6)', () => {
    const answer = createAnswer(crlf(MIXED_OFFER), caps);
    expect(answer.mediaIndex).toBe(1);
    const sdp = parseSdp(answer.sdp);
    expect(sdp.media.map((m) => m.lines[0]!.value)).toEqual([
      'audio 0 RTP/AVP 0 8 97',
      'message 8000 TCP/MSRP *',
    ]);
  });

  it.each<[string, readonly string[], Partial<AnswerCapabilities>, string]>([
    [
      'the types do not meet',
      RFC4975_OFFER,
      { acceptTypes: ['image/*'] },
      'no common accept-types: the offer has text/plain, we accept image/*',
    ],
    [
      'the offer wants TLS and we are TCP',
      RELAYED_OFFER,
      {},
      'the offer asks for TCP/TLS/MSRP but our URI msrp://192.0.2.2:8000/bob1;tcp calls for TCP/MSRP',
    ],
    [
      'the offer disabled the stream',
      ['v=0', 's=-', 't=0 0', 'm=message 0 TCP/MSRP *'],
      {},
      'the offer disabled the stream (port 0)',
    ],
    ['we take no files', RFC5547_PUSH, { acceptFiles: false }, 'we do not accept files'],
    [
      'the file is too big',
      RFC5547_PUSH,
      { maxSize: 1000, wrappedTypes: ['*'] },
      'the file of 32349 octets exceeds our max-size of 1000',
    ],
    [
      'the file type is not agreed',
      RFC5547_PUSH,
      { acceptTypes: ['message/cpim'], wrappedTypes: ['text/plain'] },
      "the file's type image/jpeg is not among the types we accept (message/cpim text/plain)",
    ],
    ['we serve no files', RFC5547_PULL, {}, 'the offer pulls a file and we serve none'],
    [
      'we lack the pulled file',
      RFC5547_PULL,
      { serveFile: () => undefined },
      'we have no file that matches the pull request',
    ],
    [
      // RFC 4975 §8.6: the pulling side takes messages up to its max-size.
      "the pulled file exceeds the offer's max-size",
      [...RFC5547_PULL, 'a=max-size:1000'],
      {
        serveFile: (file: FileDescription) => ({
          ...file,
          selector: { ...file.selector, size: 1001 },
        }),
      },
      "the file of 1001 octets exceeds the offer's max-size of 1000",
    ],
    [
      'a file is offered sendrecv',
      RFC5547_PUSH.filter((l) => l !== 'a=sendonly'),
      {},
      'a file offer must be sendonly (push) or recvonly (pull), not sendrecv',
    ],
  ])('rejects the stream with port 0 when %s, and says why', (_name, offer, extra, reason) => {
    const answer = createAnswer(crlf(offer), { ...caps, ...extra });
    expect(answer.accepted).toBe(false);
    expect(answer.reason).toBe(reason);
    expect(lines(answer.sdp)).toContain(
      `m=message 0 ${findMsrpMedia(parseSdp(crlf(offer))).proto} *`,
    );
    expect(answer.sdp).not.toContain('a=path');
    const n = negotiate(crlf(offer), answer.sdp);
    expect(n.accepted).toBe(false);
  });

  it('takes a pushed file: recvonly, the same file-selector and file-transfer-id (RFC 5547)', () => {
    const answer = createAnswer(crlf(RFC5547_PUSH), {
      ...caps,
      acceptTypes: ['message/cpim'],
      wrappedTypes: ['image/*'],
    });
    const media = findMsrpMedia(parseSdp(answer.sdp));
    const offered = findMsrpMedia(parseSdp(crlf(RFC5547_PUSH)));
    expect(media.direction).toBe('recvonly');
    expect(media.file).toEqual(offered.file);
    expect(media.wrappedTypes).toEqual(['image/*']);
  });

  it('serves a pulled file: sendonly, its full selector, the offer file-transfer-id', () => {
    let asked: unknown;
    const answer = createAnswer(crlf(RFC5547_PULL), {
      ...caps,
      acceptTypes: ['message/cpim'],
      wrappedTypes: ['*'],
      serveFile: (requested) => {
        asked = requested;
        return {
          selector: { ...requested.selector, type: 'image/jpeg', size: 32349 },
          transferId: 'ignored',
        };
      },
    });
    expect(asked).toMatchObject({ selector: { name: 'My cool picture.jpg' } });
    const media = findMsrpMedia(parseSdp(answer.sdp));
    expect(media.direction).toBe('sendonly');
    expect(media.file).toEqual({
      selector: {
        name: 'My cool picture.jpg',
        type: 'image/jpeg',
        size: 32349,
        hash: { algorithm: 'sha-1', value: HASH },
      },
      transferId: 'Aq3fxE39dfRdG3mUpqD3j6Q7',
    });
  });

  it('answers CEMA only when we support it, and mirrors a=connection', () => {
    const tlsCaps = {
      ...caps,
      localUri: 'msrps://192.0.2.2:8000/bob1;tcp',
      acceptTypes: ['text/plain'],
    };
    expect(createAnswer(crlf(TLS_CEMA_OFFER), tlsCaps).sdp).not.toContain('a=msrp-cema');
    const withCema = createAnswer(crlf(TLS_CEMA_OFFER), {
      ...tlsCaps,
      cema: true,
      fingerprint: 'SHA-256 01:02',
    });
    expect(lines(withCema.sdp)).toEqual(
      expect.arrayContaining(['a=msrp-cema', 'a=connection:new', 'a=fingerprint:SHA-256 01:02']),
    );
    const existing = createAnswer(
      crlf([...RFC4975_OFFER, 'a=setup:actpass', 'a=connection:existing']),
      caps,
    );
    expect(lines(existing.sdp)).toContain('a=connection:existing');
  });

  it('throws for an offer without MSRP media or with a malformed line', () => {
    expect(() => createAnswer(crlf(MIXED_OFFER.slice(0, 12)), caps)).toThrow(/No MSRP media/);
    expect(() => createAnswer(crlf([...RFC4975_OFFER, 'a=max-size:-1']), caps)).toThrow(
      'line 9 (a=max-size:-1)',
    );
  });

  // As parseSdp and extractSdp do: a Buffer straight from a SIP stack, or null, gets a clear
  // SdpError, not a TypeError from inside.
  it('refuses an offer that is neither text nor a SessionDescription', () => {
    for (const [given, name] of NOT_SDP) {
      expect(() => createAnswer(given, caps)).toThrow(
        expect.objectContaining({
          code: 'SDP_ERR_INVALID_ARGUMENT',
          message: `createAnswer takes SDP text or a SessionDescription, not ${name}`,
        }),
      );
    }
  });
});

describe('negotiate', () => {
  it('gives each side its paths, who connects and where, for the RFC 4975 example', () => {
    const n = accepted(negotiate(crlf(RFC4975_OFFER), crlf(RFC4975_ANSWER)));
    expect(n).toMatchObject({
      mediaIndex: 0,
      proto: 'TCP/MSRP',
      active: 'offerer',
      acceptTypes: ['text/plain'],
      wrappedTypes: [],
      cema: false,
    });
    expect(n.file).toBeUndefined();
    expect(formatUri(n.offerer.localUri)).toBe('msrp://atlanta.example.com:7654/jshA7weztas;tcp');
    expect(n.offerer.remotePath.map(formatUri)).toEqual([
      'msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp',
    ]);
    expect(n.offerer).toMatchObject({
      connects: true,
      connectTo: { host: 'biloxi.example.com', port: 12763 },
      direction: 'sendrecv',
      sends: true,
      receives: true,
    });
    expect(n.answerer.connects).toBe(false);
    expect(n.answerer.connectTo).toBeUndefined();
    expect(n.answerer.remotePath.map(formatUri)).toEqual([
      'msrp://atlanta.example.com:7654/jshA7weztas;tcp',
    ]);
  });

  it('keeps relays in the paths: the local path is relays then us, the remote the peer path', () => {
    const offer = createOffer({
      localUri: 'msrps://10.0.0.5:2855/me;tcp',
      relayPath: ['msrps://relay.a.example:2855/ra;tcp'],
      acceptTypes: ['text/plain'],
    });
    const answer = createAnswer(offer, {
      localUri: 'msrps://bob.example.com:1234/9di4ea;tcp',
      relayPath: ['msrps://relay.example.net:2855/asdf;tcp'],
      acceptTypes: ['*'],
    });
    const n = accepted(negotiate(offer, answer.sdp));
    expect(n.offerer.localPath.map(formatUri)).toEqual([
      'msrps://relay.a.example:2855/ra;tcp',
      'msrps://10.0.0.5:2855/me;tcp',
    ]);
    expect(formatUri(n.offerer.localUri)).toBe('msrps://10.0.0.5:2855/me;tcp');
    expect(n.offerer.remotePath.map(formatUri)).toEqual([
      'msrps://relay.example.net:2855/asdf;tcp',
      'msrps://bob.example.com:1234/9di4ea;tcp',
    ]);
    expect(n.offerer.connectTo).toEqual({ host: 'relay.example.net', port: 2855 });
    expect(n.answerer.remotePath).toEqual(n.offerer.localPath);
  });

  it('agrees on types with wildcards and wrapped types only inside an agreed container', () => {
    const offer = crlf([
      'v=0',
      's=-',
      't=0 0',
      'm=message 1 TCP/MSRP *',
      'a=accept-types:message/cpim text/*',
      'a=accept-wrapped-types:image/* text/plain',
      `a=path:${ALICE}`,
    ]);
    const answer = crlf([
      'v=0',
      's=-',
      't=0 0',
      'm=message 2 TCP/MSRP *',
      'a=accept-types:* ',
      'a=accept-wrapped-types:image/png',
      `a=path:${BOB}`,
    ]);
    const n = accepted(negotiate(offer, answer));
    expect(n.acceptTypes).toEqual(['message/cpim', 'text/*']);
    expect(n.wrappedTypes).toEqual(['image/png']);
    const noContainer = accepted(negotiate(offer.replace('message/cpim ', ''), answer));
    expect(noContainer.wrappedTypes).toEqual([]);
    // The answer's `*` widens its outer types only: an offer of CPIM that lists no wrapped
    // types takes none inside it, and the answer lists only image/png.
    const cpimOnly = offer
      .replace('message/cpim text/*', 'message/cpim')
      .replace('a=accept-wrapped-types:image/* text/plain\r\n', '');
    const bare = accepted(negotiate(cpimOnly, answer));
    expect([bare.acceptTypes, bare.wrappedTypes]).toEqual([['message/cpim'], []]);
  });

  it('hands over both max sizes and the peer fingerprint', () => {
    const offer = createOffer({
      localUri: 'msrps://192.0.2.1:7654/a;tcp',
      acceptTypes: ['*'],
      maxSize: 1000,
      fingerprint: 'SHA-1 AA:BB',
    });
    const answer = createAnswer(offer, {
      localUri: 'msrps://192.0.2.2:8000/b;tcp',
      acceptTypes: ['*'],
      maxSize: 2000,
      fingerprint: 'SHA-256 01:02:03',
    });
    const n = accepted(negotiate(offer, answer.sdp));
    expect(n.offerer).toMatchObject({
      maxSize: 1000,
      remoteMaxSize: 2000,
      remoteFingerprint: 'SHA-256 01:02:03',
    });
    expect(n.answerer).toMatchObject({
      maxSize: 2000,
      remoteMaxSize: 1000,
      remoteFingerprint: 'SHA-1 AA:BB',
    });
  });

  it('applies CEMA only when both sides say so, and then connects to c=/m= (RFC 6714)', () => {
    const tlsCaps: AnswerCapabilities = {
      localUri: 'msrps://192.0.2.2:8000/bob1;tcp',
      acceptTypes: ['text/plain'],
      setup: 'active',
    };
    const withCema = accepted(
      negotiate(
        crlf(TLS_CEMA_OFFER),
        createAnswer(crlf(TLS_CEMA_OFFER), { ...tlsCaps, cema: true }).sdp,
      ),
    );
    expect(withCema.cema).toBe(true);
    expect(withCema.active).toBe('answerer');
    expect(withCema.answerer.connectTo).toEqual({ host: '198.51.100.10', port: 10001 });
    expect(withCema.answerer.remoteFingerprint).toMatch(/^SHA-256 4A:AD/);
    const without = accepted(
      negotiate(crlf(TLS_CEMA_OFFER), createAnswer(crlf(TLS_CEMA_OFFER), tlsCaps).sdp),
    );
    expect(without.cema).toBe(false);
    expect(without.answerer.connectTo).toEqual({ host: '10.0.0.2', port: 2855 });
  });

  it('describes a push: the offerer sends, sendonly/recvonly, the hash to check', () => {
    const answer = createAnswer(crlf(RFC5547_PUSH), {
      localUri: BOB,
      acceptTypes: ['message/cpim'],
      wrappedTypes: ['*'],
    });
    const n = accepted(negotiate(crlf(RFC5547_PUSH), answer.sdp));
    expect(n.file).toMatchObject({
      mode: 'push',
      sender: 'offerer',
      expectedHash: `sha-1:${HASH}`,
    });
    expect(n.file?.description.selector.name).toBe('My cool picture.jpg');
    expect(n.offerer).toMatchObject({ direction: 'sendonly', sends: true, receives: false });
    expect(n.answerer).toMatchObject({ direction: 'recvonly', sends: false, receives: true });
  });

  // RFC 5547 §8.2.1: the answer that takes a pushed file repeats the offer's file-transfer-id;
  // one with another id, or none, has not agreed to this transfer.
  it('refuses the answer to a push that does not repeat its file-transfer-id', () => {
    const answer = lines(
      createAnswer(crlf(RFC5547_PUSH), { localUri: BOB, acceptTypes: ['*'] }).sdp,
    );
    const id = 'a=file-transfer-id:vBnG916bdberum2fFEABR1FR3ExZMUrd';
    expect(answer).toContain(id);
    const other = answer.map((l) => (l === id ? 'a=file-transfer-id:other1' : l)).join('\r\n');
    expect(negotiate(crlf(RFC5547_PUSH), other)).toEqual({
      accepted: false,
      mediaIndex: 0,
      reason:
        'the answer did not repeat the file-transfer-id vBnG916bdberum2fFEABR1FR3ExZMUrd (it has other1)',
    });
    const none = answer.filter((l) => l !== id).join('\r\n');
    expect(negotiate(crlf(RFC5547_PUSH), none)).toMatchObject({
      accepted: false,
      reason:
        'the answer did not repeat the file-transfer-id vBnG916bdberum2fFEABR1FR3ExZMUrd (it has none)',
    });
    // An offer without one asks for nothing to be repeated.
    const bare = RFC5547_PUSH.filter((l) => !l.startsWith('a=file-transfer-id'));
    expect(negotiate(crlf(bare), none).accepted).toBe(true);
  });

  // RFC 3264 §6.1: a sendrecv offer may be answered sendonly, recvonly or inactive, and the
  // answer's direction limits the flow: a side sends only what the other receives, and with
  // inactive on either side nothing flows.
  it.each([
    ['sendrecv', { sends: true, receives: true }, { sends: true, receives: true }],
    ['sendonly', { sends: false, receives: true }, { sends: true, receives: false }],
    ['recvonly', { sends: true, receives: false }, { sends: false, receives: true }],
    ['inactive', { sends: false, receives: false }, { sends: false, receives: false }],
  ] as const)('limits a sendrecv offer answered %s to the flow both allow', (dir, off, ans) => {
    const n = accepted(negotiate(crlf(RFC4975_OFFER), crlf([...RFC4975_ANSWER, `a=${dir}`])));
    expect(n.offerer).toMatchObject({ direction: 'sendrecv', ...off });
    expect(n.answerer).toMatchObject({ direction: dir, ...ans });
  });

  it('agrees on the receiver types for a one-way stream, and gives each side its own', () => {
    // The offerer of a push takes only CPIM; what flows is an image to an answerer taking image/*.
    const answer = createAnswer(crlf(RFC5547_PUSH), {
      localUri: BOB,
      acceptTypes: ['image/*', 'text/plain'],
    });
    expect(answer.accepted).toBe(true);
    expect(lines(answer.sdp)).toContain('a=accept-types:image/* text/plain');
    const n = accepted(negotiate(crlf(RFC5547_PUSH), answer.sdp));
    expect(n.acceptTypes).toEqual(['image/*', 'text/plain']);
    expect(n.wrappedTypes).toEqual([]);
    expect(n.offerer.acceptTypes).toEqual(['message/cpim']);
    expect(n.offerer.wrappedTypes).toEqual(['*']);
    expect(n.answerer.acceptTypes).toEqual(['image/*', 'text/plain']);
    // A two-way stream agrees on both sides' types instead.
    const chat = accepted(
      negotiate(
        crlf(RFC4975_WRAPPED),
        createAnswer(crlf(RFC4975_WRAPPED), {
          localUri: BOB,
          acceptTypes: ['message/cpim', 'text/*'],
          wrappedTypes: ['image/png'],
        }).sdp,
      ),
    );
    expect(chat.acceptTypes).toEqual(['message/cpim', 'text/plain', 'text/html']);
    expect(chat.wrappedTypes).toEqual(['image/png']);
  });

  it('refuses to serve a pulled file of a type the offer does not take', () => {
    const answer = createAnswer(
      crlf(
        RFC5547_PULL.map((l) =>
          l.replace('a=accept-wrapped-types:*', 'a=accept-wrapped-types:text/plain'),
        ),
      ),
      {
        localUri: BOB,
        acceptTypes: ['*'],
        serveFile: (r) => ({ selector: { ...r.selector, type: 'image/jpeg' } }),
      },
    );
    expect(answer).toMatchObject({
      accepted: false,
      reason:
        "the offer does not accept the file's type image/jpeg (it accepts message/cpim text/plain)",
    });
  });

  it('describes a pull: the answerer sends the file its answer describes', () => {
    const answer = createAnswer(crlf(RFC5547_PULL), {
      localUri: BOB,
      acceptTypes: ['*'],
      serveFile: (r) => ({ selector: { ...r.selector, size: 32349, type: 'image/jpeg' } }),
    });
    const n = accepted(negotiate(crlf(RFC5547_PULL), answer.sdp));
    expect(n.file).toMatchObject({
      mode: 'pull',
      sender: 'answerer',
      expectedHash: `sha-1:${HASH}`,
    });
    expect(n.file?.description.selector.size).toBe(32349);
    expect(n.answerer.sends).toBe(true);
  });

  it('reports a rejection, or terms that do not agree, as a Rejection with a reason', () => {
    expect(
      negotiate(crlf(RFC4975_OFFER), crlf(['v=0', 's=-', 't=0 0', 'm=message 0 TCP/MSRP *'])),
    ).toEqual({
      accepted: false,
      mediaIndex: 0,
      reason: 'the answer rejected the stream (port 0)',
    });
    const html = crlf(RFC4975_ANSWER.map((l) => l.replace('text/plain', 'text/html')));
    expect(negotiate(crlf(RFC4975_OFFER), html)).toMatchObject({
      accepted: false,
      reason: 'no common accept-types: the offer has text/plain, the answer text/html',
    });
    const tls = crlf(RFC4975_ANSWER.map((l) => l.replace('TCP/MSRP', 'TCP/TLS/MSRP')));
    expect(negotiate(crlf(RFC4975_OFFER), tls)).toMatchObject({
      accepted: false,
      reason: 'the offer uses TCP/MSRP, the answer TCP/TLS/MSRP',
    });
  });

  it('throws when the answer has no MSRP media where the offer has it', () => {
    const answer = crlf([
      'v=0',
      's=-',
      't=0 0',
      'm=audio 0 RTP/AVP 0',
      'm=message 1 TCP/MSRP *',
      'a=accept-types:*',
      `a=path:${BOB}`,
    ]);
    expect(() => negotiate(crlf(RFC4975_OFFER), answer)).toThrow(
      'The answer has no MSRP media at position 1',
    );
    expect(() => negotiate(crlf(MIXED_OFFER.slice(0, 12)), answer)).toThrow(
      'The offer has no MSRP media',
    );
  });

  it('refuses an offer or answer that is neither text nor a SessionDescription', () => {
    const offer = crlf(RFC4975_OFFER);
    const answer = crlf(RFC4975_ANSWER);
    for (const [given, name] of NOT_SDP) {
      for (const call of [() => negotiate(given, answer), () => negotiate(offer, given)]) {
        expect(call).toThrow(
          expect.objectContaining({
            code: 'SDP_ERR_INVALID_ARGUMENT',
            message: `negotiate takes SDP text or a SessionDescription, not ${name}`,
          }),
        );
      }
    }
  });

  it('works on parsed descriptions as well as text, and on WebSocket media', () => {
    const answer = createAnswer(parseSdp(crlf(WSS_OFFER)), {
      localUri: 'msrps://192.0.2.2:443/b;ws',
      acceptTypes: ['text/plain'],
    });
    const n = accepted(negotiate(parseSdp(crlf(WSS_OFFER)), parseSdp(answer.sdp)));
    // Updated for issue 10: the offer's TCP/WSS/MSRP is answered and agreed as TCP/TLS/MSRP.
    expect(lines(answer.sdp)).toContain('m=message 443 TCP/TLS/MSRP *');
    expect(n.proto).toBe('TCP/TLS/MSRP');
    // RFC 7977: the WebSocket client is active; our answer to its a=setup:active is passive.
    expect(n.active).toBe('offerer');
    expect(lines(answer.sdp)).toContain('a=setup:passive');
  });
});
