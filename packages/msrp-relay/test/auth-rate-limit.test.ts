// The failed-AUTH rate limiter and the log budget on their own, with an injected clock.
import { describe, expect, it } from 'vitest';
import { AuthRateLimiter, addressKey } from '../src/auth-rate-limit.js';
import { resolveConfig } from '../src/cli/config.js';
import { HELP } from '../src/cli/help.js';
import { resolveLimits } from '../src/relay-options.js';
import { LogThrottle } from '../src/log-throttle.js';

function limiter(
  overrides: { burst?: number; rate?: number; userBurst?: number; maxEntries?: number } = {},
) {
  const clock = { t: 1_000_000 };
  const l = new AuthRateLimiter({
    perAddress: { burst: overrides.burst ?? 3, rate: overrides.rate ?? 6 },
    perUsername: { burst: overrides.userBurst ?? 100, rate: 6 },
    maxEntries: overrides.maxEntries ?? 100,
    now: () => clock.t,
  });
  return { l, clock };
}

describe('AuthRateLimiter', () => {
  it('allows a burst of failures per address, then refuses it until a token is regained', () => {
    const { l, clock } = limiter({ burst: 3, rate: 6 }); // a token each 10 s
    expect(l.charge('10.0.0.1', 'u')).toBeUndefined();
    expect(l.charge('10.0.0.1', 'u')).toBeUndefined();
    expect(l.refuses('10.0.0.1')).toBeUndefined();
    expect(l.charge('10.0.0.1', 'u')).toBe('address'); // the third empties the bucket
    expect(l.refuses('10.0.0.1', 'u')).toBe('address');
    expect(l.refuses('10.0.0.2', 'v')).toBeUndefined(); // another address is not affected
    clock.t += 9_999;
    expect(l.refuses('10.0.0.1')).toBe('address');
    clock.t += 1;
    expect(l.refuses('10.0.0.1')).toBeUndefined();
    // One guess per token: the guesser is held to the rate.
    expect(l.charge('10.0.0.1', 'u')).toBe('address');
    expect(l.refuses('10.0.0.1')).toBe('address');
  });

  it('gives back what an AUTH that succeeded was charged', () => {
    const { l } = limiter({ burst: 2, userBurst: 2 });
    expect(l.charge('10.0.0.1', 'u')).toBeUndefined();
    expect(l.charge('10.0.0.1', 'u')).toBe('address');
    l.refund('10.0.0.1', 'u');
    expect(l.refuses('10.0.0.1', 'u')).toBeUndefined();
    l.refund('10.0.0.1', 'u');
    l.refund('10.0.0.1', 'u'); // never past full
    expect(l.charge('10.0.0.1', 'u')).toBeUndefined();
    expect(l.charge('10.0.0.1', 'u')).toBe('address');
  });

  it('limits a username tried from many addresses, and leaves other usernames alone', () => {
    const { l } = limiter({ burst: 100, userBurst: 2 });
    expect(l.charge('10.0.0.1', 'dave')).toBeUndefined();
    expect(l.charge('10.0.0.2', 'dave')).toBe('username');
    expect(l.refuses('10.0.0.3', 'dave')).toBe('username');
    expect(l.refuses('10.0.0.3', 'carol')).toBeUndefined();
    expect(l.refuses('10.0.0.3')).toBeUndefined(); // a first AUTH names no one
  });

  it('burst 0 turns a limit off', () => {
    const { l } = limiter({ burst: 0, userBurst: 0 });
    for (let i = 0; i < 50; i++) expect(l.charge('10.0.0.1', 'u')).toBeUndefined();
    expect(l.refuses('10.0.0.1', 'u')).toBeUndefined();
    expect(l.entries).toBe(0);
  });

  it('keeps at most maxEntries buckets of each kind, forgetting the least recently used', () => {
    const { l } = limiter({ burst: 2, userBurst: 2, maxEntries: 10 });
    l.charge('10.0.0.1', 'u0');
    l.charge('10.0.0.1', 'u0'); // 10.0.0.1 and u0 now empty
    for (let i = 1; i < 1000; i++) l.charge(`10.1.${i >> 8}.${i & 255}`, `u${i}`);
    expect(l.entries).toBeLessThanOrEqual(20);
    // The oldest (u0, 10.0.0.1) were forgotten: a peer controls how many names it tries.
    expect(l.refuses('10.0.0.1', 'u0')).toBeUndefined();
  });

  it('forgets buckets that filled up again as it meets them', () => {
    const { l, clock } = limiter({ burst: 3, rate: 6, userBurst: 3 });
    for (let i = 0; i < 5; i++) l.charge(`10.0.0.${i}`, `u${i}`);
    expect(l.entries).toBe(10);
    clock.t += 60_000; // all full again
    for (let i = 0; i < 5; i++) l.charge('10.9.9.9', 'z');
    expect(l.entries).toBe(2);
  });
});

describe('addressKey', () => {
  it('keys IPv4 as is, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

describe('LogThrottle', () => {
  it('writes a burst of lines, then one per token, and says how many it dropped', () => {
    const clock = { t: 0 };
    const throttle = new LogThrottle(2, 60, () => clock.t); // a line a second after the burst
    expect(throttle.allow({})).toBe(true);
    expect(throttle.allow({})).toBe(true);
    for (let i = 0; i < 100; i++) expect(throttle.allow({})).toBe(false);
    clock.t += 1000;
    const fields: Record<string, unknown> = {};
    expect(throttle.allow(fields)).toBe(true);
    expect(fields.unlogged).toBe(100);
    const next: Record<string, unknown> = {};
    clock.t += 1000;
    expect(throttle.allow(next)).toBe(true);
    expect(next.unlogged).toBeUndefined();
  });

  it('tells when the next line may go, and gives the count dropped to a summary', () => {
    const clock = { t: 0 };
    const throttle = new LogThrottle(1, 60, () => clock.t);
    expect(throttle.wait()).toBe(0);
    expect(throttle.allow({})).toBe(true);
    expect(throttle.takeDropped()).toBe(0); // nothing to tell: no token taken
    expect(throttle.wait()).toBe(1000);
    for (let i = 0; i < 5; i++) expect(throttle.allow({})).toBe(false);
    clock.t += 1000;
    expect(throttle.takeDropped()).toBe(5);
    // The summary took the token: the next line waits a second more.
    expect(throttle.wait()).toBe(1000);
    expect(throttle.takeDropped()).toBe(0);
  });
});

describe('AUTH rate limit options', () => {
  it('default to 20 then 10 a minute per address, 10 then 5 per username, 10 000 entries', () => {
    expect(resolveLimits()).toMatchObject({
      authFailureBurst: 20,
      authFailureRate: 10,
      authUserFailureBurst: 10,
      authUserFailureRate: 5,
      authRateLimitEntries: 10_000,
      maxAuthAttempts: 5,
    });
  });

  it('are read from flags, MSRP_RELAY_* and the config file, in that order', () => {
    const file = JSON.stringify({
      'auth-fail-burst': 30,
      'auth-fail-rate': 3,
      'auth-user-fail-burst': 4,
      'auth-rate-entries': 500,
    });
    const config = resolveConfig(
      ['--user', 'a:b', '--config', '/etc/relay.json', '--auth-fail-burst', '40'],
      { MSRP_RELAY_AUTH_FAIL_RATE: '6', MSRP_RELAY_AUTH_USER_FAIL_RATE: '2' },
      () => file,
    )!;
    expect(config.limits).toEqual({
      authFailureBurst: 40,
      authFailureRate: 6,
      authUserFailureBurst: 4,
      authUserFailureRate: 2,
      authRateLimitEntries: 500,
    });
    expect(
      resolveConfig(['--user', 'a:b', '--max-auth-attempts', '3'], {}, () => '')!.limits,
    ).toEqual({ maxAuthAttempts: 3 });
    expect(() =>
      resolveConfig(['--user', 'a:b', '--auth-fail-rate', 'fast'], {}, () => ''),
    ).toThrow(/--auth-fail-rate must be a whole number/);
    for (const flag of [
      '--auth-fail-burst',
      '--auth-fail-rate',
      '--auth-user-fail-burst',
      '--auth-user-fail-rate',
      '--auth-rate-entries',
      '--max-auth-attempts',
    ])
      expect(HELP).toContain(flag);
  });
});
