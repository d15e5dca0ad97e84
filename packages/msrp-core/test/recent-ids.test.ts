import { describe, expect, it } from 'vitest';
import { RecentIds } from '../src/session/recent-ids.js';

describe('RecentIds', () => {
  it('remembers the last `capacity` ids with their values, forgetting the oldest first', () => {
    const ids = new RecentIds<number>(3);
    for (let i = 1; i <= 5; i++) ids.add(`id${i}`, i);
    expect([1, 2, 3, 4, 5].map((i) => ids.get(`id${i}`))).toEqual([undefined, undefined, 3, 4, 5]);
    expect(ids.has('id2')).toBe(false);
    expect(ids.has('id3')).toBe(true);
  });

  it('keeps an id added again as the newest, with its new value', () => {
    const ids = new RecentIds<string>(3);
    ids.add('a', 'first');
    ids.add('b', 'b');
    ids.add('a', 'again');
    ids.add('c', 'c');
    ids.add('d', 'd');
    // b was the oldest: forgotten; a was added again after b, so it stays.
    expect(ids.get('a')).toBe('again');
    expect(ids.has('b')).toBe(false);
    expect(ids.get('d')).toBe('d');
    for (let i = 0; i < 3; i++) ids.add(`x${i}`, 'x');
    expect(ids.has('a')).toBe(false);
    expect(ids.has('c')).toBe(false);
  });

  it('keeps an id added again while its table is kept (a lookup came first)', () => {
    const ids = new RecentIds<string>(3);
    expect(ids.has('a')).toBe(false);
    ids.add('a', 'first');
    ids.add('b', 'b');
    ids.add('a', 'again');
    ids.add('c', 'c');
    // a's older slot was emptied: forgetting the oldest (that slot) keeps a.
    expect([ids.get('a'), ids.has('b'), ids.get('c')]).toEqual(['again', true, 'c']);
    ids.add('d', 'd');
    expect([ids.get('a'), ids.has('b'), ids.get('d')]).toEqual(['again', false, 'd']);
  });

  it('keeps an id added again when it is the one to forget next', () => {
    const ids = new RecentIds<number>(2);
    ids.add('a', 1);
    ids.add('b', 2);
    // The oldest is a itself: it becomes the newest, nothing is forgotten.
    ids.add('a', 3);
    expect([ids.get('a'), ids.get('b')]).toEqual([3, 2]);
    ids.add('c', 4);
    expect([ids.get('a'), ids.has('b'), ids.get('c')]).toEqual([3, false, 4]);
  });

  it('stays within its capacity over many ids', () => {
    const ids = new RecentIds<number>(256);
    for (let i = 0; i < 10_000; i++) ids.add(`m${i}`, i);
    let held = 0;
    for (let i = 0; i < 10_000; i++) if (ids.has(`m${i}`)) held++;
    expect(held).toBe(256);
    expect(ids.get('m9999')).toBe(9999);
    expect(ids.has('m9743')).toBe(false);
  });
});

describe('RecentIds without lookups', () => {
  it('finds ids added before its first lookup, the newest value of an id added twice', () => {
    const ids = new RecentIds<number>(4);
    for (let i = 0; i < 6; i++) ids.add(`m${i}`, i);
    ids.add('m4', 40);
    // The ring holds m3 m4 m5 m4: m4 twice until the table is built.
    expect([0, 1, 2].map((i) => ids.has(`m${i}`))).toEqual([false, false, false]);
    expect([ids.get('m3'), ids.get('m4'), ids.get('m5')]).toEqual([3, 40, 5]);
    // m4's older slot was emptied: the next id takes it, and m4 is forgotten only once its
    // newest add ages out.
    ids.add('x', 0);
    ids.add('y', 0);
    expect([ids.has('m3'), ids.get('m4'), ids.has('m5')]).toEqual([false, 40, true]);
    ids.add('z', 0);
    expect([ids.get('m4'), ids.has('m5')]).toEqual([40, false]);
    ids.add('w', 0);
    expect(ids.has('m4')).toBe(false);
  });

  it('answers the same after letting its table go and building it again', () => {
    const ids = new RecentIds<number>(8);
    const held = (): number[] =>
      Array.from({ length: 40 }, (_, i) => i).filter((i) => ids.has(`m${i}`));
    for (let i = 0; i < 10; i++) ids.add(`m${i}`, i);
    expect(held()).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    // More than `capacity` adds without a lookup: the table is let go, then built again.
    for (let i = 10; i < 30; i++) ids.add(`m${i}`, i);
    expect(held()).toEqual([22, 23, 24, 25, 26, 27, 28, 29]);
    for (let i = 30; i < 33; i++) ids.add(`m${i}`, i);
    expect(held()).toEqual([25, 26, 27, 28, 29, 30, 31, 32]);
    expect(ids.get('m32')).toBe(32);
  });
});
