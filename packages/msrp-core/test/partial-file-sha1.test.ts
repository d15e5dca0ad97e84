// A PartialFile whose record holds a SHA-1 hash (RFC 5547 §5, as sdp-msrp's resume records
// carry it) hashes what it receives with SHA-1: the check before the last 200 then runs, so
// a file that is not the recorded one is refused (413), never confirmed as delivered.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DeliveryError, formatHash, nodeHasher, PartialFile } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { sessionPair } from './helpers/session-pair.js';
import { cleanups } from './helpers/cleanups.js';

const sha1 = (bytes: Uint8Array): string =>
  `sha-1:${formatHash(createHash('sha1').update(bytes).digest())}`;

async function setup(size: number): Promise<{ dir: string; source: string; data: Buffer }> {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-partial-sha1-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const data = randomBytes(size);
  const source = join(dir, 'source.bin');
  await writeFile(source, data);
  return { dir, source, data };
}

it('refuses the last chunk of a file whose SHA-1 is not the recorded one: 413, never a 200', async () => {
  const { dir, source } = await setup(100_000);
  const { a, b } = await sessionPair(cleanups, { receiver: { confirmWhenRead: true } });
  const partial = await PartialFile.open(join(dir, 'f.bin'), {
    size: 100_000,
    hash: sha1(randomBytes(10)),
    createHasher: nodeHasher,
  });
  const sending = a.sendFile(source, { hash: 'sha-1' }).catch((e: unknown) => e);
  const receiving = partial.receive(await next(b[Symbol.asyncIterator]()));
  await expect(receiving).rejects.toMatchObject({ code: 'MSRP_ERR_HASH_MISMATCH' });
  const error = await sending;
  expect(error).toBeInstanceOf(DeliveryError);
  expect((error as DeliveryError).status).toBe(413);
});

it('hashes a file with a SHA-1 record in the pass that writes it, and completes it', async () => {
  const { dir, source, data } = await setup(100_000);
  const { a, b } = await sessionPair(cleanups, { receiver: { confirmWhenRead: true } });
  const partial = await PartialFile.open(join(dir, 'f.bin'), {
    size: data.length,
    hash: sha1(data),
    createHasher: nodeHasher,
  });
  const sending = a.sendFile(source, { hash: 'sha-1' });
  const received = await partial.receive(await next(b[Symbol.asyncIterator]()));
  expect(received).toMatchObject({ held: data.length, hash: sha1(data) });
  expect((await sending).hash).toBe(sha1(data));
  expect(await partial.complete()).toMatchObject({ hash: sha1(data), checkedAgainst: sha1(data) });
});
