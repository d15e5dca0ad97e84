// How a `msrp` command stops: on a signal, and with a bound on how long it waits for a clean
// close.
import { EXIT } from './exit-codes.js';

/** Resolves after `ms`, or at once when the promise settles; never rejects. */
export async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

/** Calls `handler` once on SIGINT or SIGTERM; a second signal exits at once. */
export function onSignal(handler: (signal: NodeJS.Signals) => void): void {
  let seen = false;
  const listener = (signal: NodeJS.Signals): void => {
    if (seen) process.exit(EXIT.interrupted);
    seen = true;
    handler(signal);
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
}
