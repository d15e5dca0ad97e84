// Interoperation with Kamailio's msrp module as an RFC 4976 relay: msrp-core endpoints
// authenticate to it (Digest AUTH, Use-Path), exchange a chat message and a file through it,
// and go through a chain of our relay then Kamailio. Kamailio runs in the foreground on a
// free loopback port with a config written here; `.ci/run` installs it when missing.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint, MsrpError, formatUri, nextEvent, type MsrpUri } from '@msrp-ts/msrp-core';
import { RawPeer } from '../packages/msrp-core/test/helpers/raw-peer.js';
import { Relay, StaticCredentialStore } from '@msrp-ts/msrp-relay';
import {
  KAMAILIO,
  USERS,
  freePort,
  kamailioConfigHeader,
  msrpFrameRoute,
  next,
  startKamailio as start,
  clientOf as client,
  type User,
} from './helpers/kamailio.js';

const cleanups: Array<() => unknown> = [];
const defer = (cleanup: () => unknown): void => void cleanups.push(cleanup);

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Kamailio's msrp module as an RFC 4976 relay over TCP (see `msrpFrameRoute`). */
function kamailioConfig(port: number): string {
  return `${kamailioConfigHeader(port)}
${msrpFrameRoute()}`;
}

/** Starts Kamailio on a free port (stopped after the test). Returns the relay's URI. */
async function startKamailio(): Promise<{ uri: MsrpUri }> {
  // Not skipped when missing: CI installs it, and a skipped interop test proves nothing.
  if (KAMAILIO === undefined)
    throw new Error('Kamailio is needed (Debian: apt-get install kamailio; .ci/run installs it)');
  const port = await freePort();
  await start(kamailioConfig(port), port, defer);
  return { uri: { scheme: 'msrp', host: '127.0.0.1', port, transport: 'tcp', params: [] } };
}

/** An endpoint authenticated as `username` to `relays`, in order (closed after the test). */
function clientOf(user: User, relays: readonly MsrpUri[]): Promise<Endpoint> {
  return client(user, relays, defer);
}

describe('Kamailio msrp module as the relay', () => {
  it('authenticates alice and bob (Digest, Use-Path) and carries chat and a file', async () => {
    const kamailio = await startKamailio();
    const alice = await clientOf('alice', [kamailio.uri]);
    const bob = await clientOf('bob', [kamailio.uri]);
    for (const usePath of [alice.usePath, bob.usePath]) {
      expect(usePath).toHaveLength(1);
      expect(usePath[0]).toMatchObject({ host: '127.0.0.1', port: kamailio.uri.port });
      expect(usePath[0]!.sessionId).toBeTruthy();
    }
    expect(alice.usePath[0]!.sessionId).not.toBe(bob.usePath[0]!.sessionId);
    expect(alice.registration!.expires).toBeGreaterThan(0);

    const bobSession = bob.createSession();
    const aliceSession = alice.createSession();
    // As SDP would carry them: each side's a=path, its relay first.
    expect(aliceSession.localPath.map(formatUri)).toEqual([
      formatUri(alice.usePath[0]!),
      formatUri(aliceSession.localUri),
    ]);
    bobSession.accept(aliceSession.localPath);
    await aliceSession.connect(bobSession.localPath);
    const bobInbox = bobSession[Symbol.asyncIterator]();
    const aliceInbox = aliceSession[Symbol.asyncIterator]();

    await aliceSession.send('hello bob, via kamailio');
    expect((await next(bobInbox, 'chat for bob')).text()).toBe('hello bob, via kamailio');
    await bobSession.send('hello alice');
    expect((await next(aliceInbox, 'chat for alice')).text()).toBe('hello alice');

    // A small file in several chunks (Kamailio relays frames of up to 10 KiB of body).
    const dir = await mkdtemp(join(tmpdir(), 'msrp-kamailio-file-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const bytes = randomBytes(20_000);
    await writeFile(join(dir, 'notes.bin'), bytes);
    const sending = aliceSession.sendFile(join(dir, 'notes.bin'));
    const file = await next(bobInbox, 'file for bob');
    const saved = await file.saveTo(join(dir, 'received.bin'));
    await sending;
    expect(file.filename).toBe('notes.bin');
    expect(saved.hashMatches).toBe(true);
    expect((await readFile(join(dir, 'received.bin'))).equals(bytes)).toBe(true);
  });

  it('refuses a wrong password with 401', async () => {
    const kamailio = await startKamailio();
    const mallory = new Endpoint({
      relays: [{ uri: kamailio.uri, username: 'alice', password: 'wrong' }],
    });
    cleanups.push(() => mallory.close());
    const error = await mallory.authenticate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsrpError);
    expect((error as MsrpError).status).toBe(401);
  });

  it('chains endpoint → our relay → Kamailio → endpoint, both ways', async () => {
    const kamailio = await startKamailio();
    const relay = new Relay({ credentials: new StaticCredentialStore([...USERS]) });
    cleanups.push(() => relay.close(1000));
    const relayUri = await relay.listen({ host: '127.0.0.1', port: 0 });
    const alice = await clientOf('alice', [relayUri]);
    const bob = await clientOf('bob', [kamailio.uri]);
    const bobSession = bob.createSession();
    const aliceSession = alice.createSession();
    bobSession.accept(aliceSession.localPath);
    await aliceSession.connect(bobSession.localPath);
    const bobInbox = bobSession[Symbol.asyncIterator]();
    const aliceInbox = aliceSession[Symbol.asyncIterator]();
    await aliceSession.send('through our relay, then kamailio');
    expect((await next(bobInbox, 'chat for bob')).text()).toBe('through our relay, then kamailio');
    await bobSession.send('and back through both');
    expect((await next(aliceInbox, 'chat for alice')).text()).toBe('and back through both');
    expect(relay.stats.requestsForwarded).toBeGreaterThanOrEqual(2);
  });

  it('costs alice one 400, not her connection, when a peer sends her a header she cannot read', async () => {
    // Kamailio passes header values on unread: a peer who knows one of alice's session paths
    // sent her a SEND with a bad Success-Report, and alice closed her connection to Kamailio,
    // every other session of hers with it.
    const kamailio = await startKamailio();
    const alice = await clientOf('alice', [kamailio.uri]);
    const bob = await clientOf('bob', [kamailio.uri]);
    const pair = async () => {
      const b = bob.createSession();
      const a = alice.createSession();
      b.accept(a.localPath);
      // Kamailio answers the binding SEND itself (hop by hop): connect() can settle before
      // the SEND reaches b, and b may send only once it is bound (RFC 4975 §5.4).
      const bound = nextEvent(b, 'bound');
      await a.connect(b.localPath);
      await bound;
      return { a, b };
    };
    const first = await pair();
    const second = await pair();
    const peer = await RawPeer.connect(kamailio.uri.port!);
    cleanups.push(() => peer.destroy());
    const path = first.a.localPath.map(formatUri).join(' ');
    peer.write(
      `MSRP tbad1234 SEND\r\nTo-Path: ${path}\r\nFrom-Path: ${formatUri(peer.uri)}\r\n` +
        'Message-ID: mbad1234\r\nSuccess-Report: maybe\r\nContent-Type: text/plain\r\n\r\n' +
        'hi\r\n-------tbad1234$\r\n',
    );
    const refused = await nextEvent(alice, 'peerError');
    expect(refused[0]).toMatchObject({ status: 400, code: 'MSRP_ERR_BAD_HEADER' });
    for (const { a, b } of [first, second]) {
      await b.send('still here');
      expect((await next(a[Symbol.asyncIterator](), 'chat for alice')).text()).toBe('still here');
      expect(a.state).toBe('bound');
    }
  });
});
