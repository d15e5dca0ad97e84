// receiveBlob frees the hash it computes when no digest will be asked for: a message cut
// short, or one without a hash to check. A worker hasher (Node's workerHasher) otherwise kept
// its state in the worker for good, and the worker's thread from ever ending.
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { receiveBlob, workerHasher } from '../src/index.js';
import { openWorkerHashes } from '../src/node/worker-hasher.js';
import { next } from './helpers/inbox.js';
import { sessionPair } from './helpers/session-pair.js';
import { until } from './helpers/socket-pair.js';
import { cleanups } from './helpers/cleanups.js';

// Over a worker's batch (256 KiB), so that the hash goes to the worker.
const SIZE = 1024 * 1024;

it('frees the hash of a message the sender aborted', async () => {
  const { a, b } = await sessionPair(cleanups, { receiver: { inMemoryThreshold: 0 } });
  const controller = new AbortController();
  const sending = a
    .sendFile(new Blob([randomBytes(SIZE)]), {
      name: 'f.bin',
      signal: controller.signal,
      onProgress: ({ bytes }) => bytes > SIZE / 2 && controller.abort(),
    })
    .catch((e: unknown) => e);
  const blob = receiveBlob(await next(b[Symbol.asyncIterator]()), { createHasher: workerHasher });
  await expect(blob).rejects.toMatchObject({ code: 'MSRP_ERR_ABORTED' });
  expect(await sending).toMatchObject({ code: 'MSRP_ERR_ABORTED' });
  await until(() => openWorkerHashes() === 0, 2000, 'no hash left in the worker');
});

it('frees the hash of a message that announced none to check', async () => {
  const { a, b } = await sessionPair(cleanups, { receiver: { inMemoryThreshold: 0 } });
  const data = randomBytes(SIZE);
  const sending = a.send(data, { contentType: 'application/octet-stream' });
  const blob = await receiveBlob(await next(b[Symbol.asyncIterator]()), {
    createHasher: workerHasher,
  });
  expect(Buffer.from(await blob.arrayBuffer()).equals(data)).toBe(true);
  await sending;
  await until(() => openWorkerHashes() === 0, 2000, 'no hash left in the worker');
});
