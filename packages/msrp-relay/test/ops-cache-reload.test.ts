// SIGHUP empties the users-db cache (PgCredentialStore.clearCache) so that a changed password
// counts at once: a lookup already in flight then must not put the old one back.
import { describe, expect, it } from 'vitest';
import { CredentialCache } from '../src/credential-cache.js';

/** A lookup the test answers when it wants. */
function held<V>(): { load: () => Promise<V>; answer: (v: V) => void; calls: () => number } {
  let calls = 0;
  let answer: (v: V) => void = () => {};
  return {
    load: () => {
      calls++;
      return new Promise<V>((resolve) => (answer = resolve));
    },
    answer: (v) => answer(v),
    calls: () => calls,
  };
}

describe('the credential cache emptied while a lookup is in flight', () => {
  it('answers that lookup, but neither caches it nor shares it with lookups after the clear', async () => {
    const cache = new CredentialCache<string>();
    const old = held<string>();
    const before = cache.get('alice', old.load);
    // The password changes in the database; the operator reloads.
    cache.clear();
    const fresh = held<string>();
    const after = cache.get('alice', fresh.load);
    expect(fresh.calls()).toBe(1);
    old.answer('old-ha1');
    expect(await before).toBe('old-ha1');
    fresh.answer('new-ha1');
    expect(await after).toBe('new-ha1');
    const later = held<string>();
    expect(await cache.get('alice', later.load)).toBe('new-ha1');
    expect(later.calls()).toBe(0);
  });

  it('an old lookup ending after the clear caches nothing: the next one asks again', async () => {
    const cache = new CredentialCache<string>();
    const old = held<string>();
    const before = cache.get('alice', old.load);
    cache.clear();
    old.answer('old-ha1');
    await before;
    const next = held<string>();
    const asked = cache.get('alice', next.load);
    expect(next.calls()).toBe(1);
    next.answer('new-ha1');
    expect(await asked).toBe('new-ha1');
    expect(cache.size).toBe(1);
  });
});
