import { MsrpError } from '../errors.js';
import type { EventMap, TypedEmitter } from './typed-emitter.js';

/**
 * The arguments of the next `event` of `emitter`: the typed, runtime-neutral counterpart of
 * Node's `events.once(emitter, name)`. Unlike Node's, an `'error'` event does not reject it
 * (wait for `'error'` itself if that is what ends the wait).
 * @throws {MsrpError} `MSRP_ERR_ABORTED` (the signal's reason as `cause`) when `signal` aborts first.
 */
export function nextEvent<T extends EventMap<T>, K extends keyof T>(
  emitter: TypedEmitter<T>,
  event: K,
  options: { signal?: AbortSignal } = {},
): Promise<T[K]> {
  const { signal } = options;
  const aborted = (): MsrpError =>
    new MsrpError('MSRP_ERR_ABORTED', `Waiting for ${String(event)} aborted`, {
      cause: signal?.reason,
    });
  return new Promise<T[K]>((resolve, reject) => {
    if (signal?.aborted) {
      reject(aborted());
      return;
    }
    const onAbort = (): void => {
      emitter.off(event, listener);
      reject(aborted());
    };
    const listener = (...args: T[K]): void => {
      signal?.removeEventListener('abort', onAbort);
      resolve(args);
    };
    emitter.once(event, listener);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
