// Unit tests of the transaction table's queue (issue 12): requests are matched at the head
// when answered in order, by an index when not, in a ring whose slots are reused and whose
// size follows the requests waiting, not the ones answered.
import { describe, expect, it } from 'vitest';
import { PendingQueue } from '../src/session/pending-queue.js';

type Settle = (label: string) => void;

function queue(): { q: PendingQueue<Settle>; log: string[]; settle: Settle } {
  const log: string[] = [];
  return { q: new PendingQueue<Settle>(), log, settle: (label) => log.push(label) };
}

describe('PendingQueue', () => {
  it('takes requests answered in order, reusing its slots (the ring does not grow)', () => {
    const { q, settle } = queue();
    for (let i = 0; i < 64; i++) q.add(`t${i}`, settle, i, 1000 + i);
    const capacity = q.capacity;
    for (let i = 64; i < 100_064; i++) {
      const taken = q.take(`t${i - 64}`);
      expect(taken?.datum).toBe(i - 64);
      q.add(`t${i}`, settle, i, 1000 + i);
    }
    expect(q.size).toBe(64);
    expect(q.capacity).toBe(capacity);
    expect(capacity).toBeLessThanOrEqual(128);
  });

  it('takes requests answered out of order, and none twice; unknown ids take nothing', () => {
    const { q, settle } = queue();
    for (const id of ['a', 'b', 'c', 'd']) q.add(id, settle, id.charCodeAt(0), 0);
    expect(q.take('zz')).toBeUndefined();
    expect(q.take('c')?.datum).toBe(99);
    expect(q.take('c')).toBeUndefined();
    expect(q.take('a')?.datum).toBe(97);
    q.add('e', settle, 101, 0);
    expect(q.take('e')?.datum).toBe(101);
    expect(q.take('d')?.datum).toBe(100);
    expect(q.take('b')?.datum).toBe(98);
    expect(q.size).toBe(0);
    expect(q.take('b')).toBeUndefined();
    // Empty again: back to matching at the head.
    q.add('f', settle, 102, 0);
    expect(q.take('f')?.datum).toBe(102);
  });

  it('stays small while its oldest request waits and the ones after it are answered', () => {
    const { q, settle } = queue();
    q.add('stuck', settle, -1, 5);
    for (let i = 0; i < 10_000; i++) {
      q.add(`t${i}`, settle, i, 10);
      expect(q.take(`t${i}`)?.datum).toBe(i);
    }
    expect(q.size).toBe(1);
    expect(q.capacity).toBeLessThanOrEqual(32);
    for (let i = 0; i < 20; i++) q.add(`late${i}`, settle, i, 20 + i);
    expect(q.take('late7')?.datum).toBe(7);
    expect(q.take('stuck')?.datum).toBe(-1);
    expect(q.size).toBe(19);
  });

  it('takes out the expired requests, oldest first, and says when the next one expires', () => {
    const { q, log } = queue();
    for (let i = 0; i < 5; i++) q.add(`t${i}`, (l) => log.push(l), i, 100 + i * 10);
    q.take('t1');
    const { expired, next } = q.takeExpired(125);
    expect(expired.map((r) => r.id)).toEqual(['t0', 't2']);
    expect(next).toBe(130);
    expect(q.size).toBe(2);
    expect(q.takeAll().map((r) => [r.id, r.datum])).toEqual([
      ['t3', 3],
      ['t4', 4],
    ]);
    expect(q.size).toBe(0);
    expect(q.take('t3')).toBeUndefined();
  });
});
