/** A timer handle as `setTimeout` returns it: an object on Node, a number in browsers. */
export type Timer = ReturnType<typeof setTimeout>;

/**
 * The longest wait a timer takes, in ms (24.8 days): past it Node and browsers fire at once
 * (Node with a TimeoutOverflowWarning).
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Starts a timer that never keeps the process alive: Node's `unref()` where the runtime has
 * it (browsers have no process to keep alive, and their timers have no `unref`). A wait past
 * {@link MAX_TIMER_MS}, which a peer may set (a relay's Expires, an is-composing refresh), is
 * cut to it: a grant of 1157 days made the relay client refresh every millisecond.
 */
export function backgroundTimer(callback: () => void, ms: number): Timer {
  const timer = setTimeout(callback, Math.min(ms, MAX_TIMER_MS));
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
