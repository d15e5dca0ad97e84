// SessionOptions.confirmWhenRead (issue 12): a streamed message's chunk is answered 200 only
// once the reader took its bytes, so a receiver that stores each piece before pulling the next
// has stored all it confirmed. Sessions on real loopback sockets.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  DeliveryError,
  Endpoint,
  PartialFile,
  type CreateSessionOptions,
  type IncomingMessage,
  type Session,
} from '../src/index.js';
import { next } from './helpers/inbox.js';
import { until } from './helpers/socket-pair.js';
import { cleanups } from './helpers/cleanups.js';

const KiB = 1024;
const MiB = 1024 * KiB;

function endpoint(): Endpoint {
  const e = new Endpoint({ host: '127.0.0.1' });
  cleanups.push(() => e.close());
  return e;
}

/** Receiver B listens; A connects `count` sessions to it, all over one dialed connection. */
async function sessions(
  count: number,
  options: { receiver?: CreateSessionOptions; sender?: CreateSessionOptions } = {},
): Promise<{ senders: Session[]; receivers: Session[] }> {
  const b = endpoint();
  await b.listen({ host: '127.0.0.1', port: 0 });
  const a = endpoint();
  const receivers: Session[] = [];
  const senders: Session[] = [];
  for (let i = 0; i < count; i++) {
    const sb = b.createSession(options.receiver);
    sb.accept();
    const sa = a.createSession(options.sender);
    await sa.connect([sb.localUri]);
    receivers.push(sb);
    senders.push(sa);
  }
  return { senders, receivers };
}

/** A slow store: a few turns of the event loop per piece, as a disk write would take. */
async function store(): Promise<void> {
  for (let i = 0; i < 3; i++) await turn();
}

const streamed: CreateSessionOptions = { confirmWhenRead: true, inMemoryThreshold: 64 * KiB };

describe('confirmWhenRead', () => {
  it('confirms to the sender no byte the reader has not stored; the REPORT follows the last 200', async () => {
    const { senders, receivers } = await sessions(1, { receiver: streamed });
    const data = randomBytes(2 * MiB);
    let stored = 0;
    let ahead = 0;
    const sent = senders[0]!.send(data, {
      successReport: true,
      onProgress: (p) => {
        if (p.bytes > stored) ahead = Math.max(ahead, p.bytes - stored);
      },
    });
    const message = await next(receivers[0]![Symbol.asyncIterator]());
    expect(message.stream).toBeDefined();
    const parts: Uint8Array[] = [];
    for await (const piece of message.stream!) {
      await store();
      parts.push(piece);
      stored += piece.length;
    }
    const delivery = await sent;
    expect(ahead).toBe(0);
    expect(delivery.bytes).toBe(data.length);
    expect(delivery.report?.code).toBe(200);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
  });

  it('a reader that stops holds the sender back by its window; another session on the connection chats on', async () => {
    const window = 256 * KiB;
    const { senders, receivers } = await sessions(2, {
      receiver: streamed,
      sender: { maxInFlightBytes: window },
    });
    const [file, chat] = senders as [Session, Session];
    expect(receivers[0]!.connection).toBe(receivers[1]!.connection);
    const data = randomBytes(4 * MiB);
    let confirmed = 0;
    const sent = file.send(data, { onProgress: (p) => (confirmed = p.bytes) });
    const message: IncomingMessage = await next(receivers[0]![Symbol.asyncIterator]());

    // Nothing read: nothing confirmed, and no more arrives than the sender's window.
    await chat.send('still here');
    expect((await next(receivers[1]![Symbol.asyncIterator]())).text()).toBe('still here');
    await until(() => message.received >= window - 8 * KiB);
    expect(confirmed).toBe(0);
    expect(message.received).toBeLessThanOrEqual(window);

    const parts: Uint8Array[] = [];
    for await (const piece of message.stream!) parts.push(piece);
    expect((await sent).bytes).toBe(data.length);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
  });

  it('answers 413 to the chunks a reader left unread; the sender keeps what was confirmed', async () => {
    const { senders, receivers } = await sessions(2, { receiver: streamed });
    const data = randomBytes(2 * MiB);
    const sent = senders[0]!.send(data);
    const message = await next(receivers[0]![Symbol.asyncIterator]());
    let stored = 0;
    for await (const piece of message.stream!) {
      stored += piece.length;
      if (stored >= 256 * KiB) break; // the store failed: this piece is not stored
    }
    const error = await sent.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).status).toBe(413);
    expect((error as DeliveryError).confirmedBytes).toBeLessThanOrEqual(stored);
    expect((error as DeliveryError).confirmedBytes).toBeGreaterThan(0);
    await senders[1]!.send('after the refusal');
    expect((await next(receivers[1]![Symbol.asyncIterator]())).text()).toBe('after the refusal');
  });

  it('a store that fails (a full disk) refuses the rest at once: 413, not the sender timing out', async () => {
    // /dev/full: every write fails with ENOSPC. The message either all queued before the
    // store fails (100 KiB) or still arriving (3 MiB); the part a PartialFile writes too.
    const { senders, receivers } = await sessions(2, { receiver: streamed });
    const dir = await mkdtemp(join(tmpdir(), 'msrp-full-'));
    cleanups.push(() => rm(dir, { recursive: true }));
    const stores: Array<[string, (m: IncomingMessage, size: number) => Promise<unknown>]> = [
      ['saveTo', (m) => m.saveTo('/dev/full')],
      [
        'PartialFile.receive',
        async (m, size) => {
          const partial = await PartialFile.open(join(dir, `f${size}`), { size });
          await rm(partial.partPath);
          await symlink('/dev/full', partial.partPath);
          return partial.receive(m);
        },
      ],
    ];
    const inbox = receivers[0]![Symbol.asyncIterator]();
    for (const [how, storeIn] of stores) {
      for (const size of [100 * KiB, 3 * MiB]) {
        const failed = senders[0]!
          .send(randomBytes(size), {
            contentType: 'application/x-test',
          })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        const message = await next(inbox);
        await expect(storeIn(message, size), how).rejects.toThrow(/ENOSPC/);
        const error = await failed;
        expect(error, `${how}, ${size}`).toBeInstanceOf(DeliveryError);
        expect((error as DeliveryError).status, `${how}, ${size}`).toBe(413);
        expect((error as DeliveryError).confirmedBytes).toBeLessThan(size);
      }
    }
    await senders[1]!.send('after the refusals');
    expect((await next(receivers[1]![Symbol.asyncIterator]())).text()).toBe('after the refusals');
  });

  it('pauses the connection past maxQueuedStreamBytes unread, and resumes when read', async () => {
    const bound = 512 * KiB;
    const { senders, receivers } = await sessions(1, {
      receiver: { ...streamed, maxQueuedStreamBytes: bound },
      sender: { maxInFlightBytes: 16 * MiB, maxInFlightChunks: 4096 },
    });
    const data = randomBytes(4 * MiB);
    const sent = senders[0]!.send(data);
    const message = await next(receivers[0]![Symbol.asyncIterator]());
    await until(() => message.received >= bound);
    // Several socket reads' time for more bytes to come, had the connection not paused.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    // The read that crossed the bound is the last one taken (one socket read, <= 64 KiB).
    expect(message.received).toBeLessThanOrEqual(bound + 64 * KiB);
    const parts: Uint8Array[] = [];
    for await (const piece of message.stream!) parts.push(piece);
    expect((await sent).bytes).toBe(data.length);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
  });

  it('streams a file whatever its size: a receiver gone before storing the rest of a resume confirmed none of it', async () => {
    // What `msrp listen` met (issue 12): the rest of a resumed file, under inMemoryThreshold,
    // was held in memory and confirmed as it arrived; cut before it was stored, those bytes
    // were confirmed yet lost, and the next resume sent them again.
    const b = endpoint();
    await b.listen({ host: '127.0.0.1', port: 0 });
    const a = endpoint();
    const receiver = b.createSession({ confirmWhenRead: true });
    receiver.accept();
    const sender = a.createSession({ maxInFlightBytes: 16 * MiB, maxInFlightChunks: 4096 });
    await sender.connect([receiver.localUri]);
    const file = randomBytes(4 * MiB);
    const offset = 4 * MiB - 256 * KiB;
    const sent = sender.send(file.subarray(offset), {
      offset,
      size: file.length,
      contentType: 'application/octet-stream',
      contentHeaders: [{ name: 'Content-Disposition', value: 'attachment; filename="a.bin"' }],
    });
    const failed = sent.then(
      () => undefined,
      (e: unknown) => e,
    );
    const message = await next(receiver[Symbol.asyncIterator]());
    expect(message.offset).toBe(offset);
    expect(message.stream).toBeDefined();
    // Every chunk arrived; the receiver dies before it stored (read) any of them.
    await until(() => message.received === file.length);
    await b.close();
    const error = await failed;
    expect(error).toBeInstanceOf(DeliveryError);
    // Nothing past what the application held before the resume: it stored none of the rest.
    expect((error as DeliveryError).confirmedBytes).toBe(offset);
  });

  it('a stream cut at max-size: the chunks still unread are refused for the same reason', async () => {
    // `msrp send --file -` of 30 MB to `msrp listen --max-size 1M` said "413 The receiver did
    // not read this message": the 413s of the chunks held for the reader, answered before the
    // one that crossed max-size, named no reason the sender could act on.
    const maxSize = 256 * KiB;
    const { senders, receivers } = await sessions(1, { receiver: { ...streamed, maxSize } });
    const sent = senders[0]!.send(
      (async function* () {
        for (let i = 0; i < 64; i++) yield await Promise.resolve(randomBytes(16 * KiB));
      })(),
    );
    const failed = sent.then(
      () => undefined,
      (e: unknown) => e,
    );
    const message = await next(receivers[0]![Symbol.asyncIterator]());
    // Nothing read: every chunk waits for the reader when the one past max-size comes.
    await until(() => message.aborted);
    const error = await failed;
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toMatch(
      /: Peer answered 413 Chunk at \d+-\d+ exceeds max-size 262144$/,
    );
    expect((error as DeliveryError).status).toBe(413);
  });

  it('answers messages held in memory as they arrive', async () => {
    const { senders, receivers } = await sessions(1, { receiver: streamed });
    // Not read yet, yet confirmed: it is held whole, in memory.
    expect((await senders[0]!.send('hello')).bytes).toBe(5);
    expect((await next(receivers[0]![Symbol.asyncIterator]())).text()).toBe('hello');
  });
});
