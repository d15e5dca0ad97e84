// The is-composing state machines with the RFC 3994 timers, on fake timers (no sleeping):
// our ComposingSender (idle timeout, refresh, silent idle on send) and the peer's
// ComposingReceiver (refresh timeout, idle on a status or a content message).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ComposingReceiver,
  ComposingSender,
  formatIsComposing,
  parseIsComposing,
  type ComposingTimers,
  type IsComposing,
} from '../src/index.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-30T00:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

function sender(options: Partial<ConstructorParameters<typeof ComposingSender>[0]> = {}): {
  s: ComposingSender;
  sent: IsComposing[];
} {
  const sent: IsComposing[] = [];
  const s = new ComposingSender({ send: (status) => sent.push(status), ...options });
  return { s, sent };
}

describe('ComposingSender', () => {
  it('sends active once on the first keystroke, with the refresh interval', () => {
    const { s, sent } = sender({ contenttype: 'text/plain' });
    s.typing();
    s.typing();
    vi.advanceTimersByTime(5_000);
    s.typing();
    expect(sent).toEqual([{ state: 'active', refresh: 120, contenttype: 'text/plain' }]);
    expect(s.state).toBe('active');
  });

  it('goes idle 15 s after the last keystroke and says so, with lastactive', () => {
    const { s, sent } = sender();
    s.typing();
    vi.advanceTimersByTime(10_000);
    s.typing(); // restarts the idle timeout
    vi.advanceTimersByTime(14_999);
    expect(s.state).toBe('active');
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(s.state).toBe('idle');
    expect(sent[1]).toEqual({ state: 'idle', lastactive: new Date('2026-11-30T00:00:10Z') });
  });

  it('refreshes active once half the interval has passed, never more often', () => {
    const { s, sent } = sender();
    // Typing every 10 s for 3 minutes: refreshes at 60 s, 120 s and 180 s only.
    for (let t = 0; t <= 180_000; t += 10_000) {
      s.typing();
      vi.advanceTimersByTime(10_000);
    }
    const states = sent.map((status) => status.state);
    expect(states).toEqual(['active', 'active', 'active', 'active']);
  });

  it('lets the receiver see a refresh before its refresh timeout, with the minimum interval', () => {
    const { s, sent } = sender({ refresh: 60 });
    const peer = new ComposingReceiver();
    const idle = vi.fn();
    peer.on('idle', idle);
    const deliver = (): void => {
      for (const status of sent.splice(0))
        peer.receive(parseIsComposing(formatIsComposing(status)));
    };
    // Keystrokes 14 s apart, the slowest that keeps us active, for 5 minutes.
    for (let t = 0; t < 300_000; t += 14_000) {
      s.typing();
      deliver();
      vi.advanceTimersByTime(14_000);
    }
    expect(idle).not.toHaveBeenCalled();
    expect(peer.state).toBe('active');
  });

  it("takes a peer's refresh past 24.8 days as 24.8 days, not as 1 ms", () => {
    // A timer past 2^31 - 1 ms fires at once: refresh 99999999 showed "stopped typing" at once.
    const peer = new ComposingReceiver();
    const idle = vi.fn();
    peer.on('idle', idle);
    peer.receive({ state: 'active', refresh: 99_999_999 });
    vi.advanceTimersByTime(60_000);
    expect(peer.state).toBe('active');
    vi.advanceTimersByTime(2 ** 31);
    expect(idle).toHaveBeenCalledTimes(1);
  });

  it('goes idle silently when the message is sent (RFC 3994 §3.3)', () => {
    const { s, sent } = sender();
    s.typing();
    s.sent();
    expect(s.state).toBe('idle');
    vi.advanceTimersByTime(60_000);
    expect(sent).toEqual([{ state: 'active', refresh: 120 }]);
    s.typing(); // a new message: active again
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ state: 'active' });
  });

  it('sends idle at once on idle(), and nothing when already idle', () => {
    const { s, sent } = sender();
    s.idle();
    expect(sent).toEqual([]);
    s.typing();
    s.idle();
    expect(sent.map((x) => x.state)).toEqual(['active', 'idle']);
    vi.advanceTimersByTime(30_000);
    expect(sent).toHaveLength(2);
  });

  it('sends nothing after close()', () => {
    const { s, sent } = sender();
    s.typing();
    s.close();
    vi.advanceTimersByTime(30_000);
    s.typing();
    expect(sent).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('hands a failed send (thrown or rejected) to onError, and carries on', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const s = new ComposingSender({
      send: () => {
        calls++;
        if (calls === 1) throw new Error('closed');
        return Promise.reject(new Error('gone'));
      },
      onError: (e) => errors.push(e),
    });
    s.typing();
    expect(s.state).toBe('active');
    vi.advanceTimersByTime(15_000); // the idle timer's send rejects
    await vi.waitFor(() => expect(errors).toHaveLength(2));
    expect(errors.map((e) => (e as Error).message)).toEqual(['closed', 'gone']);
    expect(s.state).toBe('idle');
    // Without onError, a rejection is swallowed rather than left unhandled.
    const quiet = new ComposingSender({ send: () => Promise.reject(new Error('x')) });
    expect(() => quiet.typing()).not.toThrow();
  });

  it('refuses a refresh under 60 s (RFC 3994 §3.2) and a non-positive idle timeout', () => {
    expect(() => sender({ refresh: 59 })).toThrow(
      expect.objectContaining({ code: 'MSRP_ERR_INVALID_ARGUMENT' }),
    );
    expect(() => sender({ idleTimeout: 0 })).toThrow(
      expect.objectContaining({ code: 'MSRP_ERR_INVALID_ARGUMENT' }),
    );
  });

  it('runs on injected timers and clock', () => {
    let now = 1_000_000;
    const pending = new Map<number, { at: number; callback: () => void }>();
    let nextId = 1;
    const timers: ComposingTimers = {
      setTimeout: (callback, ms) => {
        pending.set(nextId, { at: now + ms, callback });
        return nextId++;
      },
      clearTimeout: (handle) => pending.delete(handle as number),
      now: () => now,
    };
    const advance = (ms: number): void => {
      now += ms;
      for (const [id, t] of [...pending]) {
        if (t.at <= now) {
          pending.delete(id);
          t.callback();
        }
      }
    };
    const { s, sent } = sender({ timers, idleTimeout: 5_000 });
    s.typing();
    advance(4_000);
    expect(sent).toHaveLength(1);
    advance(1_000);
    expect(sent[1]).toEqual({ state: 'idle', lastactive: new Date(1_000_000) });
    expect(pending.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0); // nothing on the global timers
  });
});

describe('ComposingReceiver', () => {
  function receiver(defaultRefresh?: number): {
    r: ComposingReceiver;
    events: Array<[string, IsComposing | undefined]>;
  } {
    const r = new ComposingReceiver(defaultRefresh === undefined ? {} : { defaultRefresh });
    const events: Array<[string, IsComposing | undefined]> = [];
    r.on('composing', (s) => events.push(['composing', s]));
    r.on('idle', (s) => events.push(['idle', s]));
    return { r, events };
  }

  it('emits composing on active, once, and idle on an idle status', () => {
    const { r, events } = receiver();
    const active: IsComposing = { state: 'active', refresh: 90 };
    r.receive(active);
    r.receive(active);
    const idle: IsComposing = { state: 'idle', lastactive: new Date() };
    r.receive(idle);
    r.receive(idle);
    expect(events).toEqual([
      ['composing', active],
      ['idle', idle],
    ]);
    expect(r.state).toBe('idle');
  });

  it('falls back to idle when no refresh comes within the refresh interval', () => {
    const { r, events } = receiver();
    r.receive({ state: 'active', refresh: 90 });
    vi.advanceTimersByTime(89_999);
    expect(r.state).toBe('active');
    vi.advanceTimersByTime(1);
    expect(r.state).toBe('idle');
    expect(events.at(-1)).toEqual(['idle', undefined]);
  });

  it('restarts the interval on each refresh', () => {
    const { r, events } = receiver();
    r.receive({ state: 'active', refresh: 60 });
    vi.advanceTimersByTime(50_000);
    r.receive({ state: 'active', refresh: 60 });
    vi.advanceTimersByTime(50_000);
    expect(r.state).toBe('active');
    vi.advanceTimersByTime(10_000);
    expect(r.state).toBe('idle');
    expect(events.map(([name]) => name)).toEqual(['composing', 'idle']);
  });

  it('uses 120 s when active carries no refresh, or the default it is given', () => {
    const { r } = receiver();
    r.receive({ state: 'active' });
    vi.advanceTimersByTime(119_999);
    expect(r.state).toBe('active');
    vi.advanceTimersByTime(1);
    expect(r.state).toBe('idle');
    const short = receiver(30).r;
    short.receive({ state: 'active' });
    vi.advanceTimersByTime(30_000);
    expect(short.state).toBe('idle');
  });

  it('goes idle on a content message (RFC 3994 §3.3), and stops its timer', () => {
    const { r, events } = receiver();
    r.messageReceived(); // idle already: no event
    r.receive({ state: 'active' });
    r.messageReceived();
    expect(events).toEqual([
      ['composing', { state: 'active' }],
      ['idle', undefined],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('emits nothing after close()', () => {
    const { r, events } = receiver();
    r.receive({ state: 'active' });
    r.close();
    vi.advanceTimersByTime(200_000);
    r.receive({ state: 'active' });
    r.messageReceived();
    expect(events.map(([name]) => name)).toEqual(['composing']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
