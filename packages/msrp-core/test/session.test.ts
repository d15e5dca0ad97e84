// Integration tests of sessions and endpoints on real loopback sockets: two Endpoints talking
// to each other, or an Endpoint against the hand-written raw peer of helpers/raw-peer.ts.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../src/index.js';
import {
  DeliveryError,
  MsrpError,
  formatHash,
  mediaTypeOf,
  type CreateSessionOptions,
  type EndpointOptions,
  type IncomingMessage,
  type Progress,
  type Session,
} from '../src/index.js';
import { RawPeer, RawServer, type RawRequest } from './helpers/raw-peer.js';
import { next, type Inbox } from './helpers/inbox.js';
import { tempDir } from './helpers/temp-dir.js';
import { cleanups, endpoint } from './helpers/cleanups.js';
import { countedTcpDials } from './helpers/counted-dials.js';

const MiB = 1024 * 1024;

// ---- resources, closed after every test (last opened, first closed) ---------------------

async function rawServer(...args: Parameters<typeof RawServer.listen>): Promise<RawServer> {
  const server = await RawServer.listen(...args);
  cleanups.push(() => server.close());
  return server;
}

async function rawPeer(port: number): Promise<RawPeer> {
  const peer = await RawPeer.connect(port);
  cleanups.push(() => peer.destroy());
  return peer;
}

// ---- helpers ------------------------------------------------------------------------------

interface Pair {
  a: Endpoint;
  b: Endpoint;
  /** Active side (A dials B). */
  sa: Session;
  /** Passive side. */
  sb: Session;
  inA: Inbox;
  inB: Inbox;
}

/** Endpoint B listens and accepts; endpoint A connects a session to it. */
async function pair(
  options: {
    a?: EndpointOptions;
    b?: EndpointOptions;
    sa?: CreateSessionOptions;
    sb?: CreateSessionOptions;
  } = {},
): Promise<Pair> {
  const b = endpoint(options.b);
  await b.listen();
  const a = endpoint(options.a);
  const sb = b.createSession(options.sb);
  sb.accept();
  const sa = a.createSession(options.sa);
  await sa.connect([sb.localUri]);
  return { a, b, sa, sb, inA: sa[Symbol.asyncIterator](), inB: sb[Symbol.asyncIterator]() };
}

async function readAll(message: IncomingMessage): Promise<Buffer> {
  if (message.body) return Buffer.from(message.body);
  const parts: Uint8Array[] = [];
  for await (const part of message.stream!) parts.push(part);
  return Buffer.concat(parts);
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const part of createReadStream(path)) hash.update(part as Buffer);
  return formatHash(hash.digest());
}

function sha256(bytes: Uint8Array): string {
  return formatHash(createHash('sha256').update(bytes).digest());
}

async function* pieces(...parts: Buffer[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    await Promise.resolve();
    yield part;
  }
}

/** Records every progress callback and resolves `reached(n)` once `n` bytes are confirmed. */
function progressRecorder(): {
  events: Progress[];
  onProgress: (p: Progress) => void;
  reached: (bytes: number) => Promise<void>;
  last: () => number;
} {
  const events: Progress[] = [];
  const waiters: Array<{ bytes: number; resolve: () => void }> = [];
  return {
    events,
    onProgress: (p) => {
      events.push(p);
      for (const w of [...waiters]) {
        if (p.bytes >= w.bytes) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    },
    reached: (bytes) =>
      new Promise<void>((resolve) => {
        if ((events.at(-1)?.bytes ?? 0) >= bytes) resolve();
        else waiters.push({ bytes, resolve });
      }),
    last: () => events.at(-1)?.bytes ?? 0,
  };
}

function expectMonotonic(events: readonly Progress[], total: number): void {
  expect(events.length).toBeGreaterThan(0);
  for (let i = 1; i < events.length; i++) {
    expect(events[i]!.bytes).toBeGreaterThan(events[i - 1]!.bytes);
  }
  for (const p of events) expect(p.total).toBe(total);
  expect(events.at(-1)!.bytes).toBe(total);
}

/** Waits until `value()` has not changed for `quietChecks` checks in a row; returns it. */
async function whenStable(value: () => number, quietChecks = 6, interval = 50): Promise<number> {
  let last = value();
  let quiet = 0;
  while (quiet < quietChecks) {
    await sleep(interval);
    const now = value();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
  return last;
}

// ---- chat ---------------------------------------------------------------------------------

describe('chat', () => {
  it('connects actively and passively and carries UTF-8 text both ways, in order', async () => {
    const { sa, sb, inA, inB } = await pair();
    expect(sa.state).toBe('bound');
    expect(sb.state).toBe('bound');
    expect(sb.remotePath?.[0]?.sessionId).toBe(sa.localUri.sessionId);

    const toBob = ['Hello Bob', 'Grüße aus Köln — ça va ? 日本語 👋🏽', 'third line'];
    for (const text of toBob) {
      const delivery = await sa.send(text);
      expect(delivery.bytes).toBe(Buffer.byteLength(text, 'utf8'));
    }
    for (const text of toBob) {
      const m = await next(inB);
      expect(m.text()).toBe(text);
      expect(m.aborted).toBe(false);
      expect(m.contentType && mediaTypeOf(m.contentType)).toBe('text/plain');
      expect(m.size).toBe(Buffer.byteLength(text, 'utf8'));
    }

    const toAlice = ['Hi Alice', 'Ünïcödé ✓ 🚀'];
    for (const text of toAlice) await sb.send(text);
    for (const text of toAlice) expect((await next(inA)).text()).toBe(text);

    // Binary with a given type passes through untouched.
    const bytes = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x2d, 0x2d]);
    await sa.send(bytes, { contentType: 'application/x-test' });
    const m = await next(inB);
    expect(m.body).toEqual(new Uint8Array(bytes));
    expect(m.contentType && mediaTypeOf(m.contentType)).toBe('application/x-test');
  });

  it('delivers messages in the order send() was called, even when not awaited', async () => {
    const { sa, inB } = await pair();
    const lines = Array.from({ length: 8 }, (_, i) => `line ${i}`);
    await Promise.all(lines.map((line) => sa.send(line)));
    const got: string[] = [];
    for (let i = 0; i < lines.length; i++) got.push((await next(inB)).text());
    expect(got).toEqual(lines);
  });

  it('resolves a successReport send with the peer success REPORT', async () => {
    const { sa, inB } = await pair();
    const delivery = await sa.send('please confirm', { successReport: true });
    expect(delivery.report).toMatchObject({ namespace: '000', code: 200 });
    expect(delivery.reportRange).toEqual({ start: 1, end: 14, total: 14 });
    expect(delivery.bytes).toBe(14);
    expect((await next(inB)).text()).toBe('please confirm');
  });

  it('sends a success REPORT as RFC 4975 §7.1.2 says when the raw peer asks for one', async () => {
    const b = endpoint();
    const port = (await b.listen()).port!;
    const session = b.createSession();
    session.accept();
    const raw = await rawPeer(port);
    const sent = raw.sendRequest({
      toPath: [session.localUri],
      successReport: 'yes',
      body: 'report me',
    });
    const response = await raw.response(sent.transactionId);
    expect(response.head.statusCode).toBe(200);
    const report = await raw.request('REPORT');
    expect(report.head.messageId).toBe(sent.messageId);
    expect(report.head.status).toMatchObject({ namespace: '000', code: 200 });
    expect(report.head.byteRange).toEqual({ start: 1, end: 9, total: 9 });
    expect(report.head.toPath[0]?.sessionId).toBe(raw.sessionId);
    expect(report.head.fromPath[0]?.sessionId).toBe(session.localUri.sessionId);
    // The 200 goes out before the REPORT.
    expect(raw.frames.indexOf(response)).toBeLessThan(raw.frames.indexOf(report));
    // No success REPORT when none was asked for.
    const plain = raw.sendRequest({ toPath: [session.localUri], body: 'no report' });
    await raw.response(plain.transactionId);
    const marker = raw.sendRequest({ toPath: [session.localUri], body: 'x', successReport: 'yes' });
    await raw.response(marker.transactionId);
    const second = await raw.request('REPORT');
    expect(second.head.messageId).toBe(marker.messageId);
  });

  it('reads the options of send() when it is called: a caller may reuse its object', async () => {
    const server = await rawServer({ autoRespond: true });
    const a = endpoint();
    const session = a.createSession();
    await session.connect([server.uri()]);
    const raw = await server.peer();
    const options: { contentType: string; successReport?: boolean } = { contentType: 'text/plain' };
    const first = session.send(Buffer.from('first'), options);
    options.successReport = true;
    session.send(Buffer.from('second'), options).catch(() => undefined);
    const heads = [];
    while (heads.length < 2) {
      const request = await raw.request('SEND');
      if (request.head.contentType !== undefined) heads.push(request.head);
    }
    expect(heads.map((h) => h.successReport)).toEqual([undefined, 'yes']);
    await first;
  });

  it('waits for the success REPORT before resolving, and not for it otherwise', async () => {
    const server = await rawServer({ autoRespond: true });
    const a = endpoint();
    const session = a.createSession();
    await session.connect([server.uri()]);
    const raw = await server.peer();
    let settled = false;
    const delivery = session.send('with report', { successReport: true }).finally(() => {
      settled = true;
    });
    let request = await raw.request('SEND');
    while (request.head.contentType === undefined) request = await raw.request('SEND');
    expect(request.head.successReport).toBe('yes');
    // A later message without report gets its 200 after the first one's: once it resolved,
    // the first 200 has been read too, and the first delivery still waits for its REPORT.
    await session.send('without report');
    expect(settled).toBe(false);
    raw.sendRequest({
      method: 'REPORT',
      toPath: request.head.fromPath,
      fromPath: request.head.toPath,
      messageId: request.head.messageId!,
      byteRange: { start: 1, end: 11, total: 11 },
      status: { namespace: '000', code: 200, reason: 'OK' },
    });
    const result = await delivery;
    expect(result.report).toMatchObject({ code: 200 });
  });
});

// ---- connection sharing -------------------------------------------------------------------

describe('connection sharing', () => {
  it('puts several sessions to the same peer on one connection (raw listener counts)', async () => {
    const server = await rawServer({ autoRespond: true });
    const a = endpoint();
    const sessions = [a.createSession(), a.createSession(), a.createSession()];
    const remotes = sessions.map(() => server.uri());
    await Promise.all(sessions.map((s, i) => s.connect([remotes[i]!])));
    await Promise.all(sessions.map((s, i) => s.send(`hello from ${i}`)));
    expect(server.peers).toHaveLength(1);
    const raw = server.peers[0]!;
    const withBody = raw.requests.filter((r) => r.head.contentType !== undefined);
    expect(withBody).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      const request = withBody.find((r) => r.body.toString() === `hello from ${i}`)!;
      expect(request.head.toPath[0]?.sessionId).toBe(remotes[i]!.sessionId);
      expect(request.head.fromPath[0]?.sessionId).toBe(sessions[i]!.localUri.sessionId);
    }
    // The connection we opened stays while a session uses it, and closes with the last one.
    await sessions[0]!.close();
    await sessions[1]!.close();
    await sessions[2]!.send('still here');
    expect(raw.isClosed).toBe(false);
    await sessions[2]!.close();
    await raw.closed;
    expect(server.peers).toHaveLength(1);
  });

  it('routes several sessions between two endpoints over one dialed connection', async () => {
    const b = endpoint();
    await b.listen();
    const tcp = countedTcpDials();
    const a = endpoint({ dialers: tcp.dialers });
    const passive = [b.createSession(), b.createSession(), b.createSession()];
    passive.forEach((s) => s.accept());
    const active = passive.map(() => a.createSession());
    await Promise.all(active.map((s, i) => s.connect([passive[i]!.localUri])));
    expect(tcp.dials()).toBe(1);
    await Promise.all(active.map((s, i) => s.send(`to ${i}`)));
    await Promise.all(passive.map((s, i) => s.send(`from ${i}`)));
    for (let i = 0; i < 3; i++) {
      expect((await next(passive[i]![Symbol.asyncIterator]())).text()).toBe(`to ${i}`);
      expect((await next(active[i]![Symbol.asyncIterator]())).text()).toBe(`from ${i}`);
    }
  });
});

// ---- files and large messages -------------------------------------------------------------

describe('files', () => {
  it('sends a 100 MiB file with sendFile; it arrives as a stream with the same SHA-256', async () => {
    const dir = await tempDir('msrp-session-');
    const source = join(dir, 'big.bin');
    const data = randomBytes(100 * MiB);
    await writeFile(source, data);
    const expected = sha256(data);
    const total = data.length;

    const { sa, inB } = await pair({ sa: { chunkSize: 64 * 1024 } });
    const progress = progressRecorder();
    const sending = sa.sendFile(source, { onProgress: progress.onProgress });
    const message = await next(inB);
    expect(message.stream).toBeDefined();
    expect(message.body).toBeUndefined();
    expect(message.size).toBe(total);
    expect(message.filename).toBe('big.bin');
    expect(message.contentType && mediaTypeOf(message.contentType)).toBe(
      'application/octet-stream',
    );

    const target = join(dir, 'received.bin');
    const saved = await message.saveTo(target);
    const delivery = await sending;

    expect(saved.bytes).toBe(total);
    expect(saved.hash).toBe(`sha-256:${expected}`);
    expect(saved.announcedHash).toBe(`sha-256:${expected}`);
    expect(saved.hashMatches).toBe(true);
    expect(await sha256OfFile(target)).toBe(expected);
    expect(delivery.bytes).toBe(total);
    expect(delivery.hash).toBe(`sha-256:${expected}`);
    expect(message.aborted).toBe(false);
    expect(message.received).toBe(total);
    expectMonotonic(progress.events, total);
  });

  it('delivers messages up to inMemoryThreshold whole in body, larger ones as a stream', async () => {
    const threshold = 4096;
    const { sa, inB } = await pair({ sb: { inMemoryThreshold: threshold } });
    const small = randomBytes(threshold);
    const large = randomBytes(threshold + 1);
    await sa.send(small);
    await sa.send(large);
    // Unknown size (streamed source) that grows past the threshold.
    const streamed = [randomBytes(3000), randomBytes(3000), randomBytes(3000)];
    await sa.send(pieces(...streamed));
    // Unknown size that stays below it.
    const tiny = [randomBytes(100), randomBytes(100)];
    await sa.send(pieces(...tiny));

    const m1 = await next(inB);
    expect(m1.body).toEqual(new Uint8Array(small));
    expect(m1.stream).toBeUndefined();

    const m2 = await next(inB);
    expect(m2.body).toBeUndefined();
    expect(m2.stream).toBeDefined();
    expect(m2.size).toBe(threshold + 1);
    expect(await readAll(m2)).toEqual(large);

    const m3 = await next(inB);
    expect(m3.body).toBeUndefined();
    expect(m3.stream).toBeDefined();
    expect(await readAll(m3)).toEqual(Buffer.concat(streamed));

    const m4 = await next(inB);
    expect(m4.stream).toBeUndefined();
    expect(m4.body).toEqual(new Uint8Array(Buffer.concat(tiny)));
  });

  it('reassembles out-of-order, duplicate, overlapping and unknown-total chunks', async () => {
    const b = endpoint();
    const port = (await b.listen()).port!;
    const session = b.createSession();
    session.accept();
    const inbox = session[Symbol.asyncIterator]();
    const raw = await rawPeer(port);
    const to = [session.localUri];
    const text = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123'; // 30 bytes
    type Chunk = [
      start: number,
      end: number | '*',
      total: number | '*',
      flag: '+' | '$',
      last?: number,
    ];
    // `last` is the last byte carried when the Byte-Range end is `*`.
    // The first chunk starts at 1: one that starts past it resumes the message from there.
    const cases: Array<{ name: string; chunks: Chunk[]; expected: string; offset?: number }> = [
      {
        name: 'out of order',
        chunks: [
          [1, 5, 30, '+'],
          [21, 30, 30, '$'],
          [11, 20, 30, '+'],
          [6, 10, 30, '+'],
        ],
        expected: text,
      },
      {
        name: 'resumed at octet 11; a later chunk below it is answered 200 and dropped',
        chunks: [
          [11, 20, 30, '+'],
          [1, 15, 30, '+'],
          [21, 30, 30, '$'],
        ],
        expected: text.slice(10),
        offset: 10,
      },
      {
        name: 'duplicates and overlaps',
        chunks: [
          [1, 10, 30, '+'],
          [1, 10, 30, '+'],
          [5, 20, 30, '+'],
          [11, 15, 30, '+'],
          [21, 30, 30, '$'],
        ],
        expected: text,
      },
      {
        name: 'unknown totals',
        chunks: [
          [1, 10, '*', '+'],
          [11, 20, '*', '+'],
          [21, 25, '*', '$'],
        ],
        expected: text.slice(0, 25),
      },
      {
        name: 'unknown totals out of order',
        chunks: [
          [1, 10, '*', '+'],
          [21, 26, '*', '$'],
          [11, 20, '*', '+'],
        ],
        expected: text.slice(0, 26),
      },
      { name: 'interruptible 1-*/*', chunks: [[1, '*', '*', '$', 30]], expected: text },
      {
        name: 'interruptible chunks with a known total',
        chunks: [
          [1, '*', 30, '+', 12],
          [13, '*', 30, '$', 30],
        ],
        expected: text,
      },
    ];
    const ids = new Map<string, string>();
    for (const c of cases) {
      const messageId = `reasm${ids.size}`;
      ids.set(messageId, c.name);
      for (const [start, end, total, flag, last] of c.chunks) {
        const response = await raw.transact({
          toPath: to,
          messageId,
          byteRange: { start, end, total },
          body: text.slice(start - 1, end === '*' ? last : end),
          flag,
        });
        expect(response.head.statusCode, `${c.name} ${start}-${end}/${total}`).toBe(200);
      }
    }
    const got = new Map<string, { text: string; offset: number; size: number | undefined }>();
    for (let i = 0; i < cases.length; i++) {
      const m = await next(inbox);
      expect(m.aborted).toBe(false);
      got.set(ids.get(m.messageId)!, { text: m.text(), offset: m.offset, size: m.size });
    }
    for (const c of cases) {
      expect(got.get(c.name)?.text, c.name).toBe(c.expected);
      expect(got.get(c.name)?.offset, c.name).toBe(c.offset ?? 0);
    }
    expect(got.get(cases[1]!.name)?.size).toBe(30);
  });
});

describe('reassembly bookkeeping', () => {
  it('a resent last chunk of a completed message does not hold an incomplete-message slot', async () => {
    const b = endpoint();
    const port = (await b.listen()).port!;
    const session = b.createSession({ maxIncompleteMessages: 1 });
    session.accept();
    const inbox = session[Symbol.asyncIterator]();
    const raw = await rawPeer(port);
    const to = [session.localUri];
    const chunk = (messageId: string, start: number, flag: '+' | '$'): Promise<number> =>
      raw
        .transact({
          toPath: to,
          messageId,
          byteRange: { start, end: start + 9, total: 20 },
          body: 'x'.repeat(10),
          flag,
        })
        .then((r) => r.head.statusCode);
    expect(await chunk('first', 1, '+')).toBe(200);
    expect(await chunk('first', 11, '$')).toBe(200);
    expect((await next(inbox)).body?.length).toBe(20);
    // A duplicate of the last chunk (as a retransmitting relay may send) of a complete message.
    expect(await chunk('first', 11, '$')).toBe(200);
    // "Messages being received at once (not yet complete)": none is, so this one is welcome.
    expect(await chunk('second', 1, '+')).toBe(200);
    expect(await chunk('second', 11, '$')).toBe(200);
    expect((await next(inbox)).messageId).toBe('second');
  });
});

// ---- abort, interleaving, flow control ----------------------------------------------------

describe('abort', () => {
  it('abort(messageId) mid-transfer rejects the delivery and aborts the receiver message', async () => {
    const { sa, inB } = await pair();
    const total = 16 * MiB;
    const progress = progressRecorder();
    const messageId = 'abortme123';
    const sending = sa.send(randomBytes(total), { messageId, onProgress: progress.onProgress });
    const failure = sending.then(
      () => undefined,
      (e: unknown) => e,
    );
    const message = await next(inB);
    expect(message.messageId).toBe(messageId);
    const reading = readAll(message).then(
      () => undefined,
      (e: unknown) => e,
    );
    await progress.reached(MiB);
    sa.abort(messageId);

    const error = await failure;
    expect(error).toBeInstanceOf(DeliveryError);
    const delivery = error as DeliveryError;
    expect(delivery.code).toBe('MSRP_ERR_ABORTED');
    expect(delivery.messageId).toBe(messageId);
    expect(delivery.confirmedBytes).toBeGreaterThanOrEqual(MiB);
    expect(delivery.confirmedBytes).toBeLessThan(total);

    const streamError = await reading;
    expect(streamError).toBeInstanceOf(MsrpError);
    expect((streamError as MsrpError).code).toBe('MSRP_ERR_ABORTED');
    await expect(message.completed).rejects.toMatchObject({ code: 'MSRP_ERR_ABORTED' });
    expect(message.aborted).toBe(true);
    expect(message.received).toBeLessThan(total);

    // The session goes on.
    await sa.send('after the abort');
    expect((await next(inB)).text()).toBe('after the abort');
  });

  it('aborts through an AbortSignal as well', async () => {
    const { sa, inB } = await pair();
    const controller = new AbortController();
    const progress = progressRecorder();
    const sending = sa.send(randomBytes(8 * MiB), {
      signal: controller.signal,
      onProgress: progress.onProgress,
    });
    const message = await next(inB);
    const reading = readAll(message).catch((e: unknown) => e);
    await progress.reached(256 * 1024);
    controller.abort();
    await expect(sending).rejects.toMatchObject({ code: 'MSRP_ERR_ABORTED' });
    expect(await reading).toMatchObject({ code: 'MSRP_ERR_ABORTED' });
    expect(message.aborted).toBe(true);
  });
});

describe('interleaving', () => {
  it('a chat line sent during a 50 MiB file transfer arrives before the file completes', async () => {
    const dir = await tempDir('msrp-session-');
    const source = join(dir, 'fifty.bin');
    const total = 50 * MiB;
    await writeFile(source, randomBytes(total));
    const { sa, inB } = await pair();
    const events: string[] = [];
    const progress = progressRecorder();
    const file = sa.sendFile(source, { onProgress: progress.onProgress }).then((d) => {
      events.push('sender: file delivered');
      return d;
    });

    const fileMessage = await next(inB);
    expect(fileMessage.stream).toBeDefined();
    const fileRead = readAll(fileMessage).then((bytes) => {
      events.push('receiver: file complete');
      return bytes.length;
    });

    await progress.reached(2 * MiB);
    const chat = sa.send('a quick line').then(() => events.push('sender: chat delivered'));
    const chatMessage = await next(inB);
    events.push('receiver: chat arrived');
    expect(chatMessage.text()).toBe('a quick line');
    expect(fileMessage.received).toBeLessThan(total);

    await Promise.all([chat, file]);
    expect(await fileRead).toBe(total);
    expect(events.indexOf('receiver: chat arrived')).toBeLessThan(
      events.indexOf('receiver: file complete'),
    );
    expect(events.indexOf('sender: chat delivered')).toBeLessThan(
      events.indexOf('sender: file delivered'),
    );
  });
});

describe('flow control', () => {
  it('a receiver that does not read a streamed message stops the sender until it reads', async () => {
    const total = 32 * MiB;
    const data = randomBytes(total);
    const { sa, inB } = await pair({ sb: { inMemoryThreshold: 64 * 1024 } });
    const progress = progressRecorder();
    const sending = sa.send(data, { onProgress: progress.onProgress });
    const message = await next(inB);
    expect(message.stream).toBeDefined();

    // Nobody reads: the confirmed bytes stop growing far below the total.
    const stalled = await whenStable(progress.last);
    expect(stalled).toBeGreaterThan(0);
    expect(stalled).toBeLessThan(total / 4);
    expect(message.received).toBeLessThan(total / 4);

    // Once the consumer reads, everything arrives.
    const received = await readAll(message);
    const delivery = await sending;
    expect(delivery.bytes).toBe(total);
    expect(sha256(received)).toBe(sha256(data));
    expectMonotonic(progress.events, total);
  });

  it('remoteMaxSize refuses a larger message locally, before anything is sent', async () => {
    const server = await rawServer({ autoRespond: true });
    const a = endpoint();
    const session = a.createSession({ remoteMaxSize: 100 });
    await session.connect([server.uri()]);
    const raw = await server.peer();

    const error = await session.send(Buffer.alloc(101, 0x61)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsrpError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_LIMIT', status: 413 });

    const dir = await tempDir('msrp-session-');
    const file = join(dir, 'two-hundred.txt');
    await writeFile(file, Buffer.alloc(200, 0x62));
    await expect(session.sendFile(file)).rejects.toMatchObject({ code: 'MSRP_ERR_LIMIT' });

    const ok = await session.send(Buffer.alloc(100, 0x63));
    expect(ok.bytes).toBe(100);
    const withBody = raw.requests.filter((r) => r.head.contentType !== undefined);
    expect(withBody).toHaveLength(1);
    expect(withBody[0]!.body).toEqual(Buffer.alloc(100, 0x63));
  });

  it('remoteMaxSize also stops a stream of unknown size that grows past it', async () => {
    const server = await rawServer({ autoRespond: true });
    const a = endpoint();
    const session = a.createSession({ remoteMaxSize: 100 });
    await session.connect([server.uri()]);
    const raw = await server.peer();
    const result = await session
      .send(pieces(Buffer.alloc(60, 0x61), Buffer.alloc(60, 0x62), Buffer.alloc(60, 0x63)))
      .then(
        (d) => d,
        (e: unknown) => e,
      );
    const sentBytes = raw.requests
      .filter((r) => r.head.contentType !== undefined)
      .reduce((n, r) => n + r.body.length, 0);
    expect(result).toMatchObject({ code: 'MSRP_ERR_LIMIT' });
    expect(sentBytes).toBeLessThanOrEqual(100);
  });

  it('with maxInFlightChunks 2 the receiver never has more than 2 unanswered SEND chunks', async () => {
    const pending: RawRequest[] = [];
    let maxPending = 0;
    let timer: NodeJS.Timeout | undefined;
    const answerLater = (raw: RawPeer): void => {
      timer ??= setTimeout(() => {
        timer = undefined;
        const oldest = pending.shift();
        if (oldest) raw.respond(oldest);
        if (pending.length > 0) answerLater(raw);
      }, 15);
    };
    const server = await rawServer({
      onFrame: (frame, raw) => {
        if (frame.head.kind !== 'request' || frame.head.method !== 'SEND') return;
        const request = frame as RawRequest;
        if (request.head.contentType === undefined) {
          raw.respond(request); // the binding SEND
          return;
        }
        pending.push(request);
        maxPending = Math.max(maxPending, pending.length);
        answerLater(raw);
      },
    });
    cleanups.push(() => clearTimeout(timer));
    const a = endpoint();
    const session = a.createSession({ maxInFlightChunks: 2, chunkSize: 100 });
    await session.connect([server.uri()]);
    const data = randomBytes(2000);
    const delivery = await session.send(data);
    expect(delivery.bytes).toBe(2000);
    expect(maxPending).toBe(2);
    const chunks = server.peers[0]!.requests.filter((r) => r.head.contentType !== undefined);
    expect(chunks).toHaveLength(20);
    expect(Buffer.concat(chunks.map((c) => c.body))).toEqual(data);
    chunks.forEach((c, i) =>
      expect(c.head.byteRange).toEqual({ start: i * 100 + 1, end: i * 100 + 100, total: 2000 }),
    );
  });
});

// ---- endpoint life cycle ------------------------------------------------------------------

describe('endpoint close', () => {
  it('closes inbound connections too, so close() resolves while a peer stays connected', async () => {
    const b = endpoint();
    const port = (await b.listen()).port!;
    const session = b.createSession();
    session.accept();
    const raw = await rawPeer(port);
    const bound = await raw.transact({ toPath: [session.localUri], body: 'bind' });
    expect(bound.head.statusCode).toBe(200);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      b.close().then(() => 'closed'),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('still pending after 3 s'), 3000);
      }),
    ]).finally(() => clearTimeout(timer));
    expect(outcome).toBe('closed');
    await raw.closed;
    expect(session.state).toBe('closed');
  });
});
