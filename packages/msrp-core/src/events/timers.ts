/** A timer handle as `setTimeout` returns it: an object on Node, a number in browsers. */
export type Timer = ReturnType<typeof setTimeout>;

/**
 * Starts a timer that never keeps the process alive: Node's `unref()` where the runtime has
 * it (browsers have no process to keep alive, and their timers have no `unref`).
 */
export function backgroundTimer(callback: () => void, ms: number): Timer {
  const timer = setTimeout(callback, ms);
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
