// A file sends the octets it had when opened, and announces their hash: one that grew while
// it was sent announced the hash of more octets than it sent, and every receiver found a
// mismatch. A stream longer than the size its caller declared fails instead, and a size
// declared for a source that tells its own (bytes, a Blob) must be that one: honoured, it
// sent 10 of 100 bytes announced with the hash of all 100, or cut a Blob short.
import { createHash, randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { formatHash } from '../src/index.js';
import { nodeHasher } from '../src/node/node-hasher.js';
import { fileMessage } from '../src/session/file-send.js';
import type { FileSource } from '../src/session/file-transfer.js';
import { next } from './helpers/inbox.js';
import { sessionPair } from './helpers/session-pair.js';
import { cleanups } from './helpers/cleanups.js';

const sha256 = (bytes: Uint8Array): string =>
  `sha-256:${formatHash(createHash('sha256').update(bytes).digest())}`;

const content = Uint8Array.from({ length: 15 }, (_, i) => i + 1);

/** A source yielding `content` in pieces of 6, 6 and 3, counting the pieces asked for. */
function growing(size: number | undefined): { file: FileSource; reads: () => number } {
  let reads = 0;
  async function* bytes(): AsyncGenerator<Uint8Array> {
    for (const at of [0, 6, 12]) {
      reads += 1;
      yield await Promise.resolve(content.slice(at, at + 6));
    }
  }
  const file = {
    bytes: bytes(),
    name: 'grown.log',
    size,
    contentType: 'text/plain',
    release: () => undefined,
  };
  return { file, reads: () => reads };
}

async function collect(body: Uint8Array | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  const pieces: Uint8Array[] = [];
  for await (const piece of body) pieces.push(piece);
  return Buffer.concat(pieces);
}

it('a file that grew since it was opened goes as it was, with the hash of what is sent', async () => {
  const { file, reads } = growing(10);
  const message = fileMessage(file, {}, nodeHasher);
  const sent = await collect(message.body);
  expect([...sent]).toEqual([...content.subarray(0, 10)]);
  const hash = `sha-256:${formatHash(createHash('sha256').update(sent).digest())}`;
  expect(message.hash()).toBe(hash);
  expect(message.sendOptions.lastChunkHeaders!()).toEqual([{ name: 'File-Hash', value: hash }]);
  // Its end reached, the rest of the file is not read.
  expect(reads()).toBe(2);
});

it('a stream longer than its declared size fails the send', async () => {
  const { file } = growing(undefined);
  const message = fileMessage(file, { size: 10 }, nodeHasher);
  await expect(collect(message.body)).rejects.toMatchObject({
    code: 'MSRP_ERR_LIMIT',
    message: 'The file is larger than its declared 10 bytes',
  });
});

it('refuses a size other than the one bytes or a Blob tell, and sends them whole with their own', async () => {
  const { a, b } = await sessionPair(cleanups);
  const inbox = b[Symbol.asyncIterator]();
  const content = randomBytes(100);
  for (const [source, size] of [
    [content, 10],
    [new Blob([content]), 10],
    [new Blob([content]), 200],
  ] as const) {
    await expect(a.sendFile(source, { size })).rejects.toMatchObject({
      code: 'MSRP_ERR_INVALID_ARGUMENT',
      message: `Invalid size ${size}: the file is 100 octets (a path, bytes or a Blob tell their own size)`,
    });
  }
  // Its own size may be given; nothing went before.
  const delivery = await a.sendFile(new Blob([content]), { size: 100 });
  const message = await next(inbox);
  expect(message.body).toEqual(new Uint8Array(content));
  expect(message.announcedHash).toBe(sha256(content));
  expect(delivery).toMatchObject({ bytes: 100, hash: sha256(content) });
});

it('fails the send of a stream longer than the size given for it, as fileMessage does', async () => {
  const { a } = await sessionPair(cleanups);
  async function* longer(): AsyncGenerator<Uint8Array> {
    yield await Promise.resolve(content.slice(0, 8));
    yield content.slice(8);
  }
  await expect(a.sendFile(longer(), { size: 10 })).rejects.toMatchObject({
    code: 'MSRP_ERR_LIMIT',
  });
});
