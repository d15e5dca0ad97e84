// IncompleteWatch: one timer for all the incomplete messages of a session, firing at the
// earliest deadline; no timer per chunk or per message.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { IncompleteWatch } from '../src/session/incomplete-watch.js';
import type { Reassembly } from '../src/session/reassembly.js';

/** A stand-in for a message being reassembled: the watch reads its stream's backlog and time. */
const message = (bufferedPieces = 0): Reassembly =>
  ({ lastActive: 0, message: { stream: { bufferedPieces } } }) as unknown as Reassembly;

/** The session's map of incomplete messages, and a watch of it that expires into `expired`. */
function watchOf(expire: (r: Reassembly, idle: number) => void): {
  incoming: Map<string, Reassembly>;
  watch: IncompleteWatch;
} {
  const incoming = new Map<string, Reassembly>();
  const watch = new IncompleteWatch(100, incoming, (r, idle) => {
    // What Inbound does: an expired message leaves the map.
    for (const [id, m] of incoming) if (m === r) incoming.delete(id);
    expire(r, idle);
  });
  return { incoming, watch };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

it('holds one timer for many messages and chunks, and expires each at its own deadline', () => {
  const expired: Array<[Reassembly, number]> = [];
  const { incoming, watch } = watchOf((r, idle) => expired.push([r, idle]));
  const messages = Array.from({ length: 50 }, () => message());
  messages.forEach((r, i) => incoming.set(`m${i}`, r));
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
  const { incoming, watch } = watchOf(expire);
  const armed = vi.spyOn(globalThis, 'setTimeout');
  for (let i = 0; i < 100; i++) {
    const r = message();
    incoming.set('m', r);
    watch.touch(r);
    incoming.delete('m'); // complete: it leaves the map, and so the watch
  }
  expect(armed).toHaveBeenCalledTimes(1);
  vi.advanceTimersByTime(100);
  expect(expire).not.toHaveBeenCalled();
  // Nothing left to watch: not armed again.
  expect(vi.getTimerCount()).toBe(0);
});

it('does not expire a message whose reader has pieces to take; stop() ends it all', () => {
  const expire = vi.fn();
  const { incoming, watch } = watchOf(expire);
  const r = message(3);
  incoming.set('m', r);
  watch.touch(r);
  vi.advanceTimersByTime(1000);
  expect(expire).not.toHaveBeenCalled();
  expect(vi.getTimerCount()).toBe(1);
  watch.stop();
  expect(vi.getTimerCount()).toBe(0);
});

it('watches only what the map holds: a message that left it is never expired, touched or not', () => {
  const expired: Reassembly[] = [];
  const { incoming, watch } = watchOf((r) => expired.push(r));
  const kept = message();
  const gone = message();
  incoming.set('kept', kept);
  incoming.set('gone', gone);
  watch.touch(kept);
  watch.touch(gone);
  incoming.delete('gone');
  vi.advanceTimersByTime(50);
  watch.touch(gone); // a late body piece of a message given up already
  vi.advanceTimersByTime(50);
  expect(expired).toEqual([kept]);
  vi.advanceTimersByTime(1000);
  expect(expired).toEqual([kept]);
  expect(vi.getTimerCount()).toBe(0);
});
