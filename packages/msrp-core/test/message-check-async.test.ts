// checkMessage is typed synchronous; a JavaScript app (or a cast) may still pass an async one.
// It cannot decide before the answer: the message is taken as if unchecked, and a rejected
// promise is no unhandled rejection (Node's default: the process exits).
import { afterEach, expect, it } from 'vitest';
import type { MessageCheck } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { sessionPair } from './helpers/session-pair.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('an async checkMessage that rejects causes no unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  cleanups.push(() => process.off('unhandledRejection', onUnhandled));
  const checkMessage = ((_m: MessageCheck) =>
    Promise.reject(new Error('app bug in an async checker'))) as unknown as (
    m: MessageCheck,
  ) => undefined;
  const { a, b } = await sessionPair(cleanups, { receiver: { checkMessage } });
  const inbox = b[Symbol.asyncIterator]();
  await a.send('hello');
  expect((await next(inbox)).text()).toBe('hello');
  // Let any unhandled rejection surface.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  expect(unhandled).toEqual([]);
});
