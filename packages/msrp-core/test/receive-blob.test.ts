// receiveBlob (issue 10: "receive into a Blob, with the hash checked"): a message received
// whole into a Blob, its bytes hashed as they arrive and checked against the sender's
// File-Hash or a hash the caller expects (RFC 5547, e.g. from a=file-selector); a message
// that resumes another, whose hash covers octets it does not carry, refused.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Endpoint,
  MsrpError,
  nodeHasher,
  receiveBlob,
  type IncomingMessage,
  type Session,
} from '../src/index.js';
import { memoryPair } from './helpers/memory-pair.js';
import { cleanups } from './helpers/cleanups.js';

/** Alice's session connected to Bob's over an in-memory pair, and Bob's inbox. */
async function pair() {
  const bob = new Endpoint({ host: 'bob.example.com' });
  const alice = new Endpoint({
    dialers: {
      msrp: () => {
        const [ours, theirs] = memoryPair();
        bob.acceptConnection(theirs, 'alice');
        return Promise.resolve(ours);
      },
    },
  });
  cleanups.push(
    () => alice.close(),
    () => bob.close(),
  );
  const bobSession = bob.createSession();
  bobSession.accept();
  const alice1: Session = alice.createSession();
  await alice1.connect([bobSession.localUri]);
  const inbox = bobSession[Symbol.asyncIterator]();
  const next = async () => (await inbox.next()).value as IncomingMessage;
  return { alice: alice1, next };
}

/** RFC 5547 form of a hash of `bytes`. */
function rfc5547(algorithm: 'sha1' | 'sha256', bytes: Uint8Array): string {
  const hex = createHash(algorithm).update(bytes).digest('hex').toUpperCase();
  return `${algorithm === 'sha1' ? 'sha-1' : 'sha-256'}:${hex.replace(/(..)(?!$)/g, '$1:')}`;
}

function pattern(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + 3) & 0xff;
  return bytes;
}

describe('receiveBlob', () => {
  it('receives a streamed file into a Blob, checking the File-Hash the sender announced', async () => {
    const { alice, next } = await pair();
    const content = pattern(2 * 1024 * 1024 + 5);
    const sent = alice.sendFile(new File([content], 'big.bin', { type: 'image/png' }));
    const message = await next();
    expect(message.stream).toBeDefined();
    const progress: number[] = [];
    const blob = await receiveBlob(message, { onProgress: (bytes) => progress.push(bytes) });
    await sent;
    // Rising, piece by piece, to the whole size.
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((bytes, i) => i === 0 || bytes > progress[i - 1]!)).toBe(true);
    expect(progress.at(-1)).toBe(content.length);
    expect(message.announcedHash).toBe(rfc5547('sha256', content));
    expect(blob.type).toBe('image/png');
    expect(Buffer.compare(Buffer.from(await blob.arrayBuffer()), content)).toBe(0);
  });

  it("checks the caller's expected hash (sha-1 as in a=file-selector) for an in-memory message", async () => {
    const { alice, next } = await pair();
    const content = pattern(1000);
    void alice.send(content, { contentType: 'application/octet-stream' });
    const message = await next();
    expect(message.body).toBeDefined();
    const blob = await receiveBlob(message, {
      hash: rfc5547('sha1', content).toLowerCase(),
      type: 'text/x-test',
    });
    expect(blob.type).toBe('text/x-test');
    expect(blob.size).toBe(1000);
  });

  it('rejects with MSRP_ERR_HASH_MISMATCH when the bytes do not match', async () => {
    const { alice, next } = await pair();
    void alice.send(pattern(1000), { contentType: 'application/octet-stream' });
    const message = await next();
    const wrong = rfc5547('sha256', pattern(999));
    const error = await receiveBlob(message, { hash: wrong }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsrpError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_HASH_MISMATCH' });
    expect((error as Error).message).toContain(wrong);
  });

  it('refuses a hash of another algorithm, and a hash to check without a hasher', async () => {
    const { alice, next } = await pair();
    void alice.send('hello', { contentType: 'text/plain' });
    const message = await next();
    await expect(receiveBlob(message, { hash: 'md5:AB:CD' })).rejects.toMatchObject({
      code: 'MSRP_ERR_INVALID_ARGUMENT',
    });
    // A message made without a runtime (no hasher) whose caller gives none either.
    const { IncomingMessage: Incoming } = await import('../src/index.js');
    const bare = new Incoming({
      messageId: 'm-bare',
      contentType: undefined,
      contentHeaders: [],
      size: 1,
    });
    bare.body = new Uint8Array([1]);
    bare.settle();
    await expect(receiveBlob(bare, { hash: rfc5547('sha1', bare.body) })).rejects.toMatchObject({
      code: 'MSRP_ERR_INVALID_ARGUMENT',
    });
    const blob = await receiveBlob(bare, {
      hash: rfc5547('sha1', bare.body),
      createHasher: nodeHasher,
    });
    expect(blob.size).toBe(1);
  });

  it('refuses a message that resumes another: its Blob would lack octets the hash covers', async () => {
    // The File-Hash is the whole file's: checked against the octets past `offset` alone, a
    // Blob of the right ones was refused as MSRP_ERR_HASH_MISMATCH.
    const { alice, next } = await pair();
    const content = pattern(2 * 1024 * 1024 + 100);
    const sent = alice.sendFile(content, { offset: 100, messageId: 'resumed-1' });
    const message = await next();
    expect(message.offset).toBe(100);
    await expect(receiveBlob(message)).rejects.toMatchObject({
      code: 'MSRP_ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('resumes at octet 101') as unknown,
    });
    // Left unread for another reader: the rest of the file, announced with the whole's hash.
    const rest: Uint8Array[] = [];
    for await (const piece of message.stream!) rest.push(piece);
    expect(Buffer.compare(Buffer.concat(rest), content.subarray(100))).toBe(0);
    expect(message.announcedHash).toBe(rfc5547('sha256', content));
    expect((await sent).bytes).toBe(content.length); // the message's, offset included
  });

  it('rejects with MSRP_ERR_ABORTED when the sender aborts the message', async () => {
    const { alice, next } = await pair();
    const controller = new AbortController();
    let sentBytes = 0;
    const sent = alice.send(pattern(4 * 1024 * 1024), {
      contentType: 'application/octet-stream',
      signal: controller.signal,
      onProgress: ({ bytes }) => {
        sentBytes = bytes;
        if (bytes >= 1024 * 1024) controller.abort();
      },
    });
    sent.catch(() => undefined);
    const message = await next();
    await expect(receiveBlob(message)).rejects.toMatchObject({ code: 'MSRP_ERR_ABORTED' });
    expect(sentBytes).toBeGreaterThan(0);
  });
});
