// Keepalives (EndpointOptions.keepaliveInterval) on real loopback sockets: the side that
// dialed a connection sends a bodiless SEND for one of its sessions whenever the connection
// was silent that long, so that a listener's idleTimeout never cuts a quiet chat; failed
// keepalives are ignored; a connection without sessions (our pinned relay connection) sends none.
import { describe, expect, it } from 'vitest';
import {
  nextEvent,
  Endpoint,
  formatUri,
  parseUri,
  type EndpointOptions,
  type MsrpError,
  type MsrpUri,
  type ResponseHead,
} from '../src/index.js';
import { next } from './helpers/inbox.js';
import { RawServer, type RawFrame, type RawPeer, type RawRequest } from './helpers/raw-peer.js';
import { WireTap } from './helpers/wire-tap.js';
import { cleanups } from './helpers/cleanups.js';

function endpoint(options: EndpointOptions = {}): Endpoint {
  const e = new Endpoint(options);
  cleanups.push(() => e.close());
  return e;
}

async function rawServer(onFrame?: (frame: RawFrame, peer: RawPeer) => void): Promise<RawServer> {
  const server = await RawServer.listen(onFrame ? { onFrame } : { autoRespond: true });
  cleanups.push(() => server.close());
  return server;
}

function isSend(frame: RawFrame): frame is RawRequest {
  return frame.head.kind === 'request' && frame.head.method === 'SEND';
}

/** A listening endpoint with one session waiting, and the peer errors it reports. */
async function listener(idleTimeout: number) {
  const e = endpoint({ idleTimeout });
  const peerErrors: MsrpError[] = [];
  e.on('peerError', (error) => peerErrors.push(error));
  await e.listen({ host: '127.0.0.1', port: 0 });
  const session = e.createSession();
  session.accept();
  return { session, peerErrors };
}

describe('keepaliveInterval', () => {
  it('sends a bodiless SEND without Content-Type for the session after each silence', async () => {
    const server = await rawServer();
    const alice = endpoint({ keepaliveInterval: 50 }).createSession();
    const remote = server.uri();
    await alice.connect([remote]);
    const peer = await server.peer();
    const bind = (await peer.request('SEND')).head;
    const keepalives: RawRequest[] = [];
    for (let i = 0; i < 3; i++) keepalives.push(await peer.request('SEND'));
    for (const { head, body } of keepalives) {
      expect(head.contentType).toBeUndefined();
      expect(body.length).toBe(0);
      expect(head.byteRange).toEqual({ start: 1, end: 0, total: 0 });
      expect(head.toPath.map(formatUri)).toEqual([formatUri(remote)]);
      expect(head.fromPath.map(formatUri)).toEqual([formatUri(alice.localUri)]);
      expect(head.transactionId).not.toBe(bind.transactionId);
    }
    expect(server.peers).toHaveLength(1);
    expect(alice.state).toBe('bound');
  });

  it('keeps a quiet chat across several idle periods of the listener', async () => {
    const { session: bob, peerErrors } = await listener(500);
    const wire = new WireTap();
    const alice = endpoint({ keepaliveInterval: 100, dialers: wire.dialers }).createSession();
    const unbound: string[] = [];
    alice.on('unbound', () => unbound.push('alice'));
    bob.on('unbound', () => unbound.push('bob'));
    const start = performance.now();
    await alice.connect([bob.localUri]);
    // The bind, then 15 keepalives, each after 100 ms of silence: three idle periods of 500 ms.
    await wire.responsesSeen(16);
    expect(performance.now() - start).toBeGreaterThanOrEqual(1500);
    expect(wire.responses.every((r) => r.statusCode === 200)).toBe(true);
    expect(wire.connections).toBe(1);
    expect(unbound).toEqual([]);
    expect(peerErrors).toEqual([]);
    const inbox = bob[Symbol.asyncIterator]();
    await alice.send('still there?');
    expect((await next(inbox)).text()).toBe('still there?');
  });

  it('with 0, the listener drops the quiet connection', async () => {
    const { session: bob, peerErrors } = await listener(200);
    const wire = new WireTap();
    const alice = endpoint({ keepaliveInterval: 0, dialers: wire.dialers }).createSession();
    await alice.connect([bob.localUri]);
    const bobUnbound = nextEvent(bob, 'unbound');
    await nextEvent(alice, 'close');
    await bobUnbound;
    expect(peerErrors.map((e) => e.message)).toEqual(['No traffic within idleTimeout']);
    expect(wire.responses).toHaveLength(1); // the bind's
  });

  it('ignores a failure response and keeps sending', async () => {
    let answered = 0;
    const server = await rawServer((frame, peer) => {
      // The bind gets 200; keepalives get 481, as from a peer that forgot the session.
      if (isSend(frame)) peer.respond(frame, answered++ === 0 ? 200 : 481);
    });
    const alice = endpoint({ keepaliveInterval: 50 }).createSession();
    await alice.connect([server.uri()]);
    const peer = await server.peer();
    // The bind, then keepalives, each sent only once the one before was refused.
    for (let i = 0; i < 5; i++) await peer.request('SEND');
    expect(answered).toBeGreaterThanOrEqual(5);
    expect(alice.state).toBe('bound');
    expect(peer.isClosed).toBe(false);
  });

  it('sends no second keepalive while one awaits its response', async () => {
    let sends = 0;
    const server = await rawServer((frame, peer) => {
      if (isSend(frame) && sends++ === 0) peer.respond(frame); // only the bind
    });
    const alice = endpoint({ keepaliveInterval: 50, timeout: 400 }).createSession();
    await alice.connect([server.uri()]);
    const peer = await server.peer();
    await peer.request('SEND');
    await peer.request('SEND');
    const first = performance.now();
    await peer.request('SEND');
    // The unanswered keepalive fails after `timeout` (400 ms); only then does the next go.
    expect(performance.now() - first).toBeGreaterThanOrEqual(350);
    expect(alice.state).toBe('bound');
  });
});

describe('keepalives on the connection to our relay', () => {
  /** A fake relay: AUTH gets 200 with a 1 s grant (refreshed every 800 ms), SEND gets 200. */
  async function fakeRelay() {
    const server = await rawServer((frame, peer) => {
      if (frame.head.kind !== 'request') return;
      if (frame.head.method === 'SEND') {
        peer.respond(frame as RawRequest);
        return;
      }
      if (frame.head.method !== 'AUTH') return;
      const response: ResponseHead = {
        kind: 'response',
        transactionId: frame.head.transactionId,
        statusCode: 200,
        toPath: [frame.head.fromPath[0]!],
        fromPath: [frame.head.toPath[0]!],
        usePath: [relaySession],
        expires: 1,
      };
      peer.writeFrame(response);
    });
    const relayUri = server.uri();
    const relaySession: MsrpUri = { ...relayUri, sessionId: 'relay1' };
    return { server, relayUri, relaySession };
  }

  it('sends none without sessions, and one for a session through the relay', async () => {
    const { server, relayUri, relaySession } = await fakeRelay();
    const e = endpoint({
      keepaliveInterval: 50,
      relays: [{ uri: relayUri, username: 'alice', password: 'secret' }],
    });
    await e.authenticate();
    const relay = await server.peer();
    // The refresh comes 800 ms later: 16 keepalive intervals without a session. (Its AUTH
    // follows on the same connection whatever we would have sent before it.)
    const refreshed = (): Promise<unknown> => nextEvent(e.registration!, 'refreshed');
    await refreshed();
    expect(relay.frames.filter(isSend)).toEqual([]);

    const alice = e.createSession();
    const bob = parseUri('msrp://127.0.0.1:9/bob;tcp');
    await alice.connect([bob]);
    await relay.request('SEND'); // the bind
    const keepalive = await relay.request('SEND');
    expect(keepalive.head.contentType).toBeUndefined();
    expect(keepalive.head.toPath.map(formatUri)).toEqual([relaySession, bob].map(formatUri));

    await alice.close();
    // A keepalive written just before the close may still be on its way: count from the
    // next refresh on, to the one after it.
    await refreshed();
    const sends = relay.frames.filter(isSend).length;
    await refreshed();
    expect(relay.frames.filter(isSend)).toHaveLength(sends);
    expect(server.peers).toHaveLength(1);
  });
});
