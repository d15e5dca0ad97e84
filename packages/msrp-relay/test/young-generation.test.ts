import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { adaptYoungGeneration } from '../src/young-generation.js';

const MiB = 1024 * 1024;

describe('adaptYoungGeneration', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds the young generation while the heap is small, lets it grow above growAbove, holds it again at holdBelow', () => {
    let used = 10 * MiB;
    const flags: string[] = [];
    const control = adaptYoungGeneration({
      heapUsed: () => used,
      setFlags: (f) => flags.push(f),
    });
    // Held from the start, before the first look at the heap.
    expect(flags).toEqual(['--semi-space-growth-factor=1']);
    vi.advanceTimersByTime(5000);
    expect(flags).toHaveLength(1);
    expect(control.growing).toBe(false);

    used = 65 * MiB;
    vi.advanceTimersByTime(1000);
    expect(flags.at(-1)).toBe('--semi-space-growth-factor=2');
    expect(control.growing).toBe(true);
    // Between the two thresholds nothing changes (no flapping around one line).
    used = 40 * MiB;
    vi.advanceTimersByTime(5000);
    expect(flags).toHaveLength(2);

    used = 32 * MiB;
    vi.advanceTimersByTime(1000);
    expect(flags).toEqual([
      '--semi-space-growth-factor=1',
      '--semi-space-growth-factor=2',
      '--semi-space-growth-factor=1',
    ]);
    expect(control.growing).toBe(false);

    control.stop();
    used = 500 * MiB;
    vi.advanceTimersByTime(5000);
    expect(flags).toHaveLength(3);
  });
  it('with a work count, lets it grow only while the work grows by busyRate a second or more', () => {
    let used = 100 * MiB;
    let work = 0;
    const flags: string[] = [];
    const control = adaptYoungGeneration({
      work: () => work,
      busyRate: 500,
      heapUsed: () => used,
      setFlags: (f) => flags.push(f),
    });
    // A large heap but idle (sessions held, or authenticating: nothing forwarded).
    vi.advanceTimersByTime(3000);
    expect(control.growing).toBe(false);
    work += 499;
    vi.advanceTimersByTime(1000);
    expect(control.growing).toBe(false);
    work += 500;
    vi.advanceTimersByTime(1000);
    expect(control.growing).toBe(true);
    expect(flags.at(-1)).toBe('--semi-space-growth-factor=2');
    // Idle again: held.
    vi.advanceTimersByTime(1000);
    expect(control.growing).toBe(false);
    expect(flags.at(-1)).toBe('--semi-space-growth-factor=1');
    // Busy with a small heap: held.
    used = 10 * MiB;
    work += 10_000;
    vi.advanceTimersByTime(1000);
    expect(control.growing).toBe(false);
    expect(flags).toEqual([
      '--semi-space-growth-factor=1',
      '--semi-space-growth-factor=2',
      '--semi-space-growth-factor=1',
    ]);
    control.stop();
  });
});

describe('the V8 flag it relies on', () => {
  // The premise: V8 reads --semi-space-growth-factor whenever it would grow the young generation
  // (a factor of 1 given at run time holds it; on the command line V8 raises it to 2).
  const script = (factor: string): string => `
    const v8 = require('node:v8');
    ${factor ? `v8.setFlagsFromString('--semi-space-growth-factor=${factor}');` : ''}
    const ring = new Array(20000);
    for (let i = 0; i < 1500000; i++) ring[i % 20000] = { i, s: 'x'.repeat(i % 50) + i };
    const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
    process.stdout.write(String(s.space_size));`;
  const newSpace = async (factor: string): Promise<number> => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--max-semi-space-size=16',
      '-e',
      script(factor),
    ]);
    return Number(stdout) / MiB;
  };

  it('a factor of 1 set at run time keeps 1 MiB semi-spaces where 2 lets them grow to the maximum', async () => {
    const [held, grown] = await Promise.all([newSpace('1'), newSpace('2')]);
    // new_space counts both semi-spaces.
    expect(held).toBeLessThanOrEqual(2);
    expect(grown).toBeGreaterThanOrEqual(16);
  });
});
