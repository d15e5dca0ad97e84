// A saveTo() that fails (a hash that does not match, the sender gone mid-file) leaves no
// partial file behind: the file is removed, or cut back to the `offset` octets it held before;
// with `keepPartial` it keeps the octets the sender was told arrived, to resume from.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError, formatHash, type SaveOptions } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { loopbackSessionPair } from './helpers/session-pair.js';
import { tempDir } from './helpers/temp-dir.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sha256 = (bytes: Uint8Array): string =>
  `sha-256:${formatHash(createHash('sha256').update(bytes).digest())}`;

const data = randomBytes(300_000);
const wrongHash = sha256(randomBytes(10));

/**
 * `data` sent as a file to a session that saves it to `path` (`options` added) expecting a
 * hash it does not have: the save fails with MSRP_ERR_HASH_MISMATCH. Returns what the send
 * settled with.
 */
async function saveMismatched(path: string, options: SaveOptions = {}): Promise<unknown> {
  const { a, b } = await loopbackSessionPair(cleanups, { confirmWhenRead: true });
  const sending = a.sendFile(new Blob([data]), { name: 'f.bin' }).catch((e: unknown) => e);
  const message = await next(b[Symbol.asyncIterator]());
  await expect(
    message.saveTo(path, { ...options, expectedHash: wrongHash, refuseMismatch: true }),
  ).rejects.toMatchObject({ code: 'MSRP_ERR_HASH_MISMATCH' });
  return sending;
}

describe('a failed saveTo', () => {
  it('removes the file it wrote when the hash does not match', async () => {
    const path = join(await tempDir('msrp-save-failure-'), 'f.bin');
    const sent = await saveMismatched(path);
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(sent).toBeInstanceOf(DeliveryError);
  });

  it('removes the file it wrote when the sender goes away mid-file', async () => {
    const path = join(await tempDir('msrp-save-failure-'), 'f.bin');
    const { a, b, client } = await loopbackSessionPair(cleanups);
    const sending = a
      .sendFile(new Uint8Array(40 * 1024 * 1024), { name: 'f.bin' })
      .catch((e: unknown) => e);
    const message = await next(b[Symbol.asyncIterator]());
    const saving = message.saveTo(path);
    saving.catch(() => undefined);
    await client.close();
    await expect(saving).rejects.toMatchObject({ code: 'MSRP_ERR_CONNECTION' });
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await sending).toBeInstanceOf(Error);
  });

  it('leaves a file that was there before, cut to nothing, for its owner to remove', async () => {
    const path = join(await tempDir('msrp-save-failure-'), 'f.bin');
    await writeFile(path, 'reserved');
    const sent = await saveMismatched(path);
    expect((await stat(path)).size).toBe(0);
    expect(sent).toBeInstanceOf(DeliveryError);
  });

  it('at an offset, gives the file back as it held it before the offset', async () => {
    const path = join(await tempDir('msrp-save-failure-'), 'f.bin');
    const before = randomBytes(1000);
    await writeFile(path, Buffer.concat([before, randomBytes(500)]));
    const sent = await saveMismatched(path, { offset: before.length });
    expect((await readFile(path)).equals(before)).toBe(true);
    expect(sent).toBeInstanceOf(DeliveryError);
  });

  it('with keepPartial, keeps the octets the sender was told arrived', async () => {
    const path = join(await tempDir('msrp-save-failure-'), 'f.bin');
    const failed = await saveMismatched(path, { keepPartial: true });
    expect(failed).toBeInstanceOf(DeliveryError);
    // Its last chunk was refused (413): the file holds the octets before it, all confirmed.
    const confirmed = (failed as DeliveryError).confirmedBytes;
    expect(confirmed).toBeGreaterThan(0);
    expect(confirmed).toBeLessThan(data.length);
    expect((await readFile(path)).equals(data.subarray(0, confirmed))).toBe(true);
  });
});
