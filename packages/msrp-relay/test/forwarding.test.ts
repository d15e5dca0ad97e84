// Endpoints talking through one relay and through a chain of two, on loopback sockets.
import { describe, expect, it } from 'vitest';
import { formatUri, newSessionId, type MsrpUri } from '@msrp-ts/msrp-core';
import { USERS, clientOf, endpoint, next, rawAuth, rawClient, startRelay } from './helpers.js';

describe('endpoint → relay → endpoint', () => {
  it('authenticates both, learns Use-Path, and carries messages both ways', async () => {
    const { relay, uri } = await startRelay();
    const alice = await clientOf('alice', [uri]);
    const bob = await clientOf('bob', [uri]);
    expect(alice.usePath).toHaveLength(1);
    expect(alice.usePath[0]!.port).toBe(uri.port);
    expect(alice.usePath[0]!.sessionId).toBeDefined();
    expect(alice.usePath[0]!.sessionId).not.toBe(bob.usePath[0]!.sessionId);
    expect(relay.sessionCount).toBe(2);

    const bobSession = bob.createSession();
    // a=path: the relay URI first, then the endpoint's own URI.
    expect(bobSession.localPath.map(formatUri)).toEqual([
      formatUri(bob.usePath[0]!),
      formatUri(bobSession.localUri),
    ]);
    bobSession.accept();
    const aliceSession = alice.createSession();
    await aliceSession.connect(bobSession.localPath);
    // Bob learned where to answer from SDP in real life; here from the first SEND.
    const bobInbox = bobSession[Symbol.asyncIterator]();
    const aliceInbox = aliceSession[Symbol.asyncIterator]();
    await aliceSession.send('hello bob');
    const got = await next(bobInbox);
    expect(got.text()).toBe('hello bob');
    await bobSession.send('hello alice');
    expect((await next(aliceInbox)).text()).toBe('hello alice');
    expect(relay.stats.requestsForwarded).toBeGreaterThanOrEqual(3);
  });
});

describe("clients whose URIs carry the relay's own authority", () => {
  it('reach each other, not themselves: the relay knows clients by session and connection', async () => {
    const { relay, uri } = await startRelay();
    // Clients that do not listen: their URIs name the relay's exact host and port (what the
    // default msrp://127.0.0.1:2855/... is when the relay runs on 2855).
    const lookalike = (): MsrpUri => ({ ...uri, sessionId: newSessionId() });
    const client = async (username: 'alice' | 'bob') => {
      const password = USERS.find((u) => u.username === username)!.password;
      const e = endpoint({ relays: [{ uri, username, password }], session: { chunkSize: 1024 } });
      await e.authenticate(lookalike());
      return e.createSession({ localUri: lookalike() });
    };
    const aliceSession = await client('alice');
    const bobSession = await client('bob');
    expect(aliceSession.localUri.port).toBe(uri.port);
    bobSession.accept(aliceSession.localPath);
    await aliceSession.connect(bobSession.localPath);
    const aliceInbox = aliceSession[Symbol.asyncIterator]();
    const bobInbox = bobSession[Symbol.asyncIterator]();
    await aliceSession.send('hello bob');
    expect((await next(bobInbox, 5000)).text()).toBe('hello bob');
    await bobSession.send('hello alice');
    expect((await next(aliceInbox, 5000)).text()).toBe('hello alice');
    // Many chunks of 1 KiB, each one forwarded on its own.
    const big = 'x'.repeat(20_000);
    const delivery = await aliceSession.send(big);
    expect(delivery.bytes).toBe(20_000);
    const got = await next(bobInbox, 5000);
    expect(got.text()).toBe(big);
    expect(relay.stats.requestsForwarded).toBeGreaterThanOrEqual(22);
    expect(relay.stats.errors.size).toBe(0);
  });
});

describe('endpoint → relay A → relay B → endpoint', () => {
  it('forwards through two relays, each rewriting To-Path and From-Path', async () => {
    const a = await startRelay();
    const b = await startRelay();
    const alice = await clientOf('alice', [a.uri]);
    const bob = await clientOf('bob', [b.uri]);
    const bobSession = bob.createSession();
    const aliceSession = alice.createSession();
    // As SDP would carry them: each side's a=path.
    bobSession.accept(aliceSession.localPath);
    await aliceSession.connect(bobSession.localPath);
    const bobInbox = bobSession[Symbol.asyncIterator]();
    const aliceInbox = aliceSession[Symbol.asyncIterator]();
    await aliceSession.send('through two relays');
    expect((await next(bobInbox)).text()).toBe('through two relays');
    await bobSession.send('and back');
    expect((await next(aliceInbox)).text()).toBe('and back');
    // Relay A dialed B for alice's messages, B dialed A for bob's.
    expect(a.relay.stats.connectionsOpened.outbound).toBe(1);
    expect(b.relay.stats.connectionsOpened.outbound).toBe(1);
  });

  it('sees the From-Path grow by one relay per hop', async () => {
    const a = await startRelay();
    const b = await startRelay();
    const alice = await clientOf('alice', [a.uri]);
    const target = await rawClient(b.uri.port!);
    const granted = await rawAuth(target, b.uri, 'bob');
    const targetPath = [granted.usePath![0]!, target.uri];
    const aliceSession = alice.createSession();
    await aliceSession.connect(targetPath);
    const bind = await target.request('SEND');
    expect(bind.head.toPath.map(formatUri)).toEqual([formatUri(target.uri)]);
    expect(bind.head.fromPath.map(formatUri)).toEqual([
      formatUri(granted.usePath![0]!),
      formatUri(alice.usePath[0]!),
      formatUri(aliceSession.localUri),
    ]);
  });

  it('authenticates inside out through a chain of two relays of its own', async () => {
    const a = await startRelay();
    const b = await startRelay();
    const alice = await clientOf('alice', [a.uri, b.uri]);
    // RFC 4976 §5.1: the second AUTH went through A; the Use-Path names A then B.
    expect(alice.usePath.map((u) => u.port)).toEqual([a.uri.port, b.uri.port]);
    expect(a.relay.sessionCount).toBe(1);
    expect(b.relay.sessionCount).toBe(1);
    const bob = await clientOf('bob', [b.uri]);
    const aliceSession = alice.createSession();
    // Peers reach alice through B, then A.
    expect(aliceSession.localPath.map((u) => u.port)).toEqual([
      b.uri.port,
      a.uri.port,
      aliceSession.localUri.port,
    ]);
    const bobSession = bob.createSession();
    bobSession.accept(aliceSession.localPath);
    await aliceSession.connect(bobSession.localPath);
    const aliceInbox = aliceSession[Symbol.asyncIterator]();
    const bobInbox = bobSession[Symbol.asyncIterator]();
    await aliceSession.send('via A and B');
    expect((await next(bobInbox)).text()).toBe('via A and B');
    await bobSession.send('via B and A');
    expect((await next(aliceInbox)).text()).toBe('via B and A');
  });
});
