// saveTo({ refuseMismatch }): a file whose hash is not the one expected (or announced) is
// refused at its last chunk (413 `Hash mismatch`: MSRP_ERR_HASH_MISMATCH at the sender), so its
// sender is never told a corrupt file arrived; what `msrp listen` does for files that come
// without a resume offer.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DeliveryError, formatHash } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { loopbackSessionPair } from './helpers/session-pair.js';
import { cleanups } from './helpers/cleanups.js';

const sha256 = (bytes: Uint8Array): string =>
  `sha-256:${formatHash(createHash('sha256').update(bytes).digest())}`;

it.each([
  ['as it arrives', 16 * 1024 * 1024],
  ['under backpressure, its end-line unread', 1024],
])(
  'refuses the last chunk of a file with another hash, %s; saves one that matches',
  async (_, maxQueuedStreamBytes) => {
    const dir = await mkdtemp(join(tmpdir(), 'msrp-refuse-mismatch-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const { a, b } = await loopbackSessionPair(cleanups, {
      confirmWhenRead: true,
      maxQueuedStreamBytes,
    });
    const inbox = b[Symbol.asyncIterator]();
    const data = randomBytes(300_000);
    const failed = a.sendFile(new Blob([data]), { name: 'f.bin' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const expectedHash = sha256(randomBytes(10));
    await expect(
      (await next(inbox)).saveTo(join(dir, 'f.bin'), { expectedHash, refuseMismatch: true }),
    ).rejects.toMatchObject({ code: 'MSRP_ERR_HASH_MISMATCH' });
    const error = await failed;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ status: 413, code: 'MSRP_ERR_HASH_MISMATCH' });

    // The sender's own File-Hash, checked as well: this one matches, and is delivered.
    const sent = a.sendFile(new Blob([data]), { name: 'g.bin' });
    const saved = await (await next(inbox)).saveTo(join(dir, 'g.bin'), { refuseMismatch: true });
    expect(saved.hashMatches).toBe(true);
    expect((await sent).bytes).toBe(data.length);
  },
);

// An empty file has no octet for the reader to hold back: its one chunk was confirmed at
// once, before any check, and its sender told it was delivered whatever the reader did.
it('refuses an empty file with another hash, or that cannot be stored; delivers one that matches', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-refuse-mismatch-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const { a, b } = await loopbackSessionPair(cleanups, { confirmWhenRead: true });
  const inbox = b[Symbol.asyncIterator]();
  /** How a send failed: its status, the code that says whether the hash was why, its text. */
  const status = (sent: Promise<unknown>): Promise<[number?, string?, string?] | undefined> =>
    sent.then(
      () => undefined,
      (e: unknown) => [
        (e as DeliveryError).status,
        (e as DeliveryError).code,
        (e as Error).message,
      ],
    );

  const mismatched = status(a.sendFile(new Blob([]), { name: 'a.bin' }));
  const expectedHash = sha256(randomBytes(10));
  await expect(
    (await next(inbox)).saveTo(join(dir, 'a.bin'), { expectedHash, refuseMismatch: true }),
  ).rejects.toMatchObject({ code: 'MSRP_ERR_HASH_MISMATCH' });
  expect(await mismatched).toEqual([
    413,
    'MSRP_ERR_HASH_MISMATCH',
    expect.stringMatching(/: Peer answered 413 Hash mismatch$/),
  ]);

  const unstored = status(a.sendFile(new Blob([]), { name: 'b.bin' }));
  await expect((await next(inbox)).saveTo(join(dir, 'no-such-dir', 'b.bin'))).rejects.toMatchObject(
    {
      code: 'MSRP_ERR_FILE',
    },
  );
  // Refused for another reason: the 413 says which, not that the file was at fault, nor
  // the receiver's path.
  const [code, kind, text] = (await unstored)!;
  expect([code, kind]).toEqual([413, 'MSRP_ERR_REMOTE']);
  expect(text).toMatch(/: Peer answered 413 The receiver could not store this message$/);

  const sent = a.sendFile(new Blob([]), { name: 'c.bin' });
  const saved = await (await next(inbox)).saveTo(join(dir, 'c.bin'), { refuseMismatch: true });
  expect(saved).toMatchObject({ bytes: 0, hashMatches: true });
  expect((await sent).bytes).toBe(0);
});

// A stream sent without its size (`msrp send --file -`): Byte-Range `1-*/*`, its last chunk
// known only by its `$` end-line. Checked before that chunk is confirmed all the same.
it('refuses the last chunk of a file of unknown size with another hash; saves one that matches', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-refuse-mismatch-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const { a, b } = await loopbackSessionPair(cleanups, { confirmWhenRead: true });
  const inbox = b[Symbol.asyncIterator]();
  const data = randomBytes(300_000);
  async function* unsized(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < data.length; at += 64 * 1024) {
      yield await Promise.resolve(data.subarray(at, at + 64 * 1024));
    }
  }
  const failed = a.sendFile(unsized(), { name: 'f.bin' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const message = await next(inbox);
  expect(message.size).toBeUndefined();
  const expectedHash = sha256(randomBytes(10));
  await expect(
    message.saveTo(join(dir, 'f.bin'), { expectedHash, refuseMismatch: true }),
  ).rejects.toMatchObject({ code: 'MSRP_ERR_HASH_MISMATCH' });
  expect(await failed).toMatchObject({ status: 413, code: 'MSRP_ERR_HASH_MISMATCH' });

  const sent = a.sendFile(unsized(), { name: 'g.bin' });
  const saved = await (await next(inbox)).saveTo(join(dir, 'g.bin'), { refuseMismatch: true });
  expect(saved).toMatchObject({ bytes: data.length, hashMatches: true });
  expect((await sent).bytes).toBe(data.length);
});
