// A relay granting sessions for longer than a timer can wait (2^31 - 1 ms, 24.8 days): Node
// fires such a timer after 1 ms (with a warning), and the relay's expiry sweep re-armed it
// every millisecond. SessionExpiry's own case is in session-expiry.test.ts.
import { describe, expect, it } from 'vitest';
import { onCleanup, rawAuth, rawClient, startRelay } from './helpers.js';

const DAY = 86_400_000;

describe('a relay granting a session longer than a timer can wait', () => {
  it('grants it without a timer overflowing', async () => {
    const overflows: Error[] = [];
    const onWarning = (w: Error): void =>
      void (w.name === 'TimeoutOverflowWarning' && overflows.push(w));
    process.on('warning', onWarning);
    onCleanup(() => process.off('warning', onWarning));
    const thirtyDays = (30 * DAY) / 1000;
    const { relay, uri } = await startRelay({ maxExpires: thirtyDays });
    const peer = await rawClient(uri.port!);
    const ok = await rawAuth(peer, uri, 'alice', { expires: thirtyDays });
    expect([ok.statusCode, ok.expires]).toEqual([200, thirtyDays]);
    expect(relay.sessionCount).toBe(1);
    // The timer was armed before the 200 went out; Node warns of an overflow on the next tick.
    expect(overflows).toEqual([]);
  });
});
