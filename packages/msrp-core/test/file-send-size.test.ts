// A file sends the octets it had when opened, and announces their hash: one that grew while
// it was sent announced the hash of more octets than it sent, and every receiver found a
// mismatch. A stream longer than the size its caller declared fails instead.
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { formatHash } from '../src/index.js';
import { nodeHasher } from '../src/node/node-hasher.js';
import { fileMessage } from '../src/session/file-send.js';
import type { FileSource } from '../src/session/file-transfer.js';

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
