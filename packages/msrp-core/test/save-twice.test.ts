// saveTo (and receiveBlob) on a streamed message whose stream was already read, or is being
// read by another saveTo: the stream is consumed once, so the second call read nothing, or half,
// and resolved with an empty (or partial) file, telling only through hashMatches (undefined when
// no hash was announced). It is refused now (MSRP_ERR_INVALID_ARGUMENT).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { next } from './helpers/inbox.js';
import { sessionPair } from './helpers/session-pair.js';
import { tempDir } from './helpers/temp-dir.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('a second saveTo of a streamed message saves it whole or rejects, not an empty file', async () => {
  const dir = await tempDir('hunt-recv-');
  const { a, b } = await sessionPair(cleanups, { receiver: { inMemoryThreshold: 1000 } });
  const inbox = b[Symbol.asyncIterator]();
  const data = new Uint8Array(50_000).fill(7);
  // send(), not sendFile(): no File-Hash, so hashMatches cannot tell either.
  const sent = a.send(data);
  const m = await next(inbox);
  expect(m.stream).toBeDefined();
  const first = await m.saveTo(join(dir, '1.bin'));
  await sent;
  expect(first.bytes).toBe(data.length);
  // It resolved { bytes: 0, hashMatches: undefined }, 2.bin empty.
  await expect(m.saveTo(join(dir, '2.bin'))).rejects.toMatchObject({
    code: 'MSRP_ERR_INVALID_ARGUMENT',
  });
});

it('two saveTo at once of a streamed message do not each save a part of it', async () => {
  const dir = await tempDir('hunt-recv-');
  const { a, b } = await sessionPair(cleanups, { receiver: { inMemoryThreshold: 1000 } });
  const inbox = b[Symbol.asyncIterator]();
  const data = new Uint8Array(500_000).fill(7);
  const sent = a.send(data);
  const m = await next(inbox);
  const p1 = join(dir, '1.bin');
  const p2 = join(dir, '2.bin');
  // Both resolved, 1.bin and 2.bin holding interleaved parts of the message.
  const [s1, s2] = await Promise.allSettled([m.saveTo(p1), m.saveTo(p2)]);
  expect(s2).toMatchObject({ status: 'rejected', reason: { code: 'MSRP_ERR_INVALID_ARGUMENT' } });
  expect(s1).toMatchObject({ status: 'fulfilled', value: { bytes: data.length } });
  expect((await readFile(p1)).equals(data)).toBe(true);
  await sent;
});
