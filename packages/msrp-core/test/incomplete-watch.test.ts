// IncompleteWatch: one timer for all the incomplete messages of a session, firing at the
// earliest deadline; no timer per chunk or per message.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { IncompleteWatch } from '../src/session/incomplete-watch.js';
import type { Reassembly } from '../src/session/reassembly.js';

/** A stand-in for a message being reassembled: the watch reads only its stream's backlog. */
const message = (bufferedPieces = 0): Reassembly =>
  ({ message: { stream: { bufferedPieces } } }) as unknown as Reassembly;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

it('holds one timer for many messages and chunks, and expires each at its own deadline', () => {
  const expired: Array<[Reassembly, number]> = [];
  const watch = new IncompleteWatch(100, (r, idle) => expired.push([r, idle]));
  const messages = Array.from({ length: 50 }, () => message());
  for (const r of messages) watch.touch(r);
  for (const r of messages) watch.touch(r); // more chunks
  expect(vi.getTimerCount()).toBe(1);
  vi.advanceTimersByTime(60);
  watch.touch(messages[0]!); // a new chunk at 60 ms: due at 160
  vi.advanceTimersByTime(40);
  expect(expired.map(([r]) => r)).toEqual(messages.slice(1));
  expect(expired[0]![1]).toBe(100);
  expect(vi.getTimerCount()).toBe(1);
  vi.advanceTimersByTime(59);
  expect(expired).toHaveLength(49);
  vi.advanceTimersByTime(1);
  expect(expired).toHaveLength(50);
  expect(expired[49]![0]).toBe(messages[0]);
  expect(vi.getTimerCount()).toBe(0);
});

it('sets no timer per message for one-chunk messages, and expires none of them', () => {
  const expire = vi.fn();
  const watch = new IncompleteWatch(100, expire);
  const armed = vi.spyOn(globalThis, 'setTimeout');
  for (let i = 0; i < 100; i++) {
    const r = message();
    watch.touch(r);
    watch.forget(r);
  }
  expect(armed).toHaveBeenCalledTimes(1);
  vi.advanceTimersByTime(100);
  expect(expire).not.toHaveBeenCalled();
  // Nothing left to watch: not armed again.
  expect(vi.getTimerCount()).toBe(0);
});

it('does not expire a message whose reader has pieces to take; stop() ends it all', () => {
  const expire = vi.fn();
  const watch = new IncompleteWatch(100, expire);
  watch.touch(message(3));
  vi.advanceTimersByTime(1000);
  expect(expire).not.toHaveBeenCalled();
  expect(vi.getTimerCount()).toBe(1);
  watch.stop();
  expect(vi.getTimerCount()).toBe(0);
});
