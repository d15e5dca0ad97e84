// SessionExpiry: one timer for all of a relay's sessions (issue 13, memory per idle session).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Hop } from '../src/hop.js';
import { RelaySession } from '../src/relay-session.js';
import { SessionExpiry } from '../src/session-expiry.js';

const session = (id: string): RelaySession =>
  new RelaySession(
    id,
    { scheme: 'msrp', host: '127.0.0.1', port: 2855, sessionId: id, transport: 'tcp', params: [] },
    'alice',
    {} as Hop,
    [],
  );

beforeEach(() => void vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => void vi.useRealTimers());

describe('SessionExpiry', () => {
  it('expires each session within a second after its time, with one timer for all', () => {
    const expired: string[] = [];
    const expiry = new SessionExpiry((s) => expired.push(s.id));
    const sessions = Array.from({ length: 1000 }, (_, i) => session(`s${i}`));
    sessions.forEach((s, i) => expiry.set(s, Date.now() + 60_000 + (i % 10) * 1000));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(59_999);
    expect(expired).toHaveLength(0);
    vi.advanceTimersByTime(1001);
    // Those due at +60 s, none of those due later.
    expect(expired).toHaveLength(100);
    vi.advanceTimersByTime(9000);
    expect(expired).toHaveLength(1000);
    expect(sessions.every((s) => s.expiresAt === 0)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('moves a refreshed session, and forgets a deleted one', () => {
    const expired: string[] = [];
    const expiry = new SessionExpiry((s) => expired.push(s.id));
    const [a, b, c] = [session('a'), session('b'), session('c')];
    expiry.set(a, Date.now() + 5000);
    expiry.set(b, Date.now() + 5000);
    expiry.set(c, Date.now() + 5000);
    expiry.set(a, Date.now() + 20_000);
    expiry.delete(b);
    vi.advanceTimersByTime(6000);
    expect(expired).toEqual(['c']);
    vi.advanceTimersByTime(15_000);
    expect(expired).toEqual(['c', 'a']);
  });

  it('arms for an earlier session set after a later one, and stops', () => {
    const expired: string[] = [];
    const expiry = new SessionExpiry((s) => expired.push(s.id));
    expiry.set(session('late'), Date.now() + 60_000);
    expiry.set(session('soon'), Date.now() + 2000);
    vi.advanceTimersByTime(3000);
    expect(expired).toEqual(['soon']);
    expiry.stop();
    vi.advanceTimersByTime(120_000);
    expect(expired).toEqual(['soon']);
  });

  it('expires a session granted longer than a timer can wait on time, after a few timers', () => {
    const expired: string[] = [];
    const expiry = new SessionExpiry((s) => expired.push(s.id));
    const due = Date.now() + 60 * 86_400_000;
    expiry.set(session('long'), due);
    // A wait past 2^31 - 1 ms (24.8 days) fires after 1 ms: the sweep found nothing due and
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
