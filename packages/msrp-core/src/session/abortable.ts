import { MsrpError } from '../errors.js';

/** The error an aborted action rejects with: `MSRP_ERR_ABORTED`, the signal's reason as cause. */
export function abortedError(signal: AbortSignal, what: string): MsrpError {
  return new MsrpError('MSRP_ERR_ABORTED', `${what} aborted`, { cause: signal.reason });
}

/**
 * Races `promise` against `signal`: rejects with {@link abortedError} when it aborts first
 * (after calling `onAbort`, which undoes what was started). The listener is removed as soon
 * as either settles (undici's addSignal/removeSignal), so a long-lived signal does not
 * collect one listener per call.
 */
export function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  what: string,
  onAbort?: () => void,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    onAbort?.();
    return Promise.reject(abortedError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      promise.catch(() => undefined);
      onAbort?.();
      reject(abortedError(signal, what));
    };
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
