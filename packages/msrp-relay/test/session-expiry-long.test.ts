// Relay sessions granted for longer than a timer can wait (2^31 - 1 ms, 24.8 days): Node
// fires such a timer after 1 ms, and the relay's expiry sweep re-armed it every millisecond.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Hop } from '../src/hop.js';
import { RelaySession } from '../src/relay-session.js';
import { SessionExpiry } from '../src/session-expiry.js';
import { onCleanup, rawAuth, rawClient, startRelay } from './helpers.js';

const DAY = 86_400_000;

const session = (id: string): RelaySession =>
  new RelaySession(
    id,
    { scheme: 'msrp', host: '127.0.0.1', port: 2855, sessionId: id, transport: 'tcp', params: [] },
    'alice',
    {} as Hop,
    [],
  );

describe('SessionExpiry of a session longer than a timer can wait', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => void vi.useRealTimers());

  it('expires it on time, after a few timers, not one a millisecond', () => {
    const expired: string[] = [];
    const expiry = new SessionExpiry((s) => expired.push(s.id));
    const due = Date.now() + 60 * DAY;
    expiry.set(session('long'), due);
    // A wait past 2^31 - 1 ms fires at once (after 1 ms): the sweep found nothing due and
    // armed the same wait again, every millisecond for 60 days.
    let timers = 0;
    while (expired.length === 0 && timers < 10) {
      vi.advanceTimersToNextTimer();
      timers++;
      if (Date.now() < due) expect(expired).toEqual([]);
    }
    expect(expired).toEqual(['long']);
    expect(Date.now()).toBeGreaterThanOrEqual(due);
    expect(Date.now()).toBeLessThanOrEqual(due + 1000);
    expect(vi.getTimerCount()).toBe(0);
  });
});

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
