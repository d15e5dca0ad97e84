// The relay's table of requests awaiting a response on one connection (pending-table.ts).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PendingForward } from '../src/hop.js';
import { PendingTable } from '../src/pending-table.js';

const value = (n: number): PendingForward => ({ offset: n }) as unknown as PendingForward;
/** A SEND chunk with Failure-Report "partial": its next hop sends no 200 (RFC 4975 §7.1.2). */
const partial = (n: number): PendingForward =>
  ({
    offset: n,
    kind: 'report',
    request: { failureReport: 'partial' },
  }) as unknown as PendingForward;
const offsets = (table: PendingTable): number[] => [...table].map(([, v]) => v.offset);

describe('PendingTable', () => {
  afterEach(() => vi.useRealTimers());

  it('finds entries taken in order, out of order and missing, through growth and holes', () => {
    const table = new PendingTable(() => undefined);
    for (let i = 0; i < 20; i++) table.set(`t${i}`, value(i));
    expect(table.size).toBe(20);
    expect(table.take('t0')?.offset).toBe(0);
    expect(table.take('t7')?.offset).toBe(7);
    expect(table.take('t7')).toBeUndefined();
    expect(table.delete('nope')).toBe(false);
    expect(table.get('t19')?.offset).toBe(19);
    // Wrapped around the ring and squeezed: the order and every entry stay.
    for (let i = 20; i < 40; i++) table.set(`t${i}`, value(i));
    for (let i = 1; i < 30; i += 2) table.delete(`t${i}`);
    for (let i = 40; i < 60; i++) table.set(`t${i}`, value(i));
    const left = offsets(table);
    expect(left).toEqual([...left].sort((a, b) => a - b));
    expect(left).toHaveLength(60 - 2 - 14);
    for (const n of left) expect(table.take(`t${n}`)?.offset).toBe(n);
    expect(table.size).toBe(0);
    expect(offsets(table)).toEqual([]);
  });

  it('lets entries be deleted while they are iterated', () => {
    const table = new PendingTable(() => undefined);
    for (let i = 0; i < 10; i++) table.set(`t${i}`, value(i));
    for (const [tid, v] of table) if (v.offset % 3 === 0) table.delete(tid);
    expect(offsets(table)).toEqual([1, 2, 4, 5, 7, 8]);
  });

  it('expires armed entries only, once, when their deadline passes (RFC 4975 §7.1)', () => {
    vi.useFakeTimers();
    const expired: string[] = [];
    const table = new PendingTable((tid) => expired.push(tid));
    table.set('whole', value(0), 100);
    table.set('unarmed', value(1));
    table.set('streamed', value(2));
    expect(table.arm('streamed', 300, 0)?.offset).toBe(2);
    expect(table.arm('missing', 300, 0)).toBeUndefined();
    vi.advanceTimersByTime(150);
    expect(expired).toEqual(['whole']);
    vi.advanceTimersByTime(200);
    expect(expired).toEqual(['whole', 'streamed']);
    expect(offsets(table)).toEqual([1]);
    expect(table.clear().map(([tid]) => tid)).toEqual(['unarmed']);
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual(['whole', 'streamed']);
  });

  it('keeps "partial" chunks silently: no expiry, gone once a later one is answered, capped', () => {
    vi.useFakeTimers();
    const expired: string[] = [];
    const table = new PendingTable((tid) => expired.push(tid), 3);
    table.set('p0', partial(0), 100);
    table.set('y1', value(1), 100);
    table.set('p2', partial(2), 100);
    table.set('y3', value(3), 100);
    table.set('p4', partial(4), 100);
    expect([table.size, table.awaited]).toEqual([5, 2]);
    // A failure response still finds its "partial" chunk.
    expect(table.take('p2')?.offset).toBe(2);
    // y3 answered: p0, sent before it and not refused, succeeded.
    expect(table.take('y3')?.offset).toBe(3);
    expect(offsets(table)).toEqual([1, 4]);
    // Past the cap, the oldest silent one goes.
    for (let i = 5; i < 9; i++) table.set(`p${i}`, partial(i), 100);
    expect(offsets(table)).toEqual([1, 6, 7, 8]);
    expect(table.awaited).toBe(1);
    // Only the awaited one expires with a 408; the silent ones just go.
    vi.advanceTimersByTime(150);
    expect(expired).toEqual(['y1']);
    expect(table.size).toBe(0);
  });

  it('sums the body bytes of the awaited entries, known once armed (maxPendingBytes)', () => {
    const table = new PendingTable(() => undefined);
    const chunk = (bytes: number, failureReport = 'yes'): PendingForward =>
      ({ kind: 'report', bytes, request: { failureReport } }) as unknown as PendingForward;
    table.set('whole', chunk(100));
    table.set('streamed', chunk(0));
    table.set('partial', chunk(50, 'partial'));
    expect(table.bytes).toBe(100);
    table.arm('streamed', 1000, 8192);
    table.arm('partial', 1000, 70);
    expect(table.bytes).toBe(8292);
    table.delete('whole');
    expect(table.bytes).toBe(8192);
    table.clear();
    expect(table.bytes).toBe(0);
  });
});
