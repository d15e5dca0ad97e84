// The shared coarse timer wheel behind every connection's idle and frame deadlines: one
// runtime timer per slot, not per connection. Runs on an injected clock.
import { describe, expect, it } from 'vitest';
import { Deadline, FrameDeadline, TimerWheel, type WheelClock } from '../src/internal.js';

type Timer = ReturnType<typeof setTimeout>;

/** A manual clock: timers run only when advance() passes their time. */
class FakeClock implements WheelClock {
  time = 0;
  readonly timers = new Map<number, { at: number; callback: () => void }>();
  #next = 1;
  now(): number {
    return this.time;
  }
  setTimer(callback: () => void, ms: number): Timer {
    const id = this.#next++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id as unknown as Timer;
  }
  clearTimer(timer: Timer): void {
    this.timers.delete(timer as unknown as number);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let first: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (!first || entry[1].at < first[1].at) first = entry;
      if (!first || first[1].at > end) break;
      this.timers.delete(first[0]);
      this.time = Math.max(this.time, first[1].at);
      first[1].callback();
    }
    this.time = end;
  }
}

describe('TimerWheel', () => {
  it('runs many deadlines on few timers, in order of their time, never early', () => {
    const clock = new FakeClock();
    const wheel = new TimerWheel(clock);
    const fired: number[] = [];
    const firedAt: number[] = [];
    const deadlines: Deadline[] = [];
    for (let i = 0; i < 1000; i++) {
      const ms = 10_000 + (i % 10) * 1000;
      deadlines.push(
        new Deadline(
          ms,
          () => {
            fired.push(ms);
            firedAt.push(clock.time);
          },
          wheel,
        ),
      );
    }
    expect(wheel.size).toBe(1000);
    expect(clock.timers.size).toBeLessThanOrEqual(10);
    clock.advance(30_000);
    expect(fired).toHaveLength(1000);
    expect(fired).toEqual([...fired].sort((a, b) => a - b));
    for (let i = 0; i < fired.length; i++) {
      expect(firedAt[i]).toBeGreaterThanOrEqual(fired[i]! - 1);
      expect(firedAt[i]).toBeLessThanOrEqual(fired[i]! * 1.04);
    }
    expect(deadlines.every((d) => !d.pending)).toBe(true);
    expect(wheel.size).toBe(0);
    expect(clock.timers.size).toBe(0);
  });

  it('a touched deadline moves', () => {
    const clock = new FakeClock();
    const wheel = new TimerWheel(clock);
    let touchedAt: number | undefined;
    let untouchedAt: number | undefined;
    const touched = new Deadline(1000, () => (touchedAt = clock.time), wheel);
    new Deadline(1000, () => (untouchedAt = clock.time), wheel);
    clock.advance(900);
    touched.touch();
    clock.advance(200);
    expect(untouchedAt).toBeGreaterThanOrEqual(1000);
    expect(touchedAt).toBeUndefined();
    expect(touched.pending).toBe(true);
    clock.advance(700);
    expect(touchedAt).toBeUndefined();
    clock.advance(300);
    expect(touchedAt).toBeGreaterThanOrEqual(1900 - 1);
    expect(touchedAt).toBeLessThanOrEqual(1900 * 1.04);
  });

  it('a cleared deadline leaves nothing behind', () => {
    const clock = new FakeClock();
    const wheel = new TimerWheel(clock);
    let fired = 0;
    const deadlines = Array.from({ length: 500 }, (_, i) => {
      return new Deadline(5000 + i * 7, () => fired++, wheel);
    });
    const frames = Array.from({ length: 500 }, () => new FrameDeadline(3000, () => fired++, wheel));
    for (const f of frames) f.touch();
    expect(wheel.size).toBe(1000);
    for (const d of deadlines) d.clear();
    for (const f of frames) f.clear();
    expect(wheel.size).toBe(0);
    expect(clock.timers.size).toBe(0);
    clock.advance(60_000);
    expect(fired).toBe(0);
  });

  it('a frame deadline runs only between touch and stop, and moves with progress', () => {
    const clock = new FakeClock();
    const wheel = new TimerWheel(clock);
    let expiredAt: number | undefined;
    const frame = new FrameDeadline(1000, () => (expiredAt = clock.time), wheel);
    expect(wheel.size).toBe(0);
    frame.touch();
    clock.advance(800);
    frame.stop();
    clock.advance(2000);
    expect(expiredAt).toBeUndefined();
    expect(wheel.size).toBe(0);
    frame.touch(); // at 2800
    clock.advance(600);
    frame.touch(); // progress at 3400
    clock.advance(900);
    expect(expiredAt).toBeUndefined();
    clock.advance(200);
    expect(expiredAt).toBeGreaterThanOrEqual(4400 - 1);
    expect(frame.running).toBe(false);
    expect(wheel.size).toBe(0);
  });

  it('a deadline whose handler throws does not stop the others in its slot', () => {
    const clock = new FakeClock();
    const wheel = new TimerWheel(clock);
    let fired = 0;
    new Deadline(
      100,
      () => {
        throw new Error('bug');
      },
      wheel,
    );
    new Deadline(100, () => fired++, wheel);
    expect(() => clock.advance(200)).toThrow('bug');
    expect(fired).toBe(1);
  });
});
