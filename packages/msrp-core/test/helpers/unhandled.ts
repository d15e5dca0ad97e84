import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { runCleanups } from './cleanups.js';

type Unhandled = 'unhandledRejection' | 'uncaughtException';

/**
 * Fails each test of the file after which a rejection nobody handled (or, by default, an
 * uncaught exception) was reported: registers the process listeners for the file and checks
 * after each test, once a turn of the event loop has let such a rejection be reported. It runs
 * the clean-ups of cleanups.ts first, so that it also sees what they left unhandled; a file
 * with clean-ups of its own calls it before its own `afterEach`, so that the check runs after
 * that one (hooks run as a stack).
 */
export function failOnUnhandled(
  events: readonly Unhandled[] = ['unhandledRejection', 'uncaughtException'],
): void {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => void unhandled.push(e);
  beforeAll(() => {
    for (const event of events) process.on(event, onUnhandled);
  });
  afterAll(() => {
    for (const event of events) process.off(event, onUnhandled);
  });
  afterEach(async () => {
    await runCleanups();
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled.splice(0)).toEqual([]);
  });
}
