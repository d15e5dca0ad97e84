// AUTHs that come through another relay (RFC 4976 §5.1: a client authenticates to a further
// relay through the ones before it) share that relay's connection with every other user of
// it: one user's failures must not end the others' relay sessions.
import { describe, expect, it } from 'vitest';
import { MsrpError, formatUri, type Endpoint, type MsrpUri } from '@msrp-ts/msrp-core';
import { clientOf, endpoint, next, sessionPair, startRelay } from './helpers.js';

/** Bob, authenticated at relay `a`, authenticating at `b` through it as `username`. */
function bobThroughA(a: MsrpUri, b: MsrpUri, username: string, password: string): Endpoint {
  return endpoint({
    relays: [
      { uri: a, username: 'bob', password: 'bob-secret' },
      { uri: b, username, password },
    ],
  });
}

/** The statuses of `times` AUTHs of `client`, each of which must be refused. */
async function refusals(client: Endpoint, times: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) {
    const error = await client.authenticate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsrpError);
    statuses.push((error as MsrpError).status!);
  }
  return statuses;
}

describe('AUTH failures through a relay', () => {
  it("one user's wrong passwords do not end another user's session on the far relay", async () => {
    const a = await startRelay();
    const b = await startRelay({ limits: { maxAuthAttempts: 3, authUserFailureBurst: 6 } });
    const alice = await clientOf('alice', [a.uri, b.uri]);
    const bob = await clientOf('bob', [b.uri]);
    const { a: aliceSession, b: bobSession } = await sessionPair(alice, bob);
    const bobInbox = bobSession[Symbol.asyncIterator]();
    await aliceSession.send('before');
    expect((await next(bobInbox)).text()).toBe('before');
    // Bob, through A, gets his password for B wrong, again and again.
    const statuses = await refusals(bobThroughA(a.uri, b.uri, 'bob', 'wrong'), 8);
    // Not cut off by the connection's maxAuthAttempts (3): that connection is A's, not his.
    // His name's rate limit (6) refuses him, with 403, and closes nothing.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 403, 403, 403]);
    expect(b.relay.sessionCount).toBe(2);
    await aliceSession.send('after');
    expect((await next(bobInbox)).text()).toBe('after');
    // Alice's refresh through A still gets in, to the same relay session.
    const usePath = alice.usePath.map(formatUri);
    expect((await alice.registration!.authenticate()).map(formatUri)).toEqual(usePath);
    expect(b.relay.sessionCount).toBe(2);
  });

  it("a name's rate limit holds for guessers behind the relay its owner came through", async () => {
    const a = await startRelay();
    const b = await startRelay({ limits: { authUserFailureBurst: 2, maxAuthAttempts: 100 } });
    const alice = await clientOf('alice', [a.uri, b.uri]);
    // Bob, through A (whose connection to B holds alice's relay session), guesses hers at B.
    const statuses = await refusals(bobThroughA(a.uri, b.uri, 'alice', 'guess'), 4);
    expect(statuses).toEqual([401, 403, 403, 403]);
    // Alice herself, refreshing over that connection, is not refused by her name's limit.
    const usePath = alice.usePath.map(formatUri);
    expect((await alice.registration!.authenticate()).map(formatUri)).toEqual(usePath);
  });
});
