// Issue 12: the byte window's default bound keeps 8 large chunks in flight, since a chunk's 200
// comes only once all of it arrived; 2 MiB of 1 MiB chunks left the path idle between them.
// 4 MiB of 8 KiB chunks: 2 MiB let a pause on either side stall the other.
import { expect, it } from 'vitest';
import { resolveSessionOptions } from '../src/session/option-defaults.js';

const MiB = 1024 * 1024;
const bound = (options: Parameters<typeof resolveSessionOptions>[0]): number =>
  resolveSessionOptions(options).scheduler.maxInFlightBytes;

it('bounds the window at 4 MiB by default, 8 chunks of chunks over 512 KiB, or as set', () => {
  expect(bound({})).toBe(4 * MiB);
  expect(bound({ chunkSize: 64 * 1024 })).toBe(4 * MiB);
  expect(bound({ chunkSize: MiB })).toBe(8 * MiB);
  expect(bound({ chunkSize: MiB, maxInFlightBytes: MiB })).toBe(MiB);
});
