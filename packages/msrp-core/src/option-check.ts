import { MsrpError } from './errors.js';
import { MAX_TIMER_MS } from './events/timers.js';

/**
 * What a numeric option must be: a whole number of at least 1 (`count`) or 0 (`size`), or
 * milliseconds above 0 (`wait`) or at least 0 (`timeout`, where 0 usually turns it off), up
 * to {@link MAX_TIMER_MS}: a `--timeout` of 3e9 timed out in 1 ms.
 */
export type NumberRule = 'count' | 'size' | 'wait' | 'timeout';

const RULES: Record<NumberRule, [test: (n: number) => boolean, text: string]> = {
  count: [(n) => Number.isSafeInteger(n) && n >= 1, 'a whole number of 1 or more'],
  size: [(n) => Number.isSafeInteger(n) && n >= 0, 'a whole number of 0 or more'],
  wait: [(n) => n > 0 && n <= MAX_TIMER_MS, `milliseconds above 0, at most ${MAX_TIMER_MS}`],
  timeout: [(n) => n >= 0 && n <= MAX_TIMER_MS, `milliseconds from 0 to ${MAX_TIMER_MS}`],
};

/**
 * Checks the numeric options `rules` names, where given: a chunk size of 0 or a window of
 * no chunks would hang every send, a negative size refuse every message, without a word.
 * @param prefix What the error puts before an option's name, e.g. `'Session option '`.
 * @throws MsrpError `MSRP_ERR_INVALID_ARGUMENT` naming the first bad option and its value.
 */
export function checkNumbers<T extends object>(
  options: T | undefined,
  rules: Partial<Record<keyof T & string, NumberRule>>,
  prefix: string,
): void {
  if (options === undefined) return;
  for (const [key, rule] of Object.entries(rules) as [keyof T & string, NumberRule][]) {
    const value: unknown = options[key];
    if (value === undefined) continue;
    const [test, text] = RULES[rule];
    if (typeof value !== 'number' || !test(value)) {
      const shown =
        typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? typeof value);
      throw new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        `${prefix}${key} must be ${text}, not ${shown}`,
      );
    }
  }
}
