// AUTH (RFC 4976 §5, §6) with HTTP Digest (RFC 7616): challenges, failures, nonces, Expires.
import { describe, expect, it } from 'vitest';
import { digestHa1, formatUri, MsrpError, type AuthHeader } from '@msrp-ts/msrp-core';
import { answerChallenge, paramValue } from '@msrp-ts/msrp-core/internal';
import { StaticCredentialStore, createRelayMetrics } from '../src/index.js';
import {
  authRequest,
  clientOf,
  endpoint,
  eventually,
  rawAuth,
  rawClient,
  startRelay,
  transact,
} from './helpers.js';

const algorithmOf = (c: AuthHeader): string | undefined => paramValue(c.params, 'algorithm');

describe('AUTH', () => {
  it('challenges an AUTH without credentials: 401, SHA-256 then MD5, qop=auth', async () => {
    const { uri } = await startRelay({ realm: 'relay.test' });
    const peer = await rawClient(uri.port!);
    const response = await transact(peer, authRequest(peer, uri));
    expect(response.statusCode).toBe(401);
    expect(response.toPath.map(formatUri)).toEqual([formatUri(peer.uri)]);
    const challenges = response.wwwAuthenticate ?? [];
    expect(challenges.map(algorithmOf)).toEqual(['SHA-256', 'MD5']);
    for (const c of challenges) {
      expect(c.scheme).toBe('Digest');
      expect(paramValue(c.params, 'realm')).toBe('relay.test');
      expect(paramValue(c.params, 'qop')).toBe('auth');
      expect(paramValue(c.params, 'stale')).toBeUndefined();
    }
  });

  it('grants a relay session: 200 with Use-Path, Expires and Authentication-Info', async () => {
    const { relay, uri } = await startRelay({ defaultExpires: 300 });
    const peer = await rawClient(uri.port!);
    const ok = await rawAuth(peer, uri);
    expect(ok.statusCode).toBe(200);
    expect(ok.expires).toBe(300);
    expect(ok.usePath).toHaveLength(1);
    const use = ok.usePath![0]!;
    expect([use.scheme, use.host, use.port]).toEqual(['msrp', '127.0.0.1', uri.port]);
    expect(use.sessionId).toMatch(/^[0-9a-f]{24}$/);
    expect(ok.authenticationInfo?.find((p) => p.name === 'rspauth')?.value).toMatch(
      /^[0-9a-f]{64}$/,
    );
    expect(relay.sessionCount).toBe(1);
    expect(relay.stats.authSuccesses).toBe(1);
  });

  it('counts the first 401 challenge neither as an AUTH failure nor as an error', async () => {
    const { relay, uri } = await startRelay();
    const metrics = createRelayMetrics(relay, { processMetrics: false });
    const peer = await rawClient(uri.port!);
    expect((await rawAuth(peer, uri)).statusCode).toBe(200);
    expect(relay.stats.authFailures.size).toBe(0);
    expect(relay.stats.errors.size).toBe(0);
    const text = await metrics.metrics();
    expect(text).not.toMatch(/msrp_relay_auth_failures_total\{/);
    expect(text).not.toMatch(/msrp_relay_errors_total\{/);
    // A wrong password still counts, under both.
    const wrong = answerChallenge(
      (await transact(peer, authRequest(peer, uri))).wwwAuthenticate ?? [],
      { username: 'alice', password: 'wrong' },
      formatUri(uri),
    );
    expect(
      (await transact(peer, authRequest(peer, uri, { authorization: wrong }))).statusCode,
    ).toBe(401);
    expect(relay.stats.authFailures.get('credentials')).toBe(1);
    expect(relay.stats.errors.get(401)).toBe(1);
    expect(await metrics.metrics()).toMatch(
      /msrp_relay_auth_failures_total\{reason="credentials"\} 1/,
    );
  });

  it('accepts MD5 when the client only answers MD5', async () => {
    const { uri } = await startRelay();
    const peer = await rawClient(uri.port!);
    const challenge = await transact(peer, authRequest(peer, uri));
    const md5 = (challenge.wwwAuthenticate ?? []).filter((c) => algorithmOf(c) === 'MD5');
    const authorization = answerChallenge(
      md5,
      { username: 'bob', password: 'bob-secret' },
      formatUri(uri),
    );
    expect(paramValue(authorization.params, 'algorithm')).toBe('MD5');
    const ok = await transact(peer, authRequest(peer, uri, { authorization }));
    expect(ok.statusCode).toBe(200);
  });

  it('checks precomputed HA1s of the realm', async () => {
    const credentials = new StaticCredentialStore([
      {
        username: 'carol',
        realm: 'r',
        ha1: { 'SHA-256': digestHa1('SHA-256', 'carol', 'r', 'pw') },
      },
    ]);
    const { uri } = await startRelay({ realm: 'r', credentials });
    const peer = await rawClient(uri.port!);
    const challenge = await transact(peer, authRequest(peer, uri));
    const answer = (password: string) =>
      answerChallenge(
        challenge.wwwAuthenticate ?? [],
        { username: 'carol', password },
        formatUri(uri),
      );
    expect(
      (await transact(peer, authRequest(peer, uri, { authorization: answer('nope') }))).statusCode,
    ).toBe(401);
    expect(
      (await transact(peer, authRequest(peer, uri, { authorization: answer('pw') }))).statusCode,
    ).toBe(200);
  });

  it('challenges with MD5 alone when a user has only an MD5 HA1, so that clients preferring SHA-256 get in', async () => {
    // A client answers the first challenge it supports (RFC 7616 §3.7): offered SHA-256
    // first, it answered with SHA-256, and a user with only an MD5 HA1 was refused.
    const credentials = new StaticCredentialStore([
      { username: 'carol', realm: 'r', ha1: { MD5: digestHa1('MD5', 'carol', 'r', 'pw') } },
      { username: 'dave', realm: 'r', ha1: { 'SHA-256': digestHa1('SHA-256', 'dave', 'r', 'pw') } },
      { username: 'dave', realm: 'r', ha1: { MD5: digestHa1('MD5', 'dave', 'r', 'pw') } },
      { username: 'erin', password: 'pw' },
    ]);
    expect(credentials.algorithms).toEqual(['MD5']);
    const { uri } = await startRelay({ realm: 'r', credentials });
    const peer = await rawClient(uri.port!);
    const challenge = await transact(peer, authRequest(peer, uri));
    expect((challenge.wwwAuthenticate ?? []).map(algorithmOf)).toEqual(['MD5']);
    for (const username of ['carol', 'dave', 'erin']) {
      const client = endpoint({ relays: [{ uri, username, password: 'pw' }] });
      await expect(client.authenticate()).resolves.toBeDefined();
    }
    // Users by password alone, or with both HA1s, can answer either.
    expect(new StaticCredentialStore([{ username: 'erin', password: 'pw' }]).algorithms).toBe(
      undefined,
    );
  });

  it('refuses a wrong password and an unknown user with 401 and a fresh challenge', async () => {
    const { relay, uri } = await startRelay();
    const peer = await rawClient(uri.port!);
    const challenge = await transact(peer, authRequest(peer, uri));
    for (const account of [
      { username: 'alice', password: 'wrong' },
      { username: 'mallory', password: 'alice-secret' },
    ]) {
      const authorization = answerChallenge(
        challenge.wwwAuthenticate ?? [],
        account,
        formatUri(uri),
      );
      const refused = await transact(peer, authRequest(peer, uri, { authorization }));
      expect(refused.statusCode).toBe(401);
      expect(refused.wwwAuthenticate).toHaveLength(2);
    }
    expect(relay.sessionCount).toBe(0);
    expect(relay.stats.authFailures.get('credentials')).toBe(2);
    // And an endpoint with the wrong password fails to authenticate, with the status.
    const mallory = endpoint({ relays: [{ uri, username: 'alice', password: 'wrong' }] });
    const error = await mallory.authenticate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsrpError);
    expect((error as MsrpError).status).toBe(401);
  });

  it('refuses a replayed Authorization', async () => {
    const { relay, uri } = await startRelay();
    const peer = await rawClient(uri.port!);
    const challenge = await transact(peer, authRequest(peer, uri));
    const authorization = answerChallenge(
      challenge.wwwAuthenticate ?? [],
      { username: 'alice', password: 'alice-secret' },
      formatUri(uri),
    );
    expect((await transact(peer, authRequest(peer, uri, { authorization }))).statusCode).toBe(200);
    // The same nonce, nonce count and response again: someone who recorded it.
    const replay = await transact(peer, authRequest(peer, uri, { authorization }));
    expect(replay.statusCode).toBe(401);
    expect(replay.wwwAuthenticate?.some((c) => paramValue(c.params, 'stale') === 'true')).toBe(
      false,
    );
    expect(relay.stats.authFailures.get('replay')).toBe(1);
  });

  it('refuses a stale nonce with stale=true, and a client then retries by itself', async () => {
    // The relay's clock moves on past the nonce's lifetime: no waiting.
    let skew = 0;
    const { relay, uri } = await startRelay({ nonceLifetime: 50, now: () => Date.now() + skew });
    const peer = await rawClient(uri.port!);
    const challenge = await transact(peer, authRequest(peer, uri));
    skew = 120;
    const authorization = answerChallenge(
      challenge.wwwAuthenticate ?? [],
      { username: 'alice', password: 'alice-secret' },
      formatUri(uri),
    );
    const stale = await transact(peer, authRequest(peer, uri, { authorization }));
    expect(stale.statusCode).toBe(401);
    expect(stale.wwwAuthenticate?.every((c) => paramValue(c.params, 'stale') === 'true')).toBe(
      true,
    );
    expect(relay.stats.authFailures.get('stale')).toBe(1);
    // A nonce that is not the relay's, answered with a wrong password: no stale.
    const forged = answerChallenge(
      [
        {
          scheme: 'Digest',
          params: [
            { name: 'realm', value: 'msrp-relay' },
            { name: 'nonce', value: 'abc.def.0123' },
            { name: 'qop', value: 'auth' },
          ],
        },
      ],
      { username: 'alice', password: 'not-the-secret' },
      formatUri(uri),
    );
    const refused = await transact(peer, authRequest(peer, uri, { authorization: forged }));
    expect(refused.statusCode).toBe(401);
    expect(refused.wwwAuthenticate?.some((c) => paramValue(c.params, 'stale') === 'true')).toBe(
      false,
    );
    expect(relay.stats.authFailures.get('nonce')).toBe(1);
  });

  it('counts no stale nonce towards maxAuthAttempts: a client reusing its nonce refreshes for ever', async () => {
    // A client that keeps its nonce meets stale=true at each refresh once the nonce aged:
    // the right password, so no failed attempt. Counted, the 3rd refresh closed the connection.
    let skew = 0;
    const { relay, uri } = await startRelay({
      nonceLifetime: 50,
      now: () => Date.now() + skew,
      limits: { maxAuthAttempts: 3 },
    });
    const peer = await rawClient(uri.port!);
    const credentials = { username: 'alice', password: 'alice-secret' };
    let challenges = (await transact(peer, authRequest(peer, uri))).wwwAuthenticate ?? [];
    for (let refresh = 0; refresh < 5; refresh++) {
      skew += 120;
      const aged = answerChallenge(challenges, credentials, formatUri(uri));
      const stale = await transact(peer, authRequest(peer, uri, { authorization: aged }));
      expect(stale.statusCode).toBe(401);
      challenges = stale.wwwAuthenticate ?? [];
      const fresh = answerChallenge(challenges, credentials, formatUri(uri));
      expect(
        (await transact(peer, authRequest(peer, uri, { authorization: fresh }))).statusCode,
      ).toBe(200);
    }
    expect(relay.stats.authFailures.get('stale')).toBe(5);
    expect(relay.sessionCount).toBe(1);
  });

  it('refuses an Authorization whose digest-uri is not the relay it is sent to', async () => {
    const { relay, uri } = await startRelay();
    const peer = await rawClient(uri.port!);
    const challenge = await transact(peer, authRequest(peer, uri));
    const authorization = answerChallenge(
      challenge.wwwAuthenticate ?? [],
      { username: 'alice', password: 'alice-secret' },
      'msrp://elsewhere.example:2855;tcp',
    );
    expect((await transact(peer, authRequest(peer, uri, { authorization }))).statusCode).toBe(400);
    expect(relay.stats.authFailures.get('uri')).toBe(1);
  });

  it('closes a connection after too many failed attempts', async () => {
    const { uri } = await startRelay({ limits: { maxAuthAttempts: 2 } });
    const peer = await rawClient(uri.port!);
    const challenge = await transact(peer, authRequest(peer, uri));
    const authorization = answerChallenge(
      challenge.wwwAuthenticate ?? [],
      { username: 'alice', password: 'guess' },
      formatUri(uri),
    );
    expect((await transact(peer, authRequest(peer, uri, { authorization }))).statusCode).toBe(401);
    expect((await transact(peer, authRequest(peer, uri, { authorization }))).statusCode).toBe(403);
    await peer.closed;
  });
});

describe('Expires', () => {
  it('answers 423 with Min-Expires or Max-Expires out of bounds', async () => {
    const { uri } = await startRelay({ minExpires: 30, maxExpires: 120 });
    const peer = await rawClient(uri.port!);
    expect((await rawAuth(peer, uri, 'alice', { expires: 10 })).minExpires).toBe(30);
    expect((await rawAuth(peer, uri, 'alice', { expires: 10 })).statusCode).toBe(423);
    const tooLong = await rawAuth(peer, uri, 'alice', { expires: 500 });
    expect([tooLong.statusCode, tooLong.maxExpires]).toEqual([423, 120]);
    const ok = await rawAuth(peer, uri, 'alice', { expires: 60 });
    expect([ok.statusCode, ok.expires]).toEqual([200, 60]);
  });

  it('an endpoint asking out of bounds settles on the bound the relay names', async () => {
    const { uri } = await startRelay({ minExpires: 30, maxExpires: 120 });
    const alice = endpoint({
      relays: [{ uri, username: 'alice', password: 'alice-secret', expires: 5000 }],
    });
    await alice.authenticate();
    expect(alice.registration?.expires).toBe(120);
  });

  it('frees the session when it expires: requests to it then get 481', async () => {
    const { relay, uri } = await startRelay({ minExpires: 1 });
    const peer = await rawClient(uri.port!);
    const ok = await rawAuth(peer, uri, 'alice', { expires: 1 });
    expect(relay.sessionCount).toBe(1);
    await eventually(() => relay.sessionCount === 0, 3000, 'expiry');
    const send = await peer.transact({ toPath: [ok.usePath![0]!, peer.uri], body: 'late' });
    expect(send.head.statusCode).toBe(481);
  });

  it('an endpoint refreshes before Expires and keeps its relay URI', async () => {
    const { relay, uri } = await startRelay({ minExpires: 1 });
    const alice = endpoint({
      relays: [{ uri, username: 'alice', password: 'alice-secret', expires: 1 }],
    });
    const first = await alice.authenticate();
    // Two refreshes: the second comes after the first Expires (1 s) has passed.
    const refreshes = (n: number) =>
      new Promise<void>((resolve) => {
        let seen = 0;
        const registration = alice.registration!;
        const on = () => {
          if (++seen < n) return;
          registration.off('refreshed', on);
          resolve();
        };
        registration.on('refreshed', on);
      });
    const started = Date.now();
    await refreshes(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(relay.sessionCount).toBe(1);
    expect(alice.usePath.map(formatUri)).toEqual(first.map(formatUri));
    expect(relay.stats.authSuccesses).toBeGreaterThanOrEqual(2);
  });
});

describe('unauthenticated connections', () => {
  it('are closed when they neither authenticate nor send anything forwardable in time', async () => {
    const { relay, uri } = await startRelay({ limits: { unauthenticatedTimeout: 100 } });
    const idle = await rawClient(uri.port!);
    const authed = await rawClient(uri.port!);
    expect((await rawAuth(authed, uri)).statusCode).toBe(200);
    // A connection opened after `authed` timing out means `authed`'s timeout has passed too.
    const later = await rawClient(uri.port!);
    await idle.closed;
    await later.closed;
    expect(authed.isClosed).toBe(false);
    expect(relay.connectionCount).toBe(1);
  });

  it('one client helper authenticates endpoints for later tests', async () => {
    const { uri } = await startRelay();
    const bob = await clientOf('bob', [uri]);
    expect(bob.usePath).toHaveLength(1);
  });
});
