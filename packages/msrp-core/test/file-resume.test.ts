// Issue 12: resuming a file. sendFile({ offset }) continues a message (Byte-Range from
// offset + 1), sendFile({ range }) sends part of a file as a new message (RFC 5547 §6), both
// announcing the WHOLE file's hash; saveTo(path, { offset }) writes after what a partial file
// holds and hashes the whole file in the same pass.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Endpoint, formatHash, IncomingMessage } from '../src/index.js';
import type { MsrpError } from '../src/index.js';
import { nodeFiles } from '../src/node/files.js';
import { nodeHasher } from '../src/node/node-hasher.js';
import { next } from './helpers/inbox.js';
import { RawServer, type RawRequest } from './helpers/raw-peer.js';
import { loopbackSessionPair } from './helpers/session-pair.js';
import { tempDir } from './helpers/temp-dir.js';
import { cleanups } from './helpers/cleanups.js';

function sha(algorithm: 'sha256' | 'sha1', bytes: Uint8Array): string {
  const name = algorithm === 'sha256' ? 'sha-256' : 'sha-1';
  return `${name}:${formatHash(createHash(algorithm).update(bytes).digest())}`;
}

/** A session dialled to a raw peer that answers 200, and the file `content` on disk. */
async function toRawPeer(content: Uint8Array): Promise<{
  path: string;
  send: Endpoint;
  server: RawServer;
  session: ReturnType<Endpoint['createSession']>;
}> {
  const dir = await tempDir('msrp-file-resume-');
  const path = join(dir, 'file.bin');
  await writeFile(path, content);
  const server = await RawServer.listen({ autoRespond: true });
  cleanups.push(() => server.close());
  const send = new Endpoint({ session: { chunkSize: 8192 } });
  cleanups.push(() => send.close());
  const session = send.createSession();
  await session.connect([server.uri()]);
  return { path, send, server, session };
}

/** The SEND chunks of `messageId` the raw peer received. */
function chunksOf(requests: readonly RawRequest[], messageId: string): RawRequest[] {
  return requests.filter((r) => r.head.method === 'SEND' && r.head.messageId === messageId);
}

function fileHashOf(request: RawRequest): string | undefined {
  return request.head.extensions?.find((h) => h.name.toLowerCase() === 'file-hash')?.value;
}

describe('sendFile at an offset or a range', () => {
  it('with { offset, messageId } sends only the octets after offset, as the same message, with the whole hash', async () => {
    const content = randomBytes(100_000);
    const { path, server, session } = await toRawPeer(content);
    const offset = 40_001;
    const delivery = await session.sendFile(path, { offset, messageId: 'resumed-1' });
    const chunks = chunksOf((await server.peer()).requests, 'resumed-1');
    expect(chunks[0]!.head.byteRange).toMatchObject({ start: offset + 1, total: content.length });
    expect(chunks.at(-1)!.head.byteRange).toMatchObject({ end: content.length });
    expect(Buffer.concat(chunks.map((c) => c.body)).equals(content.subarray(offset))).toBe(true);
    // The octets before offset were read and hashed, not sent: the hash is the whole file's.
    expect(fileHashOf(chunks.at(-1)!)).toBe(sha('sha256', content));
    expect(delivery).toMatchObject({
      messageId: 'resumed-1',
      bytes: content.length,
      hash: sha('sha256', content),
    });
  });

  it('with { range } sends octets start..end as a new message from Byte-Range 1, with the whole hash', async () => {
    const content = randomBytes(90_000);
    const { path, server, session } = await toRawPeer(content);
    // A gap in the middle: the octets after it must still be hashed before the last chunk.
    const range = { start: 20_001, end: 70_000 };
    const delivery = await session.sendFile(path, { range, hash: 'sha-1' });
    const chunks = chunksOf((await server.peer()).requests, delivery.messageId);
    expect(chunks[0]!.head.byteRange).toMatchObject({ start: 1, total: 50_000 });
    expect(chunks.at(-1)!.head.byteRange).toMatchObject({ end: 50_000 });
    expect(Buffer.concat(chunks.map((c) => c.body)).equals(content.subarray(20_000, 70_000))).toBe(
      true,
    );
    expect(fileHashOf(chunks.at(-1)!)).toBe(sha('sha1', content));
    expect(delivery).toMatchObject({ bytes: 50_000, hash: sha('sha1', content) });
  });

  it('with { range } on bytes in memory slices them, with the whole hash', async () => {
    const content = randomBytes(30_000);
    const { server, session } = await toRawPeer(content);
    const delivery = await session.sendFile(content, { range: { start: 1, end: 10 } });
    const chunks = chunksOf((await server.peer()).requests, delivery.messageId);
    expect(Buffer.concat(chunks.map((c) => c.body))).toEqual(content.subarray(0, 10));
    expect(fileHashOf(chunks.at(-1)!)).toBe(sha('sha256', content));
  });

  it('refuses a range outside the file, or a range with an offset', async () => {
    const content = randomBytes(1000);
    const { path, session } = await toRawPeer(content);
    for (const options of [
      { range: { start: 0, end: 10 } },
      { range: { start: 5, end: 1001 } },
      { range: { start: 10, end: 9 } },
      { range: { start: 1, end: 10 }, offset: 3 },
    ]) {
      await expect(session.sendFile(path, options)).rejects.toMatchObject({
        code: 'MSRP_ERR_INVALID_ARGUMENT',
      });
    }
  });

  it('refuses a hash RFC 5547 files do not use, before a byte goes', async () => {
    const { path, session, server } = await toRawPeer(randomBytes(1000));
    const hash = 'md5' as 'sha-1';
    await expect(session.sendFile(path, { hash })).rejects.toMatchObject({
      code: 'MSRP_ERR_INVALID_ARGUMENT',
      message: expect.stringMatching(
        /Hash "md5": RFC 5547 file hashes are 'sha-1' or 'sha-256'/,
      ) as string,
    });
    const sent = server.peers.flatMap((peer) => peer.requests);
    expect(sent.filter((r) => r.body.length > 0)).toHaveLength(0);
  });
});

/** An in-memory message of `body`, announcing `announced`, saved through Node's files. */
function memoryMessage(body: Uint8Array, announced?: string): IncomingMessage {
  const message = new IncomingMessage(
    { messageId: 'mmmm', contentType: undefined, contentHeaders: [], size: body.length },
    { createHasher: nodeHasher, files: nodeFiles },
  );
  message.body = new Uint8Array(body);
  message.announcedHash = announced;
  message.settle();
  return message;
}

describe('saveTo at an offset', () => {
  it("writes after a partial file's first offset octets and returns the whole file's hash", async () => {
    const content = randomBytes(3 * 1024 * 1024 + 17);
    const path = join(await tempDir('msrp-file-resume-'), 'file.bin');
    const offset = 1024 * 1024 + 5;
    // The part holds more than offset (a write cut short): it is cut at offset first.
    await writeFile(path, Buffer.concat([content.subarray(0, offset), Buffer.alloc(100, 7)]));
    const message = memoryMessage(content.subarray(offset), sha('sha256', content));
    const saved = await message.saveTo(path, { offset });
    expect(saved).toMatchObject({
      path,
      bytes: content.length - offset,
      hash: sha('sha256', content),
      hashMatches: true,
    });
    expect((await readFile(path)).equals(content)).toBe(true);
  });

  it("hashes with the expected hash's algorithm (sha-1), and says when it does not match", async () => {
    const content = randomBytes(5000);
    const path = join(await tempDir('msrp-file-resume-'), 'file.bin');
    await writeFile(path, content.subarray(0, 1000));
    const wrong = sha('sha1', randomBytes(10));
    const saved = await memoryMessage(content.subarray(1000)).saveTo(path, {
      offset: 1000,
      expectedHash: wrong,
    });
    expect(saved).toMatchObject({ hash: sha('sha1', content), announcedHash: wrong });
    expect(saved.hashMatches).toBe(false);
  });

  it('checks a sha-1 File-Hash the sender announced though no hash was expected', async () => {
    const content = randomBytes(5000);
    const path = join(await tempDir('msrp-file-resume-'), 'file.bin');
    const saved = await memoryMessage(content, sha('sha1', content)).saveTo(path);
    expect(saved).toMatchObject({ hash: sha('sha1', content), hashMatches: true });
  });

  it('refuses a file shorter than the offset, and a bad offset', async () => {
    const path = join(await tempDir('msrp-file-resume-'), 'file.bin');
    await writeFile(path, randomBytes(10));
    const short = await memoryMessage(randomBytes(5))
      .saveTo(path, { offset: 11 })
      .then(
        () => undefined,
        (e: unknown) => e as MsrpError,
      );
    expect(short?.code).toBe('MSRP_ERR_FILE');
    expect(short?.message).toContain('ends at octet 10');
    await expect(memoryMessage(randomBytes(5)).saveTo(path, { offset: -1 })).rejects.toMatchObject({
      code: 'MSRP_ERR_INVALID_ARGUMENT',
    });
    const missing = join(await tempDir('msrp-file-resume-'), 'missing.bin');
    await expect(
      memoryMessage(randomBytes(5)).saveTo(missing, { offset: 3 }),
    ).rejects.toMatchObject({ code: 'MSRP_ERR_FILE' });
  });

  it('resumes end to end: sendFile({ range }) then saveTo({ offset }) rebuilds the file, hash checked', async () => {
    const content = randomBytes(2 * 1024 * 1024 + 3);
    const dir = await tempDir('msrp-file-resume-');
    const source = join(dir, 'source.bin');
    await writeFile(source, content);
    const part = join(dir, 'received.bin');
    const held = 777_777;
    await writeFile(part, content.subarray(0, held));
    const { a: sa, b: sb } = await loopbackSessionPair(cleanups, { inMemoryThreshold: 64 * 1024 });
    const sending = sa.sendFile(source, { range: { start: held + 1, end: content.length } });
    const message = await next(sb[Symbol.asyncIterator]());
    expect(message.size).toBe(content.length - held);
    const saved = await message.saveTo(part, { offset: held });
    const delivery = await sending;
    expect(delivery.bytes).toBe(content.length - held);
    expect(saved).toMatchObject({ hash: sha('sha256', content), hashMatches: true });
    expect(saved.announcedHash).toBe(sha('sha256', content));
    expect((await readFile(part)).equals(content)).toBe(true);
  });
});
