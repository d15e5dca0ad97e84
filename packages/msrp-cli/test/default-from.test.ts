// The URI `msrp send` and `msrp chat` use without --from: nothing listens on our side, so its
// host is a random name under .invalid, as the Endpoint gives unreachable clients (RFC 7977
// §8.1.1), with the peer's scheme.
import { describe, expect, it } from 'vitest';
import { formatUri, parseUri } from '@msrp-ts/msrp-core';
import { defaultFrom } from '../src/send.js';

const INVALID_HOST = /^[0-9a-f]{24}\.invalid$/;

describe('defaultFrom', () => {
  it('is what msrp send and msrp chat use without --from', () => {
    const from = defaultFrom([parseUri('msrps://127.0.0.1:2855/peer;tcp')]);
    expect(from.host).toMatch(INVALID_HOST);
    expect([from.scheme, from.port]).toEqual(['msrps', 2855]);
    expect(parseUri(formatUri(from))).toEqual(from);
  });

  it('has a fresh session-id each time', () => {
    const to = [parseUri('msrp://127.0.0.1:2855/peer;tcp')];
    expect(defaultFrom(to).sessionId).not.toBe(defaultFrom(to).sessionId);
  });

  it("takes the ws transport, and the relay's scheme, behind a relay reached over WebSocket", () => {
    const peer = parseUri('msrp://x.invalid:2855/peer;tcp');
    const relay = parseUri('msrps://relay.example.net:443;ws');
    const account = { uri: relay, username: 'alice', password: 'pw' };
    const from = defaultFrom([peer], [account]);
    expect([from.scheme, from.transport]).toEqual(['msrps', 'ws']);
    expect(from.host).toMatch(INVALID_HOST);
    // Sent straight to a relay's ws URI (the path a listener behind it printed): the same.
    const direct = defaultFrom([parseUri('msrp://127.0.0.1:80/r1;ws'), peer]);
    expect([direct.scheme, direct.transport]).toEqual(['msrp', 'ws']);
    // Over TCP, as before: the peer's scheme.
    expect(
      defaultFrom([peer], [{ ...account, uri: parseUri('msrp://relay:2855;tcp') }]),
    ).toMatchObject({ scheme: 'msrp', transport: 'tcp' });
  });
});
