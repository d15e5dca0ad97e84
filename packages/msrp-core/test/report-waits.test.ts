import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReportWaits, type ReportWaiter } from '../src/session/report-waits.js';

// The success REPORT waits of a session's sends share one timer per timeout
// (session/report-waits.ts): each must still expire at its own time, and no timer may be
// left running once nothing waits (it would keep the process alive).

interface Waiter extends ReportWaiter {
  readonly name: string;
}
const waiter = (name: string): Waiter => ({ name, reportDue: 0, reportMs: undefined });

describe('ReportWaits', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  function waits(): { waits: ReportWaits<Waiter>; expired: string[] } {
    const expired: string[] = [];
    return {
      waits: new ReportWaits<Waiter>((w, ms) => expired.push(`${w.name}@${ms}`)),
      expired,
    };
  }

  it('expires each waiter at its own time, in the order they began, not before', () => {
    const { waits: w, expired } = waits();
    const a = waiter('a');
    const b = waiter('b');
    w.start(a, 1000);
    vi.advanceTimersByTime(400);
    w.start(b, 1000);
    vi.advanceTimersByTime(599);
    expect(expired).toStrictEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toStrictEqual(['a@1000']);
    expect(a.reportMs).toBeUndefined();
    vi.advanceTimersByTime(399);
    expect(expired).toStrictEqual(['a@1000']);
    vi.advanceTimersByTime(1);
    expect(expired).toStrictEqual(['a@1000', 'b@1000']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('expires a shorter timeout begun later first', () => {
    const { waits: w, expired } = waits();
    w.start(waiter('long'), 5000);
    vi.advanceTimersByTime(100);
    w.start(waiter('short'), 200);
    vi.advanceTimersByTime(200);
    expect(expired).toStrictEqual(['short@200']);
    vi.advanceTimersByTime(4700);
    expect(expired).toStrictEqual(['short@200', 'long@5000']);
  });

  it('never expires a waiter that stopped, and leaves no timer once none waits', () => {
    const { waits: w, expired } = waits();
    const a = waiter('a');
    const b = waiter('b');
    w.start(a, 1000);
    w.start(b, 1000);
    w.stop(a);
    expect(vi.getTimerCount()).toBe(1);
    w.stop(b);
    expect(vi.getTimerCount()).toBe(0);
    w.stop(b);
    vi.advanceTimersByTime(5000);
    expect(expired).toStrictEqual([]);
  });

  it('keeps the later waiters when the oldest stopped before the timer fired', () => {
    const { waits: w, expired } = waits();
    const a = waiter('a');
    w.start(a, 1000);
    vi.advanceTimersByTime(500);
    w.start(waiter('b'), 1000);
    w.stop(a);
    vi.advanceTimersByTime(999);
    expect(expired).toStrictEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toStrictEqual(['b@1000']);
  });

  it('starts a waiter again from now when it is started while waiting', () => {
    const { waits: w, expired } = waits();
    const a = waiter('a');
    w.start(a, 1000);
    vi.advanceTimersByTime(800);
    w.start(a, 1000);
    vi.advanceTimersByTime(999);
    expect(expired).toStrictEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toStrictEqual(['a@1000']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
