import type { EventMap, TypedEmitter } from './typed-emitter.js';

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

/** Emits `event` from work that must go on: what a listener throws is {@link throwLater}'s. */
export function emitOrThrowLater<T extends EventMap<T>, K extends keyof T>(
  emitter: TypedEmitter<T>,
  event: K,
  ...args: T[K]
): void {
  try {
    emitter.emit(event, ...args);
  } catch (e) {
    throwLater(e);
  }
}
