/** What {@link within} rejects with when the awaited event never came. */
export class LostEvent extends Error {
  override readonly name = 'LostEvent';
}

/**
 * `promise`, or a {@link LostEvent} naming `what` once `ms` passed without it settling: a
 * lost event fails its test at once, saying which one, instead of at the test's timeout.
 * `what` (a text, or a function called only then, so it may describe the state at that moment)
 * names the event.
 */
export function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string | (() => string),
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const lost = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new LostEvent(`${typeof what === 'string' ? what : what()}: none within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, lost]).finally(() => clearTimeout(timer));
}
