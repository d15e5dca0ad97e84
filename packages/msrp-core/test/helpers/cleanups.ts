// What a test starts is stopped after it: its clean-ups run after each test, the last added first.
import { afterEach } from 'vitest';
import { Endpoint, type EndpointOptions } from '../../src/index.js';

/** The clean-ups of the current test (push one; helpers such as sessionPair take the list). */
export const cleanups: Array<() => unknown> = [];

/** Runs the clean-ups added so far, the last added first (after each test, or sooner). */
export async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

afterEach(runCleanups);

/** A new Endpoint, closed after the current test. */
export function endpoint(options?: EndpointOptions): Endpoint {
  const e = new Endpoint(options);
  cleanups.push(() => e.close());
  return e;
}
