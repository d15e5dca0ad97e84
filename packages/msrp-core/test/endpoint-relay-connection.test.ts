// The connection to our relay: sessions through it send over the connection we authenticated
// on, whatever transport the relay's Use-Path URI names. Kamailio's msrp module answers an
// AUTH over WebSocket with its `;tcp` URI and delivers to us over the WebSocket; a session
// that dialed that URI anew sent on a second connection and refused Kamailio's deliveries
// (506: bound to another connection). Here a fake relay over TCP names a `;ws` URI.
import { describe, expect, it } from 'vitest';
import { Endpoint, formatUri, parseUri, type MsrpUri, type ResponseHead } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { RawServer, type RawRequest } from './helpers/raw-peer.js';
import { cleanups } from './helpers/cleanups.js';

/** A fake relay on TCP: AUTH gets 200 and a Use-Path of another transport, SEND gets 200. */
async function fakeRelay(): Promise<{ server: RawServer; relayUri: MsrpUri; usePath: MsrpUri }> {
  const server = await RawServer.listen({
    onFrame: (frame, peer) => {
      if (frame.head.kind !== 'request') return;
      if (frame.head.method === 'SEND') return peer.respond(frame as RawRequest);
      if (frame.head.method !== 'AUTH') return;
      const response: ResponseHead = {
        kind: 'response',
        transactionId: frame.head.transactionId,
        statusCode: 200,
        toPath: [frame.head.fromPath[0]!],
        fromPath: [frame.head.toPath[0]!],
        usePath: [usePath],
        expires: 3600,
      };
      peer.writeFrame(response);
    },
  });
  cleanups.push(() => server.close());
  const relayUri = server.uri();
  const usePath: MsrpUri = { ...relayUri, sessionId: 'relay1', transport: 'ws' };
  return { server, relayUri, usePath };
}

describe('Endpoint and the connection to its relay', () => {
  it('sends a session through the relay over the AUTH connection when Use-Path names another transport', async () => {
    const { server, relayUri, usePath } = await fakeRelay();
    const e = new Endpoint({ relays: [{ uri: relayUri, username: 'alice', password: 'x' }] });
    cleanups.push(() => e.close());
    expect((await e.authenticate()).map(formatUri)).toEqual([formatUri(usePath)]);
    const relay = await server.peer();

    const alice = e.createSession();
    const bob = parseUri('msrp://127.0.0.1:9/bob;tcp');
    await alice.connect([bob]);
    const bind = await relay.request('SEND');
    expect(bind.head.toPath.map(formatUri)).toEqual([usePath, bob].map(formatUri));
    // The relay delivers to us over that connection, and the session takes it.
    const inbox = alice[Symbol.asyncIterator]();
    relay.sendRequest({ toPath: [alice.localUri], fromPath: [bob], body: 'hello alice' });
    expect((await next(inbox)).text()).toBe('hello alice');
    expect(server.peers).toHaveLength(1);
  });
});
