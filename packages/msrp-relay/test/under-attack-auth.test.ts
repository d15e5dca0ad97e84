// The failed-AUTH rate limits against password guessers, while a well-behaved pair keeps
// chatting through the same relay and other users authenticate.
import { formatUri, type MsrpUri } from '@msrp-ts/msrp-core';
import { answerChallenge } from '@msrp-ts/msrp-core/internal';
import { describe, expect, it } from 'vitest';
import { StaticCredentialStore, createRelayMetrics, type CredentialStore } from '../src/index.js';
import { USERS, authRequest, eventually, rawClient, transact, type RawPeer } from './helpers.js';
import {
  CAROL,
  DAVE,
  authAs,
  carolGetsIn,
  rawClientFrom,
  relayWith,
  talkingPair,
} from './attack-helpers.js';

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
    // That refresh gave back only what it was charged: dave is still refused elsewhere.
    const again = await rawClientFrom(port, '127.0.0.6');
    const stillRefused = await authAs(again, uri, 'dave', DAVE.password);
    expect(stillRefused.map((r) => r.statusCode)).toEqual([401, 403]);
    // Other users, from those addresses too, are not affected.
    const carolThere = await rawClientFrom(port, '127.0.0.5');
    expect((await authAs(carolThere, uri, 'carol', CAROL.password)).at(-1)!.statusCode).toBe(200);
    expect(relay.stats.authRateLimited.get('username')).toBe(3);
    await pair.more(3);
    await pair.stop();
  });

  it('AUTHs checked at the same time (a slow store) do not slip past an empty bucket', async () => {
    const users = new StaticCredentialStore([...USERS, CAROL, DAVE]);
    let gate: Promise<void> = Promise.resolve();
    let lookups = 0;
    const credentials: CredentialStore = {
      async ha1(username, realm, algorithm) {
        lookups++;
        await gate;
        return users.ha1(username, realm, algorithm);
      },
    };
    const { uri } = await relayWith({
      credentials,
      limits: { authFailureBurst: 3, authUserFailureBurst: 100 },
    });
    const pair = await talkingPair(uri);
    lookups = 0;
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    const peers: RawPeer[] = [];
    for (let i = 0; i < 10; i++) peers.push(await rawClientFrom(uri.port!, '127.0.0.2'));
    const challenges = await Promise.all(peers.map((p) => transact(p, authRequest(p, uri))));
    // Ten wrong answers at once, while the store takes its time.
    const answers = peers.map((peer, i) => {
      const wrong = { username: 'dave', password: `guess ${i}` };
      const authorization = answerChallenge(challenges[i]!.wwwAuthenticate!, wrong, formatUri(uri));
      const head = authRequest(peer, uri, { authorization });
      peer.writeFrame(head);
      return peer.response(head.transactionId);
    });
    // Three are checked (the burst); seven are refused before any check is done.
    const refused = () => peers.filter((p) => p.responses.some((r) => r.head.statusCode === 403));
    await eventually(() => refused().length === 7, 2000, 'seven refused');
    expect(lookups).toBe(3);
    await pair.more(3);
    open();
    // The three checked fail, with the bucket empty: 403 too, no new challenge.
    const codes = (await Promise.all(answers)).map((r) => r.head.statusCode);
    expect(codes).toEqual(Array<number>(10).fill(403));
    expect(lookups).toBe(3);
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
