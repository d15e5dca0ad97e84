// The fast path's byte helpers (fast-path-bytes.ts).
import { describe, expect, it } from 'vitest';
import { match, pattern } from '../src/fast-path-bytes.js';

describe('fast-path bytes', () => {
  it('matches in the read it is given, though another read was looked at since', () => {
    // A response the fast path takes can resume a held-back sender, whose held reads its own
    // fast path then reads at once, before the first read's next frame is matched.
    const first = Buffer.from('MSRP abc 200 OK\r\nTo-Path: msrp://a.example:1/x;tcp\r\n');
    const rest = pattern(Buffer.from(' 200 OK\r\nTo-Path: msrp://a.example:1/x;tcp\r\n'));
    const other = Buffer.from('MSRP xyz SEND\r\n');
    match(first, 8, rest);
    match(other, 0, pattern(other));
    expect(match(first, 8, rest)).toBe(true);
    match(Buffer.alloc(64, 0x20), 0, pattern(Buffer.alloc(9, 0x20)));
    expect(
      match(first, 8, pattern(Buffer.from(' 200 OK\r\nTo-Path: msrp://b.example:1/x;tcp\r\n'))),
    ).toBe(false);
  });
});
