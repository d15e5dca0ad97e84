// The route a hop's last request took is reused for the next with the same paths (issue 13:
// relay allocation per message); it must never outlive the relay sessions it was decided by.
import { describe, expect, it } from 'vitest';
import { eventually, rawAuth, rawClient, startRelay } from './helpers.js';

describe('route reuse', () => {
  it('a repeated route is refused with 481 once a relay session on it expired', async () => {
    const { relay, uri } = await startRelay({ minExpires: 1 });
    const alice = await rawClient(uri.port!);
    const bob = await rawClient(uri.port!);
    const bobUri = (await rawAuth(bob, uri, 'bob', { expires: 1 })).usePath![0]!;
    // From a stranger to bob's relay session: to bob's connection (RFC 4976 §7.1).
    const toPath = [bobUri, bob.uri];
    // The same header lines each time: the parser hands the relay the same path values.
    const first = await alice.transact({ toPath, body: 'one' });
    expect(first.head.statusCode).toBe(200);
    expect((await bob.request('SEND')).head.toPath).toEqual([bob.uri]);
    const second = await alice.transact({ toPath, body: 'two' });
    expect(second.head.statusCode).toBe(200);
    await bob.request('SEND');
    await eventually(() => relay.sessionCount === 0, 3000, "bob's session to expire");
    // RFC 4976 §7.1: bob's relay session is gone, so the same route now gets 481.
    const late = await alice.transact({ toPath, body: 'late' });
    expect(late.head.statusCode).toBe(481);
  });

  it('a repeated route from a client to its own session goes to the next hop', async () => {
    const { uri } = await startRelay();
    const alice = await rawClient(uri.port!);
    const bob = await rawClient(uri.port!);
    const aliceUri = (await rawAuth(alice, uri, 'alice')).usePath![0]!;
    const bobUri = (await rawAuth(bob, uri, 'bob')).usePath![0]!;
    // Bob's own session, then alice's: two relay sessions crossed, ending at alice's client.
    const toPath = [bobUri, aliceUri, alice.uri];
    for (const body of ['one', 'two', 'three']) {
      expect((await bob.transact({ toPath, body })).head.statusCode).toBe(200);
      const got = await alice.request('SEND');
      expect(got.head.fromPath).toEqual([aliceUri, bobUri, bob.uri]);
      expect(Buffer.from(got.body).toString()).toBe(body);
    }
  });
});
