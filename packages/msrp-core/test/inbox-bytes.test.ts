// A reader that lags holds a bounded number of bytes for its peer: the messages waiting for
// it, in memory or streamed, count against maxQueuedStreamBytes. Before, 1024 waiting
// messages of up to 1 MiB (maxQueuedMessages x inMemoryThreshold) held 1 GiB for one peer.
import { afterEach, expect, it } from 'vitest';
import { sessionPair } from './helpers/session-pair.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('refuses new messages (413) while those waiting for the reader hold maxQueuedStreamBytes', async () => {
  const { a, b } = await sessionPair(cleanups, { receiver: { maxQueuedStreamBytes: 100_000 } });
  const body = new Uint8Array(30_000);
  // Nobody reads: 0, 30 000, 60 000 and 90 000 bytes waiting are under the bound.
  for (let i = 0; i < 4; i++) await a.send(body);
  await expect(a.send(body)).rejects.toMatchObject({
    status: 413,
    message: expect.stringContaining('Receiver is not keeping up') as unknown,
  });
  // Once the reader took them, messages are welcome again.
  const reader = b[Symbol.asyncIterator]();
  for (let i = 0; i < 4; i++) expect((await reader.next()).value?.body?.length).toBe(30_000);
  await a.send('after');
  expect((await reader.next()).value?.text()).toBe('after');
});
