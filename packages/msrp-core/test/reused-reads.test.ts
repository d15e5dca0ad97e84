// Issue 12 (memory): an endpoint's TCP connections, accepted and dialed, read into buffers used
// again (node/read-buffers.ts). A buffer is read into again only once nothing may still read it:
// pieces lent to an application stay as received, a file being saved gives its pieces back,
// and what a paused parser holds is not read over. Sessions on real loopback sockets.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { Endpoint, type CreateSessionOptions, type Session } from '../src/index.js';
import { dialTcp } from '../src/node/dial.js';
import { readBlocksMade } from '../src/node/read-buffers.js';
import { reusingReads, socketStream } from '../src/node/socket-stream.js';
import type { ByteStream } from '../src/transport/byte-stream.js';
import { lendRead, reuseRead } from '../src/transport/lent-reads.js';
import { acceptedPair } from './helpers/accepted-pair.js';
import { cleanups } from './helpers/cleanups.js';
import { next } from './helpers/inbox.js';
import { noEvents } from './helpers/no-events.js';
import { until } from './helpers/socket-pair.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** A session of an endpoint that listens (its connection is accepted) and one that dials it. */
async function pair(receiver: CreateSessionOptions = {}): Promise<[Session, Session]> {
  const b = new Endpoint();
  const a = new Endpoint();
  cleanups.push(
    () => b.close(),
    () => a.close(),
  );
  await b.listen({ host: '127.0.0.1', port: 0 });
  const sb = b.createSession(receiver);
  sb.accept();
  const sa = a.createSession();
  await sa.connect([sb.localUri]);
  return [sa, sb];
}

it('an application keeps the pieces of a stream as they came while the connection reads on', async () => {
  const [sender, receiver] = await pair({ inMemoryThreshold: 64 * KiB });
  const first = randomBytes(4 * MiB);
  const second = randomBytes(4 * MiB);
  const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`);
  const inbox = receiver[Symbol.asyncIterator]();
  const sent = Promise.all([
    sender.send(first),
    sender.send(second),
    ...lines.map((line) => sender.send(line)),
  ]);
  // The first message's pieces are kept, unread, while every later byte is read.
  const kept: Uint8Array[] = [];
  for await (const piece of (await next(inbox)).stream!) kept.push(piece);
  const later: Uint8Array[] = [];
  for await (const piece of (await next(inbox)).stream!) later.push(piece);
  const texts: string[] = [];
  for (let i = 0; i < lines.length; i++) texts.push((await next(inbox)).text());
  await sent;
  expect(Buffer.concat(kept).equals(first)).toBe(true);
  expect(Buffer.concat(later).equals(second)).toBe(true);
  expect(texts).toEqual(lines);
});

/** A file of `size` random bytes in a directory of its own (removed after the test). */
async function randomFile(size: number): Promise<{ dir: string; source: string; content: Buffer }> {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-reused-reads-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const source = join(dir, 'source.bin');
  const content = randomBytes(size);
  await writeFile(source, content);
  return { dir, source, content };
}

it('saving a file reads into the same few buffers again, and saves every byte', async () => {
  const { dir, source, content } = await randomFile(32 * MiB);
  const [sender, receiver] = await pair({ confirmWhenRead: true });
  const inbox = receiver[Symbol.asyncIterator]();
  const made = readBlocksMade();
  const sent = sender.sendFile(source);
  const saved = await (await next(inbox)).saveTo(join(dir, 'saved.bin'));
  await sent;
  expect(saved.hashMatches).toBe(true);
  expect((await readFile(join(dir, 'saved.bin'))).equals(content)).toBe(true);
  // 32 MiB arrive in 500 reads or more, into blocks of 64 KiB: read into again, a few dozen
  // were made (about what the sender's window holds in flight).
  expect(readBlocksMade() - made).toBeLessThan(100);
});

it('a file saved by the side that dialed (its reads reused too) arrives whole', async () => {
  const { dir, source, content } = await randomFile(16 * MiB);
  const [dialer, listener] = await pair();
  const inbox = dialer[Symbol.asyncIterator]();
  const sent = listener.sendFile(source);
  const saved = await (await next(inbox)).saveTo(join(dir, 'saved.bin'));
  await sent;
  expect(saved.hashMatches).toBe(true);
  expect((await readFile(join(dir, 'saved.bin'))).equals(content)).toBe(true);
});

it('a slow reader holds the connection back, and what the paused parser held is read on', async () => {
  // The stream's queue fills (16 pieces), the parser pauses with the rest of a read queued,
  // and the chat lines behind the file come out whole once the reader caught up.
  const [sender, receiver] = await pair({ inMemoryThreshold: 64 * KiB });
  const file = randomBytes(2 * MiB);
  const lines = Array.from({ length: 500 }, (_, i) => `${i}:${'abcdefghij'.repeat(i % 50)}`);
  const sent = Promise.all([sender.send(file), ...lines.map((line) => sender.send(line))]);
  const inbox = receiver[Symbol.asyncIterator]();
  const stream = (await next(inbox)).stream!;
  const kept: Uint8Array[] = [];
  let waited = 0;
  for await (const piece of stream) {
    kept.push(piece);
    waited = Math.max(waited, stream.bufferedPieces);
    for (let i = 0; i < 5; i++) await turn();
  }
  const got: string[] = [];
  for (let i = 0; i < lines.length; i++) got.push((await next(inbox)).text());
  await sent;
  expect(waited).toBeGreaterThanOrEqual(15); // the queue did fill: the connection paused
  expect(Buffer.concat(kept).equals(file)).toBe(true);
  expect(got).toEqual(lines);
});

it('a reader that reads each batch before the next, with reuse, gets every byte in few blocks', async () => {
  const [sender, receiver] = await pair({ inMemoryThreshold: 64 * KiB });
  const data = randomBytes(16 * MiB);
  const inbox = receiver[Symbol.asyncIterator]();
  const sent = sender.send(data);
  const stream = (await next(inbox)).stream!;
  const before = readBlocksMade();
  const hash = createHash('sha256');
  for (let pieces; (pieces = await stream.nextPieces({ reuse: true }));)
    for (const piece of pieces) hash.update(piece);
  await sent;
  expect(hash.digest().equals(createHash('sha256').update(data).digest())).toBe(true);
  // 16 MiB is 256 blocks' worth: without reuse each would be a new one.
  expect(readBlocksMade() - before).toBeLessThan(100);
});

/** What a stream over a connection accepted by `accept` reads of `payloads`, written in turn. */
async function readAccepted(
  accept: (accepted: Socket) => Socket,
  payloads: readonly Buffer[],
): Promise<{ socket: Socket; accepted: Socket; reads: Uint8Array[]; buffers: ArrayBufferLike[] }> {
  const { socket, accepted, client } = await acceptedPair(accept);
  const { reads, buffers } = await readEach(socketStream(socket), payloads, (p) => client.write(p));
  return { socket, accepted, reads, buffers };
}

/** The reads of `stream` (copied) and the buffers they came in, each payload sent once the last arrived. */
async function readEach(
  stream: ByteStream,
  payloads: readonly Buffer[],
  send: (payload: Buffer) => void,
): Promise<{ reads: Uint8Array[]; buffers: ArrayBufferLike[] }> {
  const reads: Uint8Array[] = [];
  const buffers: ArrayBufferLike[] = [];
  let got = 0;
  let expected = 0;
  let wake = (): void => undefined;
  stream.open({
    ...noEvents,
    data: (bytes) => {
      reads.push(Uint8Array.from(bytes));
      buffers.push(bytes.buffer);
      if ((got += bytes.length) >= expected) wake();
    },
    holdsData: () => false,
  });
  for (const payload of payloads) {
    const arrived = new Promise<void>((resolve) => (wake = resolve));
    expected += payload.length;
    send(payload);
    await arrived;
  }
  return { reads, buffers };
}

/** 1 MiB written at once: a busy connection's reads, most of them filling a block. */
const payloads = [randomBytes(MiB)];
const sent = payloads[0]!;

/** How many of the reads went to the buffer most of them went to. */
function mostInOne(buffers: readonly ArrayBufferLike[]): number {
  const counts = new Map<ArrayBufferLike, number>();
  for (const buffer of buffers) counts.set(buffer, (counts.get(buffer) ?? 0) + 1);
  return Math.max(...counts.values());
}

it('an accepted connection reads into one buffer again, nothing lost', async () => {
  const { socket, accepted, reads, buffers } = await readAccepted(reusingReads, payloads);
  expect(socket).toBe(accepted);
  expect(Buffer.concat(reads).equals(sent)).toBe(true);
  // 16 reads of a block at least; a read that drains the socket sends the next to the scratch.
  expect(mostInOne(buffers)).toBeGreaterThanOrEqual(Math.min(8, buffers.length / 2));
});

it('a dialed connection reads into one buffer again, nothing lost', async () => {
  const server = createServer();
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as { port: number }).port;
  const stream = await dialTcp(
    { scheme: 'msrp', host: '127.0.0.1', port, transport: 'tcp', params: [] },
    { reuseReads: true },
  );
  cleanups.push(() => stream.destroy());
  const peer = await accepted;
  const { reads, buffers } = await readEach(stream, payloads, (p) => peer.write(p));
  expect(Buffer.concat(reads).equals(sent)).toBe(true);
  expect(mostInOne(buffers)).toBeGreaterThanOrEqual(Math.min(8, buffers.length / 2));
});

it('where the handle takes no buffer of ours, Node reads as usual, nothing lost', async () => {
  const { socket, accepted, reads, buffers } = await readAccepted((accepted) => {
    // A Node whose handle has no user buffers.
    const handle = (accepted as unknown as { _handle: Record<string, unknown> })._handle;
    handle.useUserBuffer = undefined;
    return reusingReads(accepted);
  }, payloads);
  expect(socket).toBe(accepted);
  expect(Buffer.concat(reads).equals(sent)).toBe(true);
  expect(new Set(buffers).size).toBe(buffers.length); // Node's own: a new one per read
});

it('a paused connection sees the FIN its peer sends behind what it holds', async () => {
  // A relay holds a sender back (its parser paused), and the sender goes away: Node stops a
  // reusing socket's reads at once, which would leave the FIN unseen until a resume.
  const { socket, client } = await acceptedPair();
  const stream = socketStream(socket);
  let ended = (): void => undefined;
  const endSeen = new Promise<void>((resolve) => (ended = resolve));
  let readOne = (): void => undefined;
  const firstRead = new Promise<void>((resolve) => (readOne = resolve));
  const reads: Uint8Array[] = [];
  stream.open({
    ...noEvents,
    data: (bytes) => {
      reads.push(Uint8Array.from(bytes));
      stream.pause();
      readOne();
    },
    holdsData: () => true,
    endWhilePaused: () => ended(),
  });
  client.write('MSRP a SEND\r\n');
  await firstRead;
  client.end('To-Path: msrp://x\r\n');
  await endSeen;
  expect(Buffer.concat(reads).toString()).toBe('MSRP a SEND\r\n');
});

it('stays paused when a held read delivered by resume() pauses, resumes and pauses it again', async () => {
  // What the reader of a message the peer aborted does: the parser's end() lets it go, which
  // resumes the connection inside the delivery of a held read, and what follows pauses it
  // anew. The outer resume then undid that pause: the socket flowed with the parser paused.
  const { socket, client } = await acceptedPair();
  const stream = socketStream(socket);
  const reads: string[] = [];
  stream.open({
    ...noEvents,
    data: (bytes) => {
      const text = Buffer.from(bytes).toString();
      reads.push(text);
      if (text === 'A') stream.pause();
      if (text !== 'B') return;
      stream.pause();
      stream.resume();
      stream.pause();
    },
    holdsData: () => true,
  });
  const readBytes = (n: number): Promise<void> =>
    until(() => socket.bytesRead >= n, 5000, `${n} bytes read`);
  client.write('A');
  await readBytes(1);
  // Held: the stream is paused.
  client.write('B');
  await readBytes(2);
  client.write('C');
  await readBytes(3);
  expect(reads).toEqual(['A']);
  stream.resume();
  expect(reads).toEqual(['A', 'B', 'C']);
  // Paused again: what comes now is held, not delivered.
  client.write('D');
  await readBytes(4);
  expect(reads).toEqual(['A', 'B', 'C']);
  stream.resume();
  expect(reads).toEqual(['A', 'B', 'C', 'D']);
});

it('a lent view written to a socket comes back once the socket wrote it', async () => {
  const { socket, client } = await acceptedPair();
  const stream = socketStream(socket);
  stream.open({ ...noEvents });
  const read = { lent: 0, returned: (): void => undefined };
  const back = new Promise<void>((resolve) => (read.returned = resolve));
  const block = new Uint8Array(64 * KiB).fill(7);
  reuseRead(block.buffer, read);
  const view = block.subarray(100, 40_100);
  lendRead(view);
  const received: Buffer[] = [];
  let length = 0;
  const all = new Promise<void>((resolve) =>
    client.on('data', (bytes: Buffer) => {
      received.push(bytes);
      if ((length += bytes.length) === view.length) resolve();
    }),
  );
  stream.write([view], true);
  expect(read.lent).toBe(1); // not before the socket is done with it
  await back;
  expect(read.lent).toBe(0);
  await all;
  expect(Buffer.concat(received).equals(view)).toBe(true);
});
