// PartialFile.receive of a message whose size is unknown until its end (Byte-Range `1-*/*`,
// RFC 4975 §7.1: a stream sent without a size, `msrp send --file -`): its octets are held to
// the file's size as they come (written past it, the record claimed more than the file, which
// PartialFile.load and open refuse: the part was lost), and the file it completes is checked
// before its last chunk is confirmed, as one of known size is.
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DeliveryError, formatHash, PartialFile, type SessionOptions } from '../src/index.js';
import { nodeHasher } from '../src/node/node-hasher.js';
import { next } from './helpers/inbox.js';
import { sessionPair } from './helpers/session-pair.js';
import { tempDir } from './helpers/temp-dir.js';
import { cleanups } from './helpers/cleanups.js';

const sha256 = (bytes: Uint8Array): string =>
  `sha-256:${formatHash(createHash('sha256').update(bytes).digest())}`;

/** A sender `a` to a receiver whose messages `inbox` gives, streamed past 1 KiB. */
async function pair(receiver: SessionOptions = {}) {
  const { a, b } = await sessionPair(cleanups, {
    receiver: { inMemoryThreshold: 1024, ...receiver },
  });
  return { a, inbox: b[Symbol.asyncIterator]() };
}

/** `bytes` as a stream of pieces of 8000: sent without a size, its total unknown up front. */
async function* unsized(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += 8000) {
    yield await Promise.resolve(bytes.subarray(at, at + 8000));
  }
}

it('refuses a message of unknown size once it goes past the file, leaving a loadable part', async () => {
  const path = join(await tempDir('msrp-partial-unknown-'), 'file.bin');
  const { a, inbox } = await pair();
  const size = 10_000;
  const partial = await PartialFile.open(path, { size, createHasher: nodeHasher });
  const sent = a.send(unsized(randomBytes(16_000))).catch((e: unknown) => e);
  const message = await next(inbox);
  expect(message.size).toBeUndefined();

  await expect(partial.receive(message)).rejects.toMatchObject({
    code: 'MSRP_ERR_INVALID_ARGUMENT',
    message: `Message ${message.messageId} goes past the file's ${size} octets`,
  });
  await sent;
  expect(partial.held).toBeLessThanOrEqual(size);
  // The part and its record, opened again, are still a partial file of 10 000 octets.
  const again = await PartialFile.load(path, { createHasher: nodeHasher });
  expect(again?.record.size).toBe(size);
  expect(again?.held).toBe(partial.held);
});

it('answers 413 to the chunk that crosses the end, keeps what was confirmed, and takes the rest', async () => {
  const path = join(await tempDir('msrp-partial-unknown-'), 'file.bin');
  const { a, inbox } = await pair({ confirmWhenRead: true });
  const content = randomBytes(10_000);
  const partial = await PartialFile.open(path, { size: content.length, createHasher: nodeHasher });
  // The file's octets, then 6000 more: chunks of 8192, the second one crossing the end.
  const longer = Buffer.concat([content, randomBytes(6000)]);
  const sent = a.send(unsized(longer)).catch((e: unknown) => e);
  await expect(partial.receive(await next(inbox))).rejects.toMatchObject({
    code: 'MSRP_ERR_INVALID_ARGUMENT',
  });
  const error = await sent;
  expect(error).toBeInstanceOf(DeliveryError);
  expect(error).toMatchObject({ status: 413 });
  // Every octet confirmed is held, and nothing past the file.
  const { confirmedBytes } = error as DeliveryError;
  expect(partial.held).toBeGreaterThanOrEqual(confirmedBytes);
  expect(partial.held).toBeLessThan(content.length);
  expect(await readFile(partial.partPath)).toEqual(content.subarray(0, partial.held));

  // The rest, of unknown size too, fills the part to its very end.
  const rest = a.send(unsized(content.subarray(partial.held)));
  expect(await partial.receive(await next(inbox))).toMatchObject({ held: content.length });
  await rest;
  expect(await readFile((await partial.complete()).path)).toEqual(content);
});

// README "Resuming a file": "When the message fills the part, `receive` checks that hash
// before the last chunk is confirmed: a part of another file gets 413". Its end-line marks
// the last chunk whether the size was known or not.
it('refuses the last chunk of a file of unknown size whose hash is not the record’s: 413, never a 200', async () => {
  const path = join(await tempDir('msrp-partial-unknown-'), 'file.bin');
  const { a, inbox } = await pair({ confirmWhenRead: true });
  const right = randomBytes(20_000);
  const partial = await PartialFile.open(path, {
    size: right.length,
    hash: sha256(right),
    createHasher: nodeHasher,
  });
  const sent = a
    .sendFile(unsized(randomBytes(20_000)), { name: 'file.bin' })
    .catch((e: unknown) => e);
  const message = await next(inbox);
  expect(message.size).toBeUndefined();
  await expect(partial.receive(message)).rejects.toMatchObject({ code: 'MSRP_ERR_HASH_MISMATCH' });
  const error = await sent;
  expect(error).toBeInstanceOf(DeliveryError);
  expect(error).toMatchObject({ status: 413 });
  expect((error as DeliveryError).confirmedBytes).toBeLessThan(right.length);

  // The right file, of unknown size too, goes through the same part.
  await partial.discard();
  const retry = await PartialFile.open(path, {
    size: right.length,
    hash: sha256(right),
    createHasher: nodeHasher,
  });
  const delivered = a.sendFile(unsized(right), { name: 'file.bin' });
  expect(await retry.receive(await next(inbox))).toMatchObject({ hash: sha256(right) });
  expect((await delivered).bytes).toBe(right.length);
  expect((await retry.complete()).checkedAgainst).toBe(sha256(right));
});
