// Every limit of the relay holding against a bad peer while a well-behaved pair keeps
// chatting through the same relay at the same time, none of its messages lost or late.
import { formatUri, type MsrpUri, type ResponseHead } from '@msrp-ts/msrp-core';
import { answerChallenge, encodeEndLine, encodeHead } from '@msrp-ts/msrp-core/internal';
import { describe, expect, it } from 'vitest';
import { StaticCredentialStore, createRelayMetrics, type RelayOptions } from '../src/index.js';
import {
  USERS,
  authRequest,
  endpoint,
  eventually,
  onCleanup,
  rawAuth,
  rawClient,
  startRelay,
  transact,
  type RawPeer,
} from './helpers.js';
import { rawClientFrom, talkingPair } from './talking-pair.js';

const CAROL = { username: 'carol', password: 'carol-secret' };
const DAVE = { username: 'dave', password: 'dave-secret' };

/** A relay with alice, bob, carol and dave. */
function relayWith(options: Partial<RelayOptions>) {
  return startRelay({
    credentials: new StaticCredentialStore([...USERS, CAROL, DAVE]),
    ...options,
  });
}

/** Authenticates `peer` as `username` with `password`; returns every response, in order. */
async function authAs(
  peer: RawPeer,
  relay: MsrpUri,
  username: string,
  password: string,
): Promise<ResponseHead[]> {
  const challenge = await transact(peer, authRequest(peer, relay));
  if (challenge.statusCode !== 401) return [challenge];
  const credentials = { username, password };
  const authorization = answerChallenge(challenge.wwwAuthenticate!, credentials, formatUri(relay));
  return [challenge, await transact(peer, authRequest(peer, relay, { authorization }))];
}

/**
 * One connection of a password guesser: AUTH, then wrong passwords for `username` while it
 * is challenged. Returns the status codes it got; the relay closed the connection.
 */
async function guess(peer: RawPeer, relay: MsrpUri, username: string): Promise<number[]> {
  let response = await transact(peer, authRequest(peer, relay));
  const statuses = [response.statusCode];
  while (response.statusCode === 401) {
    const credentials = { username, password: `guess-${Math.random()}` };
    const authorization = answerChallenge(response.wwwAuthenticate!, credentials, formatUri(relay));
    response = await transact(peer, authRequest(peer, relay, { authorization }));
    statuses.push(response.statusCode);
  }
  await peer.closed;
  return statuses;
}

/** Carol, from 127.0.0.1, authenticates with an endpoint. */
async function carolGetsIn(relay: MsrpUri): Promise<void> {
  const carol = endpoint({ relays: [{ uri: relay, ...CAROL }] });
  await carol.authenticate();
  expect(carol.usePath).toHaveLength(1);
}

describe('under attack: AUTH rate limits', () => {
  it('a password guesser is slowed, then cut off; a pair chats on and a third user gets in', async () => {
    const clock = { t: Date.now() };
    const { relay, uri } = await relayWith({
      now: () => clock.t,
      limits: { authFailureBurst: 6, authFailureRate: 10, authUserFailureBurst: 100 },
    });
    const metrics = createRelayMetrics(relay, { processMetrics: false });
    const pair = await talkingPair(uri);
    const port = uri.port!;
    // The guesser, from another address: 5 failures close a connection (maxAuthAttempts)...
    expect(await guess(await rawClientFrom(port, '127.0.0.2'), uri, 'dave')).toEqual([
      401, 401, 401, 401, 401, 403,
    ]);
    // ...the 6th empties its bucket: 403, and no more challenges on any connection.
    expect(await guess(await rawClientFrom(port, '127.0.0.2'), uri, 'dave')).toEqual([401, 403]);
    expect(await guess(await rawClientFrom(port, '127.0.0.2'), uri, 'dave')).toEqual([403]);
    expect(await guess(await rawClientFrom(port, '127.0.0.2'), uri, 'alice')).toEqual([403]);
    // Then one guess per token regained (10 a minute: one each 6 s).
    clock.t += 5_000;
    expect(await guess(await rawClientFrom(port, '127.0.0.2'), uri, 'dave')).toEqual([403]);
    clock.t += 1_000;
    expect(await guess(await rawClientFrom(port, '127.0.0.2'), uri, 'dave')).toEqual([401, 403]);
    expect(relay.stats.authRateLimited.get('address')).toBe(5);
    expect(relay.stats.authRateLimited.get('username')).toBeUndefined();
    expect(relay.stats.authFailures.get('credentials')).toBe(7);
    const text = await metrics.metrics();
    expect(text).toMatch(/msrp_relay_auth_rate_limited_total\{limit="address"\} 5/);
    // Buckets for 127.0.0.2 and dave (the AUTH naming alice was refused unchecked: no failure).
    expect(text).toMatch(/msrp_relay_auth_rate_limit_entries 2/);

    await carolGetsIn(uri);
    // Dave himself is not locked out: his name was tried only 7 times (burst 100).
    const dave = await rawClient(port);
    expect((await authAs(dave, uri, DAVE.username, DAVE.password)).at(-1)!.statusCode).toBe(200);
    await pair.more(3);
    expect(await pair.stop()).toBeGreaterThanOrEqual(3);
  });

  it('a username guessed from many addresses is refused; its connected client and other users are not', async () => {
    const { relay, uri } = await relayWith({
      limits: { authUserFailureBurst: 3, authUserFailureRate: 1, authFailureBurst: 100 },
    });
    const pair = await talkingPair(uri);
    const port = uri.port!;
    const daveConnected = await rawClient(port);
    expect((await authAs(daveConnected, uri, 'dave', DAVE.password)).at(-1)!.statusCode).toBe(200);
    // One wrong guess from each of three addresses: the third empties dave's bucket.
    const one = async (from: string) => {
      const peer = await rawClientFrom(port, from);
      const challenge = await transact(peer, authRequest(peer, uri));
      const credentials = { username: 'dave', password: 'wrong' };
      const authorization = answerChallenge(
        challenge.wwwAuthenticate!,
        credentials,
        formatUri(uri),
      );
      return (await transact(peer, authRequest(peer, uri, { authorization }))).statusCode;
    };
    expect(await one('127.0.0.2')).toBe(401);
    expect(await one('127.0.0.3')).toBe(401);
    expect(await one('127.0.0.4')).toBe(403);
    // Now AUTHs naming dave are refused unchecked, even with his password (the cost of a
    // lock on the name; it lifts as tokens are regained)...
    const elsewhere = await rawClientFrom(port, '127.0.0.5');
    const refused = await authAs(elsewhere, uri, 'dave', DAVE.password);
    expect(refused.map((r) => r.statusCode)).toEqual([401, 403]);
    await elsewhere.closed;
    // ...but not on a connection that holds a session of dave's: it refreshes.
    expect((await authAs(daveConnected, uri, 'dave', DAVE.password)).at(-1)!.statusCode).toBe(200);
    // Other users, from those addresses too, are not affected.
    const carolThere = await rawClientFrom(port, '127.0.0.5');
    expect((await authAs(carolThere, uri, 'carol', CAROL.password)).at(-1)!.statusCode).toBe(200);
    expect(relay.stats.authRateLimited.get('username')).toBe(2);
    await pair.more(3);
    await pair.stop();
  });

  it('logs failed AUTHs within a budget, then says how many it left out', async () => {
    const clock = { t: Date.now() };
    const warnings: Record<string, unknown>[] = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (fields: Record<string, unknown>) => void warnings.push(fields),
      error: () => undefined,
    };
    const { uri } = await relayWith({
      now: () => clock.t,
      logger,
      limits: { authFailureBurst: 0, authUserFailureBurst: 0, maxAuthAttempts: 1000 },
    });
    const guesser = await rawClient(uri.port!);
    let challenge = await transact(guesser, authRequest(guesser, uri));
    for (let i = 0; i < 50; i++) {
      const credentials = { username: `user${i}`, password: 'wrong' };
      const authorization = answerChallenge(
        challenge.wwwAuthenticate!,
        credentials,
        formatUri(uri),
      );
      challenge = await transact(guesser, authRequest(guesser, uri, { authorization }));
      expect(challenge.statusCode).toBe(401);
    }
    expect(warnings).toHaveLength(20);
    clock.t += 1000; // a line a second after the first 20
    const credentials = { username: 'one-more', password: 'wrong' };
    const authorization = answerChallenge(challenge.wwwAuthenticate!, credentials, formatUri(uri));
    await transact(guesser, authRequest(guesser, uri, { authorization }));
    expect(warnings).toHaveLength(21);
    expect(warnings[20]).toMatchObject({ username: 'one-more', unlogged: 30 });
  });
});

describe('under attack: connection limits', () => {
  it('unauthenticated connections are closed after unauthenticatedTimeout; the pair is kept', async () => {
    const { relay, uri } = await relayWith({ limits: { unauthenticatedTimeout: 300 } });
    const pair = await talkingPair(uri);
    const started = Date.now();
    const idlers = await Promise.all(
      ['127.0.0.2', '127.0.0.2', '127.0.0.3'].map((from) => rawClientFrom(uri.port!, from)),
    );
    // One that only asks for a challenge is no better.
    const asker = await rawClientFrom(uri.port!, '127.0.0.2');
    expect((await transact(asker, authRequest(asker, uri))).statusCode).toBe(401);
    await Promise.all([...idlers, asker].map((peer) => peer.closed));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    // The pair's connections outlived the timeout, twice over, and still carry messages.
    await eventually(() => Date.now() - started > 600, 2000, 'two timeouts');
    await pair.more(3);
    expect(relay.connectionCount).toBe(2);
    await pair.stop();
  });

  it('connections past maxConnectionsPerAddress are refused; other addresses are not', async () => {
    const { relay, uri } = await relayWith({ limits: { maxConnectionsPerAddress: 3 } });
    const pair = await talkingPair(uri);
    const flood: RawPeer[] = [];
    for (let i = 0; i < 8; i++) flood.push(await rawClientFrom(uri.port!, '127.0.0.2'));
    await Promise.all(flood.slice(3).map((peer) => peer.closed));
    expect(relay.stats.connectionsRefused).toBe(5);
    expect(flood.slice(0, 3).every((peer) => !peer.isClosed)).toBe(true);
    // 127.0.0.1 holds the pair's two connections: a third, carol's, still fits.
    await carolGetsIn(uri);
    await pair.more(3);
    await pair.stop();
  });
});

describe('under attack: frame limits', () => {
  it('a head past maxHeaderBytes gets 400 and a close; the pair is not disturbed', async () => {
    const { relay, uri } = await relayWith({ limits: { maxHeaderBytes: 2048 } });
    const pair = await talkingPair(uri);
    const attacker = await rawClient(uri.port!);
    await rawAuth(attacker, uri, 'bob');
    const head = attacker.requestHead({
      toPath: [uri],
      method: 'SEND',
      extensions: [{ name: 'X-Padding', value: 'x'.repeat(4000) }],
    });
    attacker.write(encodeHead(head));
    await attacker.closed;
    const answer = attacker.responses.find((r) => r.head.transactionId === head.transactionId);
    expect(answer?.head.statusCode).toBe(400);
    expect(relay.stats.protocolErrors).toBe(1);
    await pair.more(3);
    await pair.stop();
  });

  it('a chunk past maxChunkSize is cut with # and answered 413; the sender may go on', async () => {
    const maxChunkSize = 16 * 1024;
    const { relay, uri } = await relayWith({ limits: { maxChunkSize } });
    const pair = await talkingPair(uri);
    const receiver = await rawClient(uri.port!);
    receiver.autoRespond = true;
    const toReceiver = [(await rawAuth(receiver, uri, 'bob')).usePath![0]!, receiver.uri];
    const sender = await rawClient(uri.port!);
    // 10 000 bytes go through, then the chunk goes on past the limit.
    const body = Buffer.alloc(100_000, 0x62);
    const big = sender.requestHead({ toPath: toReceiver, body });
    sender.write(encodeHead(big));
    sender.write(body.subarray(0, 10_000));
    await eventually(() => relay.stats.bytesForwarded >= 10_000, 2000, 'the first bytes');
    sender.write(body.subarray(10_000));
    sender.write(encodeEndLine(big.transactionId, '$', true));
    expect((await sender.response(big.transactionId)).head.statusCode).toBe(413);
    // RFC 4975 §7.1: the receiver gets the chunk ended with #, no byte past the limit.
    const cut = await receiver.request('SEND');
    expect(cut.flag).toBe('#');
    expect(cut.body.length).toBe(10_000);
    expect(relay.stats.errors.get(413)).toBe(1);
    // The sender's connection still works for chunks within the limit.
    const small = sender.sendRequest({ toPath: toReceiver, body: 'within the limit' });
    expect((await sender.response(small.transactionId)).head.statusCode).toBe(200);
    expect((await receiver.request('SEND')).body.toString()).toBe('within the limit');
    await pair.more(3);
    await pair.stop();
  });
});

describe('under attack: next hops that do not keep up', () => {
  it('a next hop that never answers gets maxPendingTransactions requests, no more', async () => {
    const maxPendingTransactions = 4;
    const { relay, uri } = await relayWith({ limits: { maxPendingTransactions } });
    const pair = await talkingPair(uri);
    const mute = await rawClient(uri.port!);
    const toMute = [(await rawAuth(mute, uri, 'bob')).usePath![0]!, mute.uri];
    const sender = await rawClient(uri.port!);
    for (let i = 0; i < 20; i++) sender.sendRequest({ toPath: toMute, body: `held ${i}` });
    await eventually(() => mute.requests.length === maxPendingTransactions, 2000, 'a full hop');
    await eventually(() => relay.stats.sendersHeldBack >= 1, 2000, 'the sender held back');
    // While the pair makes round trips, the mute hop gets nothing more.
    await pair.more(5);
    expect(mute.requests.length).toBe(maxPendingTransactions);
    // Once it answers, the rest flows, in order.
    mute.autoRespond = true;
    for (const request of mute.requests) mute.respond(request);
    await eventually(() => mute.requests.length === 20, 3000, 'every request forwarded');
    expect(mute.requests.map((r) => r.body.toString())).toEqual(
      Array.from({ length: 20 }, (_, i) => `held ${i}`),
    );
    await pair.more(3);
    await pair.stop();
  });

  it('bytes queued toward a reader that stopped stay within maxQueuedBytes', async () => {
    const maxQueuedBytes = 256 * 1024;
    const { relay, uri } = await relayWith({ limits: { maxQueuedBytes } });
    const pair = await talkingPair(uri);
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, relay.queuedBytes)), 2);
    onCleanup(() => clearInterval(timer));
    const sleeper = await rawClient(uri.port!);
    const toSleeper = [(await rawAuth(sleeper, uri, 'bob')).usePath![0]!, sleeper.uri];
    sleeper.socket.pause();
    const flooder = await rawClient(uri.port!);
    const chunk = Buffer.alloc(512 * 1024, 0x61);
    const total = 32 * chunk.length;
    for (let i = 0; i < 32; i++) flooder.sendRequest({ toPath: toSleeper, body: chunk });
    await eventually(() => relay.queuedBytes > 0, 5000, 'bytes queued for the sleeper');
    await pair.more(5);
    // Held back: the relay stopped reading the flooder rather than buffering its 16 MiB.
    expect(relay.stats.bytesForwarded).toBeLessThan(total);
    expect(peak).toBeLessThanOrEqual(maxQueuedBytes + 64 * 1024);
    // The sleeper wakes up: everything arrives.
    sleeper.socket.resume();
    const received = () => sleeper.requests.reduce((n, r) => n + r.body.length, 0);
    await eventually(() => received() === total, 10_000, 'the flood delivered');
    expect(peak).toBeLessThanOrEqual(maxQueuedBytes + 64 * 1024);
    await pair.more(3);
    await pair.stop();
  });
});
