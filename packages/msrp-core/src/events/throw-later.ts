/**
 * Throws `error` again in a microtask: an uncaught exception (Node's `uncaughtException`, a
 * browser's `error` event), for what an event listener threw where no caller can take it and
 * the work under way must go on.
 */
export function throwLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
