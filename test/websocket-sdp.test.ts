// RFC 7977 §5.2.2 end to end: an endpoint behind our relay over WebSocket offers SDP whose
// m-line stays TCP/MSRP and whose a=path is the relay's Use-Path then its own .invalid ;ws
// URI; a TCP client answers, and the session connects as negotiated, through the relay.
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint, formatUri, type MsrpUri, type Session } from '@msrp-ts/msrp-core';
import { Relay, StaticCredentialStore } from '@msrp-ts/msrp-relay';
import { createAnswer, createOffer, findMsrpMedia, negotiate, parseSdp } from '@msrp-ts/sdp-msrp';

const USERS = [
  { username: 'alice', password: 'alice-secret' },
  { username: 'bob', password: 'bob-secret' },
];
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function client(username: string, relay: MsrpUri): Promise<Endpoint> {
  const password = USERS.find((u) => u.username === username)!.password;
  const endpoint = new Endpoint({ relays: [{ uri: relay, username, password }] });
  cleanups.push(() => endpoint.close());
  await endpoint.authenticate();
  return endpoint;
}

/** Our SDP for `session`: its relays in relayPath, its own URI last. */
function sdpOf(session: Session): { localUri: MsrpUri; relayPath: MsrpUri[] } {
  return { localUri: session.localUri, relayPath: session.localPath.slice(0, -1) };
}

describe('SDP of a WebSocket client behind the relay (RFC 7977 §5.2.2)', () => {
  it('offers TCP/MSRP with the relay then the .invalid ;ws URI in a=path, and chats as negotiated', async () => {
    const relay = new Relay({ credentials: new StaticCredentialStore(USERS) });
    cleanups.push(() => relay.close(1000));
    const ws = await relay.listen({ host: '127.0.0.1', port: 0, transport: 'ws' });
    const tcp = await relay.listen({ host: '127.0.0.1', port: 0 });
    const alice = await client('alice', ws);
    const bob = await client('bob', tcp);

    const aliceSession = alice.createSession();
    const offer = createOffer({ ...sdpOf(aliceSession), acceptTypes: ['text/plain'] });
    const media = findMsrpMedia(parseSdp(offer));
    expect(media.proto).toBe('TCP/MSRP');
    expect(offer).not.toMatch(/TCP\/WS/);
    const path = media.path.map(formatUri);
    expect(path).toEqual(aliceSession.localPath.map(formatUri));
    expect(path).toHaveLength(2);
    expect(path[0]).toMatch(/^msrp:\/\/127\.0\.0\.1:\d+\/[^;]+;ws$/);
    expect(path[1]).toMatch(/^msrp:\/\/[^/]+\.invalid:2855\/[^;]+;ws$/);

    const bobSession = bob.createSession();
    const answer = createAnswer(offer, { ...sdpOf(bobSession), acceptTypes: ['text/plain'] });
    expect(answer.accepted).toBe(true);
    if (!answer.accepted) return;
    const agreed = negotiate(offer, answer.sdp);
    expect(agreed.accepted).toBe(true);
    if (!agreed.accepted) return;
    // The offerer connects (RFC 4975 §5.4): through its relay, never to an .invalid host.
    expect(agreed.offerer.connects).toBe(true);
    bobSession.accept(agreed.answerer.remotePath);
    await aliceSession.connect(agreed.offerer.remotePath);
    const bobInbox = bobSession[Symbol.asyncIterator]();
    const aliceInbox = aliceSession[Symbol.asyncIterator]();
    await aliceSession.send('over a WebSocket');
    expect((await bobInbox.next()).value?.text()).toBe('over a WebSocket');
    await bobSession.send('over TCP');
    expect((await aliceInbox.next()).value?.text()).toBe('over TCP');
    expect(relay.stats.connectionsByTransport.get('ws')).toBe(1);
  });
});
