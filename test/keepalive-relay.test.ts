// Keepalives through an RFC 4976 relay: the connection a client keeps to its relay (pinned by
// authenticate()) carries a bodiless SEND for its session after each silence, the relay
// forwards it, and so the relay's connection to a listener with a short idleTimeout survives
// a quiet chat; without keepalives the listener drops it.
import { afterEach, describe, expect, it } from 'vitest';
import {
  nextEvent,
  Endpoint,
  type EndpointOptions,
  type IncomingMessage,
  type MsrpError,
  type MsrpUri,
} from '@msrp-ts/msrp-core';
import { Relay, StaticCredentialStore } from '@msrp-ts/msrp-relay';
import { WireTap } from '../packages/msrp-core/test/helpers/wire-tap.js';

const USERS = [
  { username: 'alice', password: 'alice-secret' },
  { username: 'bob', password: 'bob-secret' },
];
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startRelay(): Promise<MsrpUri> {
  const relay = new Relay({ credentials: new StaticCredentialStore(USERS) });
  cleanups.push(() => relay.close(1000));
  return relay.listen({ host: '127.0.0.1', port: 0 });
}

function endpoint(options: EndpointOptions): Endpoint {
  const e = new Endpoint(options);
  cleanups.push(() => e.close());
  return e;
}

/** An endpoint authenticated to `relay` as `username`, its connections tapped. */
async function client(
  username: 'alice' | 'bob',
  relay: MsrpUri,
  keepaliveInterval: number,
): Promise<{ endpoint: Endpoint; wire: WireTap }> {
  const wire = new WireTap();
  const password = USERS.find((u) => u.username === username)!.password;
  const e = endpoint({
    keepaliveInterval,
    dialers: wire.dialers,
    relays: [{ uri: relay, username, password }],
  });
  await e.authenticate();
  return { endpoint: e, wire };
}

/** A listener reached directly (the relay dials it), with one session waiting. */
async function listener(idleTimeout: number) {
  const e = endpoint({ idleTimeout });
  const peerErrors: MsrpError[] = [];
  e.on('peerError', (error) => peerErrors.push(error));
  await e.listen({ host: '127.0.0.1', port: 0 });
  const session = e.createSession();
  session.accept();
  return { session, peerErrors };
}

async function nextMessage(inbox: AsyncIterator<IncomingMessage>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    inbox.next(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no message within 5000 ms')), 5000);
    }),
  ]).finally(() => clearTimeout(timer));
  if (result.done) throw new Error('session ended');
  return result.value.text();
}

describe('keepalives through a relay', () => {
  it("keep the relay's connection to a quiet listener across several of its idle periods", async () => {
    const relay = await startRelay();
    const { session: bob, peerErrors } = await listener(500);
    const { endpoint: alice, wire } = await client('alice', relay, 100);
    const aliceSession = alice.createSession();
    const unbound: string[] = [];
    aliceSession.on('unbound', () => unbound.push('alice'));
    bob.on('unbound', () => unbound.push('bob'));
    const start = performance.now();
    await aliceSession.connect([bob.localUri]);
    const seen = wire.responses.length; // AUTH's and the bind's
    // 15 keepalives, each after 100 ms of silence on our relay connection: three of Bob's
    // idle periods, which only the keepalives the relay forwards to him fill.
    await wire.responsesSeen(seen + 15);
    expect(performance.now() - start).toBeGreaterThanOrEqual(1500);
    expect(wire.responses.slice(seen).every((r) => r.statusCode === 200)).toBe(true);
    expect(wire.connections).toBe(1);
    expect(unbound).toEqual([]);
    expect(peerErrors).toEqual([]);
    const inbox = bob[Symbol.asyncIterator]();
    await aliceSession.send('still there?');
    expect(await nextMessage(inbox)).toBe('still there?');
  });

  it("without them, the listener drops the relay's quiet connection", async () => {
    const relay = await startRelay();
    const { session: bob, peerErrors } = await listener(200);
    const { endpoint: alice } = await client('alice', relay, 0);
    const bobUnbound = nextEvent(bob, 'unbound');
    await alice.createSession().connect([bob.localUri]);
    await bobUnbound;
    expect(peerErrors.map((e) => e.message)).toEqual(['No traffic within idleTimeout']);
  });

  it('are sent for a session bound by the peer on our relay connection too', async () => {
    const relay = await startRelay();
    const { endpoint: bob, wire } = await client('bob', relay, 50);
    const { endpoint: alice } = await client('alice', relay, 0);
    const bobSession = bob.createSession();
    bobSession.accept();
    const aliceSession = alice.createSession();
    // The relay answers the binding SEND hop by hop (RFC 4976 §7.2): wait for it to reach Bob.
    const bound = nextEvent(bobSession, 'bound');
    await aliceSession.connect(bobSession.localPath);
    await bound;
    const seen = wire.responses.length;
    // Bob did not dial Alice, but his relay connection is his own: he keeps it alive.
    await wire.responsesSeen(seen + 4);
    expect(wire.responses.slice(seen).every((r) => r.statusCode === 200)).toBe(true);
    expect(aliceSession.state).toBe('bound');
    const inbox = aliceSession[Symbol.asyncIterator]();
    await bobSession.send('hi alice');
    expect(await nextMessage(inbox)).toBe('hi alice');
  });
});
