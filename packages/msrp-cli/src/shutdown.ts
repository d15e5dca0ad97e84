// How a `msrp` command stops: on a signal, and with a bound on how long it waits for a clean
// close.
import type { Endpoint, IncomingMessage } from '@msrp-ts/msrp-core';
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

/**
 * Closes `endpoint` once the files of `storing` (work → its message) whose last chunk has come
 * are stored, waiting up to `ms` for them. Their last chunk is confirmed only once written and
 * checked (confirmWhenRead): closed before, that chunk is refused and the file fails here too
 * (its part cut back to what was confirmed), and a file that had come whole has to be sent
 * again. Files still arriving are cut, and kept to resume.
 */
export async function closeAfterArrived(
  endpoint: Endpoint,
  storing: ReadonlyMap<Promise<void>, IncomingMessage>,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const arrived = [...storing].filter(([, m]) => m.stream?.ended === true).map(([w]) => w);
    if (arrived.length === 0 || Date.now() >= deadline) break;
    // A file may have come whole meanwhile: looked at again, and the close follows the last
    // look with no I/O between them (only microtasks).
    await within(Promise.allSettled(arrived), deadline - Date.now());
  }
  await within(endpoint.close(), 3000);
}
