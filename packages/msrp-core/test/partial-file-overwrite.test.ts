// PartialFile.receive(message, { at }) below the octets held writes over them (the TSDoc
// allows it): complete() must then check the part as it is on disk, not a hash kept from the
// pass that first made it whole, which renamed a corrupted file into place as the right one.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { formatHash, PartialFile } from '../src/index.js';
import { nodeHasher } from '../src/node/node-hasher.js';
import { next } from './helpers/inbox.js';
import { sessionPair } from './helpers/session-pair.js';
import { cleanups } from './helpers/cleanups.js';

const sha256 = (bytes: Uint8Array): string =>
  `sha-256:${formatHash(createHash('sha256').update(bytes).digest())}`;

/** A part made whole by one message of `content`, hashed in that pass, and a sender to it. */
async function wholePart(content: Uint8Array) {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-partial-overwrite-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const { a, b } = await sessionPair(cleanups, { receiver: { inMemoryThreshold: 1024 } });
  const inbox = b[Symbol.asyncIterator]();
  const partial = await PartialFile.open(join(dir, 'file.bin'), {
    size: content.length,
    hash: sha256(content),
    createHasher: nodeHasher,
  });
  const sent = a.sendFile(content, { name: 'file.bin' });
  expect(await partial.receive(await next(inbox))).toMatchObject({ hash: sha256(content) });
  await sent;
  /** Writes `bytes` over the part from its first octet. */
  const overwrite = async (bytes: Uint8Array) => {
    const again = a.send(bytes);
    const received = await partial.receive(await next(inbox), { at: 0 });
    await again;
    return received;
  };
  return { partial, overwrite };
}

it('complete() checks a part written over below its end by a later receive as it is on disk', async () => {
  const content = randomBytes(50_000);
  const { partial, overwrite } = await wholePart(content);
  const other = new Uint8Array(10_000).fill(0x55);
  // Not the whole part: this pass hashed only its first 10 000 octets.
  expect(await overwrite(other)).toMatchObject({ bytes: 10_000, held: 50_000, hash: undefined });

  const onDisk = Buffer.concat([other, content.subarray(10_000)]);
  expect(await readFile(partial.partPath)).toEqual(onDisk);
  await expect(partial.complete()).rejects.toMatchObject({ code: 'MSRP_ERR_HASH_MISMATCH' });
  // Kept, for the caller to discard or to write right again.
  expect((await stat(partial.partPath)).size).toBe(content.length);
  await expect(stat(partial.path)).rejects.toMatchObject({ code: 'ENOENT' });

  await overwrite(content.subarray(0, 10_000));
  const done = await partial.complete();
  expect(done).toMatchObject({ hash: sha256(content), checkedAgainst: sha256(content) });
  expect(await readFile(done.path)).toEqual(content);
});
