// IncomingMessage.offset (issue 12): a message whose first chunk starts past octet 1 (a
// resume: SendOptions.offset and the same Message-ID) is delivered from there. Sessions on
// real loopback sockets.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  DeliveryError,
  Endpoint,
  socketStream,
  type CreateSessionOptions,
  type IncomingMessage,
  type Session,
} from '../src/index.js';
import { encodeFrame } from '../src/wire/serializer.js';
import { next } from './helpers/inbox.js';
import { RawPeer } from './helpers/raw-peer.js';
import { until } from './helpers/socket-pair.js';
import { cleanups } from './helpers/cleanups.js';

const KiB = 1024;
const MiB = 1024 * KiB;

function endpoint(options?: ConstructorParameters<typeof Endpoint>[0]): Endpoint {
  const e = new Endpoint({ host: '127.0.0.1', ...options });
  cleanups.push(() => e.close());
  return e;
}

async function receiver(options: CreateSessionOptions = {}) {
  const b = endpoint();
  await b.listen({ host: '127.0.0.1', port: 0 });
  const session = b.createSession(options);
  session.accept();
  return { session, inbox: session[Symbol.asyncIterator]() };
}

/** A session of another endpoint, connected to `receiver`. */
async function senderTo(receiver: Session): Promise<Session> {
  const sender = endpoint().createSession();
  await sender.connect([receiver.localUri]);
  return sender;
}

async function readAll(message: IncomingMessage): Promise<Buffer> {
  if (message.body) return Buffer.from(message.body);
  const parts: Uint8Array[] = [];
  for await (const part of message.stream!) parts.push(part);
  return Buffer.concat(parts);
}

describe('IncomingMessage.offset', () => {
  it('is 0 for a message sent whole', async () => {
    const { session, inbox } = await receiver();
    const sender = await senderTo(session);
    await sender.send('whole');
    const m = await next(inbox);
    expect(m.offset).toBe(0);
    expect(m.received).toBe(5);
  });

  it.each([
    { name: 'in memory', size: 1000, offset: 300 },
    { name: 'as a stream', size: 3 * MiB, offset: MiB + 17 },
  ])(
    'delivers a resumed message ($name) from its offset; size stays the total',
    async ({ size, offset }) => {
      const { session, inbox } = await receiver({ inMemoryThreshold: 64 * KiB });
      const sender = await senderTo(session);
      const data = randomBytes(size);
      const delivery = await sender.send(data.subarray(offset), {
        offset,
        messageId: 'resumed-1',
      });
      expect(delivery.bytes).toBe(size);
      const m = await next(inbox);
      expect(m.messageId).toBe('resumed-1');
      expect(m.offset).toBe(offset);
      expect(m.size).toBe(size);
      expect(m.stream !== undefined).toBe(size - offset > 64 * KiB);
      expect((await readAll(m)).equals(data.subarray(offset))).toBe(true);
      expect(m.received).toBe(size);
    },
  );

  it('resumes a message cut by a broken connection on a new one, from what was confirmed', async () => {
    // The receiver stores each piece before it pulls the next (confirmWhenRead), and keeps
    // its session for the next connection (rebind).
    const { session, inbox } = await receiver({
      confirmWhenRead: true,
      rebind: true,
      inMemoryThreshold: 64 * KiB,
    });
    const data = randomBytes(2 * MiB);
    const stored = Buffer.alloc(data.length);
    let storedTo = 0;

    let socket: Socket | undefined;
    const first = endpoint({
      dialers: {
        msrp: async (uri) => {
          socket = connect({ host: uri.host, port: uri.port! });
          await once(socket, 'connect');
          return socketStream(socket);
        },
      },
    }).createSession({ maxInFlightBytes: 128 * KiB });
    await first.connect([session.localUri]);
    // Handled at once: the send may fail before the reader's loop below sees the cut.
    const cut = first.send(data, { messageId: 'resume-me' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const m1 = await next(inbox);
    expect(m1.offset).toBe(0);
    try {
      for await (const piece of m1.stream!) {
        stored.set(piece, storedTo);
        storedTo += piece.length;
        if (storedTo >= 700 * KiB) socket?.destroy();
      }
    } catch {
      // The connection broke under the reader: what it stored is kept.
    }
    const error = await cut;
    expect(error).toBeInstanceOf(DeliveryError);
    const confirmed = (error as DeliveryError).confirmedBytes;
    expect(confirmed).toBeGreaterThan(0);
    expect(confirmed).toBeLessThanOrEqual(storedTo);
    await until(() => session.state === 'waiting');

    const second = await senderTo(session);
    const rest = second.send(data.subarray(confirmed), {
      offset: confirmed,
      messageId: 'resume-me',
    });
    const m2 = await next(inbox);
    expect(m2.messageId).toBe('resume-me');
    expect(m2.offset).toBe(confirmed);
    expect(m2.size).toBe(data.length);
    let at = m2.offset;
    for await (const piece of m2.stream!) {
      stored.set(piece, at);
      at += piece.length;
    }
    expect((await rest).bytes).toBe(data.length);
    expect(at).toBe(data.length);
    expect(stored.equals(data)).toBe(true);
  });
});

it('takes a resume of a message whose connection broke in the middle of a chunk', async () => {
  const b = endpoint();
  const port = (await b.listen({ host: '127.0.0.1', port: 0 })).port!;
  const session = b.createSession({ rebind: true });
  session.accept();
  const inbox = session[Symbol.asyncIterator]();
  const text = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123';
  const to = [session.localUri];

  const first = await RawPeer.connect(port);
  cleanups.push(() => first.destroy());
  const chunk = (start: number, end: number) => ({
    toPath: to,
    messageId: 'cut-mid-chunk',
    byteRange: { start, end, total: 30 },
    body: text.slice(start - 1, end),
  });
  expect((await first.transact({ ...chunk(1, 10), flag: '+' })).head.statusCode).toBe(200);
  // Half of the next chunk, then the connection breaks.
  const [head, body] = encodeFrame(first.requestHead(chunk(11, 30)), Buffer.from('KLMNO'), '$');
  first.write(head!);
  first.write(body!);
  first.destroy();
  const cut = await next(inbox);
  expect(cut.aborted).toBe(true);
  await until(() => session.state === 'waiting');

  // Cut by the connection, not refused: the sender may resume it from what was confirmed.
  const second = await RawPeer.connect(port);
  cleanups.push(() => second.destroy());
  expect((await second.transact(chunk(11, 30))).head.statusCode).toBe(200);
  const resumed = await next(inbox);
  expect(resumed.offset).toBe(10);
  expect(resumed.text()).toBe(text.slice(10));
});
