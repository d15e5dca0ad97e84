// A relay restarted between a challenge and its answer: the nonce is not its own any more.
import { describe, expect, it } from 'vitest';
import { formatUri, type AuthHeader, type RequestHead } from '@msrp-ts/msrp-core';
import { RelayRegistration, answerChallenge, paramValue } from '@msrp-ts/msrp-core/internal';
import { USERS, authRequest, rawClient, startRelay, transact } from './helpers.js';

const isStale = (c: AuthHeader): boolean => paramValue(c.params, 'stale') === 'true';

describe('a nonce of another relay process', () => {
  it('gets 401 stale=true when the digest is right for it, a plain 401 when not', async () => {
    // Two relays with the same users and realm stand for one relay before and after a restart.
    const before = await startRelay();
    const after = await startRelay();
    const toBefore = await rawClient(before.uri.port!);
    const challenge = await transact(toBefore, authRequest(toBefore, before.uri));
    const peer = await rawClient(after.uri.port!);
    const answer = (password: string) =>
      answerChallenge(
        challenge.wwwAuthenticate ?? [],
        { username: 'alice', password },
        formatUri(after.uri),
      );

    const stale = await transact(
      peer,
      authRequest(peer, after.uri, { authorization: answer('alice-secret') }),
    );
    expect(stale.statusCode).toBe(401);
    expect(stale.wwwAuthenticate?.length).toBeGreaterThan(0);
    expect(stale.wwwAuthenticate?.every(isStale)).toBe(true);
    expect(after.relay.stats.authFailures.get('stale')).toBe(1);

    const wrong = await transact(
      peer,
      authRequest(peer, after.uri, { authorization: answer('not-the-secret') }),
    );
    expect(wrong.statusCode).toBe(401);
    expect(wrong.wwwAuthenticate?.some(isStale)).toBe(false);
    expect(after.relay.stats.authFailures.get('nonce')).toBe(1);
    expect(after.relay.sessionCount).toBe(0);
  });

  it('RelayRegistration then retries with the fresh nonce, without asking for the password', async () => {
    const before = await startRelay();
    const after = await startRelay();
    const toBefore = await rawClient(before.uri.port!);
    const peer = await rawClient(after.uri.port!);
    let challengedBefore = false;
    const sent: RequestHead[] = [];
    const password = USERS.find((u) => u.username === 'alice')!.password;
    const registration = new RelayRegistration(
      {
        connect: () => Promise.resolve(peer),
        request: (_connection, head) => {
          sent.push(head);
          if (!challengedBefore) {
            // The first challenge came from the relay's previous process.
            challengedBefore = true;
            return transact(toBefore, { ...head, toPath: [before.uri] });
          }
          return transact(peer, head);
        },
      },
      [{ uri: after.uri, username: 'alice', password }],
      peer.uri,
    );
    const usePath = await registration.authenticate();
    registration.close();
    expect(usePath).toHaveLength(1);
    expect(usePath[0]!.port).toBe(after.uri.port);
    expect(after.relay.sessionCount).toBe(1);
    // No challenge, the old nonce (stale), the new nonce (200).
    expect(sent.map((h) => h.authorization !== undefined)).toEqual([false, true, true]);
    expect(after.relay.stats.authFailures.get('stale')).toBe(1);
    expect(after.relay.stats.authSuccesses).toBe(1);
  });
});
