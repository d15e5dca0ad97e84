// A relay further on (B) ties the relay session it granted through relay A to the connection
// A dialed to it: A must not close that connection for idleness while the session lives, or
// B ends it and the client's Use-Path stops working.
import { describe, expect, it } from 'vitest';
import { formatUri } from '@msrp-ts/msrp-core';
import { Hop } from '../src/hop.js';
import { clientOf, endpoint, next, onCleanup, sessionPair, startRelay } from './helpers.js';

/** Resolves with the first connection A dialed once its idle check ran (and closed it or not). */
function idleCheckOfDialed(): Promise<Hop> {
  const idle = Object.getOwnPropertyDescriptor(Hop.prototype, 'idle')!;
  onCleanup(() => Object.defineProperty(Hop.prototype, 'idle', idle));
  return new Promise((resolve) => {
    Object.defineProperty(Hop.prototype, 'idle', {
      ...idle,
      value(this: Hop): void {
        (idle.value as (this: Hop) => void).call(this);
        if (this.origin.kind === 'outbound') resolve(this);
      },
    });
  });
}

describe('a relay session granted further on', () => {
  it('keeps the connection it was granted through open while it lives', async () => {
    const a = await startRelay({ limits: { idleTimeout: 200 } });
    const b = await startRelay({ limits: { idleTimeout: 200 } });
    const checked = idleCheckOfDialed();
    const alice = await clientOf('alice', [a.uri, b.uri]);
    expect(b.relay.sessionCount).toBe(1);
    // A's connection to B went quiet for idleTimeout: it stays, and B holds alice's session...
    const dialed = await checked;
    expect(dialed.retired).toBe(false);
    // ...for as long as B granted the session (Expires), not for ever.
    const expires = alice.registration!.expires!;
    expect(dialed.grantedUntil).toBeGreaterThan(Date.now());
    expect(dialed.grantedUntil).toBeLessThanOrEqual(Date.now() + expires * 1000);
    expect(b.relay.sessionCount).toBe(1);
    // ...and her Use-Path still reaches her.
    const bob = endpoint();
    await bob.listen({ host: '127.0.0.1', port: 0 });
    const { a: fromAlice, b: toBob } = await sessionPair(alice, bob);
    await fromAlice.send('still here');
    expect((await next(toBob[Symbol.asyncIterator]())).text()).toBe('still here');
    expect(alice.usePath.map(formatUri)).toHaveLength(2);
  });
});
