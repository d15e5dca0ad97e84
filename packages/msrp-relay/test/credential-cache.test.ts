// The cache in front of database credential stores: TTLs, negative caching, its bound,
// shared lookups in flight, failures not cached.
import { describe, expect, it } from 'vitest';
import { CredentialCache } from '../src/index.js';

describe('CredentialCache', () => {
  it('keeps found values for ttl and misses for negativeTtl, by its clock', async () => {
    let now = 0;
    const cache = new CredentialCache<string>({ ttl: 1000, negativeTtl: 100 }, () => now);
    let loads = 0;
    const load = (value: string | undefined) => () => {
      loads++;
      return Promise.resolve(value);
    };
    expect(await cache.get('alice', load('a'))).toBe('a');
    expect(await cache.get('nobody', load(undefined))).toBeUndefined();
    now = 99;
    expect(await cache.get('alice', load('changed'))).toBe('a');
    expect(await cache.get('nobody', load('late'))).toBeUndefined();
    expect(loads).toBe(2);
    now = 100;
    expect(await cache.get('nobody', load('late'))).toBe('late');
    now = 1000;
    expect(await cache.get('alice', load('changed'))).toBe('changed');
    expect(loads).toBe(4);
  });

  it('shares a lookup in flight and does not cache failures', async () => {
    const cache = new CredentialCache<string>();
    let loads = 0;
    let hits = 0;
    let release!: (value: string) => void;
    const slow = (): Promise<string> => {
      loads++;
      return new Promise((resolve) => (release = resolve));
    };
    const waiting = Array.from({ length: 5 }, () => cache.get('alice', slow, () => hits++));
    release('a');
    expect(await Promise.all(waiting)).toEqual(['a', 'a', 'a', 'a', 'a']);
    expect({ loads, hits }).toEqual({ loads: 1, hits: 4 });

    const down = (): Promise<string> => Promise.reject(new Error('database down'));
    await expect(cache.get('bob', down)).rejects.toThrow('database down');
    expect(await cache.get('bob', () => Promise.resolve('b'))).toBe('b');
  });

  it('holds at most maxEntries, dropping the oldest; ttl 0 caches nothing', async () => {
    const cache = new CredentialCache<string>({ maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) await cache.get(key, () => Promise.resolve(key));
    expect(cache.size).toBe(2);
    let loaded = false;
    await cache.get('a', () => ((loaded = true), Promise.resolve('a')));
    expect(loaded).toBe(true);

    const none = new CredentialCache<string>({ ttl: 0, negativeTtl: 0 });
    await none.get('a', () => Promise.resolve('a'));
    expect(none.size).toBe(0);
  });
});
