import { afterAll, afterEach, beforeAll, expect } from 'vitest';

type Unhandled = 'unhandledRejection' | 'uncaughtException';

/**
 * Fails each test of the file after which a rejection nobody handled (or, by default, an
 * uncaught exception) was reported: registers the process listeners for the file and checks
 * after each test, once a turn of the event loop has let such a rejection be reported. Call it
 * before the file's own `afterEach`, so that the check runs after that one (hooks run as a
 * stack) and also sees what its clean-ups left unhandled.
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
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled.splice(0)).toEqual([]);
  });
}
