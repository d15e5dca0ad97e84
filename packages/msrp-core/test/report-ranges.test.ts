import { describe, expect, it } from 'vitest';
import {
  coversMessage,
  MAX_REPORTED_RANGES,
  ReportedRanges,
} from '../src/session/report-ranges.js';

function ranges(...pairs: Array<[number, number]>): ReportedRanges {
  const r = new ReportedRanges();
  for (const [start, end] of pairs) r.add({ start, end, total: '*' });
  return r;
}

describe('ReportedRanges', () => {
  it('covers a message once ranges in any order together reach every byte', () => {
    expect(ranges([1, 5], [6, 10]).covers(1, 10)).toBe(true);
    expect(ranges([6, 10], [1, 5]).covers(1, 10)).toBe(true);
    expect(ranges([1, 3], [7, 10], [2, 8]).covers(1, 10)).toBe(true);
    expect(ranges([1, 4], [6, 10]).covers(1, 10)).toBe(false);
    expect(ranges([1, 5]).covers(1, 10)).toBe(false);
    expect(ranges([2, 10]).covers(1, 10)).toBe(false);
  });

  it('takes no Byte-Range, or an end of *, for the whole message', () => {
    const none = new ReportedRanges();
    none.add(undefined);
    expect(none.covers(1, 1000)).toBe(true);
    const star = new ReportedRanges();
    star.add({ start: 1, end: '*', total: '*' });
    expect(star.covers(1, 1000)).toBe(true);
  });

  it('covers an empty span, and ignores a range that ends before it starts', () => {
    expect(ranges().covers(1, 0)).toBe(true);
    expect(ranges([5, 4]).covers(1, 1)).toBe(false);
  });

  it(`keeps at most ${MAX_REPORTED_RANGES} disjoint ranges, never counting bytes no range covered`, () => {
    const r = new ReportedRanges();
    // Every other byte: disjoint ranges, one per byte.
    for (let i = 0; i < 10_000; i++) r.add({ start: 2 * i + 1, end: 2 * i + 1, total: '*' });
    // The ranges past the limit were not kept: filling the gaps below it covers only that far.
    for (let i = 0; i < 10_000; i++) r.add({ start: 2 * i + 2, end: 2 * i + 2, total: '*' });
    expect(r.covers(1, 2 * MAX_REPORTED_RANGES)).toBe(true);
    expect(r.covers(1, 20_000)).toBe(false);
    // A range over all of it still completes the message.
    r.add({ start: 1, end: 20_000, total: 20_000 });
    expect(r.covers(1, 20_000)).toBe(true);
  });
});

describe('coversMessage', () => {
  it('wants a REPORT, then the bytes from the offset on to the size or, unknown, to what was sent', () => {
    expect(coversMessage(undefined, { offset: 0, size: 0, sent: 0 })).toBe(false);
    expect(coversMessage(ranges([1, 5]), { offset: 0, size: 10, sent: 10 })).toBe(false);
    expect(coversMessage(ranges([1, 10]), { offset: 0, size: 10, sent: 10 })).toBe(true);
    expect(coversMessage(ranges([1, 7]), { offset: 0, size: undefined, sent: 7 })).toBe(true);
    expect(coversMessage(ranges([5, 10]), { offset: 4, size: 10, sent: 10 })).toBe(true);
    expect(coversMessage(ranges([6, 10]), { offset: 4, size: 10, sent: 10 })).toBe(false);
  });
});
