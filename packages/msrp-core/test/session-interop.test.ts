// Session behaviour found by interop with msrp-node-lib and a robustness probe (issue 8):
// bodiless SENDs, chunk bodies that disagree with their Byte-Range, growing `*` chunks, the
// success-REPORT wait and its timeout, REPORT events, and aborts after the last byte.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DeliveryError,
  newTransactionId,
  type ByteRange,
  type ContinuationFlag,
  type IncomingMessage,
  type ReceivedReport,
  type Session,
  type SessionOptions,
} from '../src/index.js';
import { encodeEndLine, encodeHead } from '../src/internal.js';
import { RawPeer, RawServer, type RawRequest } from './helpers/raw-peer.js';
import { next, type Inbox } from './helpers/inbox.js';
import { cleanups, endpoint } from './helpers/cleanups.js';

const MiB = 1024 * 1024;

/** An endpoint listening on loopback with one passive session, and a raw peer connected to it. */
async function listening(
  options: SessionOptions = {},
): Promise<{ session: Session; inbox: Inbox; raw: RawPeer }> {
  const b = endpoint();
  const port = (await b.listen({ host: '127.0.0.1', port: 0 })).port!;
  const session = b.createSession(options);
  session.accept();
  const raw = await RawPeer.connect(port);
  cleanups.push(() => raw.destroy());
  return { session, inbox: session[Symbol.asyncIterator](), raw };
}

/** A session of ours connected to a raw listener that answers every SEND with 200. */
async function connectedToRaw(
  options: SessionOptions = {},
): Promise<{ session: Session; raw: RawPeer }> {
  const server = await RawServer.listen({ autoRespond: true });
  cleanups.push(() => server.close());
  const session = endpoint().createSession(options);
  await session.connect([server.uri()]);
  return { session, raw: await server.peer() };
}

/** The next SEND with a body (the binding SEND has none). */
async function nextMessageChunk(raw: RawPeer): Promise<RawRequest> {
  for (;;) {
    const request = await raw.request('SEND');
    if (request.head.contentType !== undefined) return request;
  }
}

/** Sends a REPORT about `request`'s message back to the session that sent it. */
function reportBack(raw: RawPeer, request: RawRequest, code: number, range?: ByteRange): void {
  raw.sendRequest({
    method: 'REPORT',
    toPath: request.head.fromPath,
    fromPath: request.head.toPath,
    messageId: request.head.messageId!,
    ...(range && { byteRange: range }),
    status: { namespace: '000', code, ...(code === 200 && { reason: 'OK' }) },
  });
}

/** Rejects when `promise` is still pending after `ms`; how a test says "this must not hang". */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads a streamed message to its end, hashing it; rejects when the stream errors. */
async function readStream(message: IncomingMessage): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  if (message.body) return { bytes: message.body.length, sha256: sha256(message.body) };
  for await (const part of message.stream!) {
    hash.update(part as Buffer);
    bytes += (part as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

// ---- 1. bodiless SENDs ---------------------------------------------------------------------

describe('a SEND without body', () => {
  it('is answered 200 and delivers nothing, without Byte-Range (msrp-node-lib) or with 1-0/0', async () => {
    const { session, inbox, raw } = await listening();
    const to = [session.localUri];
    // msrp-node-lib binds with To-Path, From-Path and Message-ID only.
    const bare = await raw.transact({ toPath: to, contentType: null });
    expect(bare.head.statusCode).toBe(200);
    expect(session.state).toBe('bound');
    const ranged = await raw.transact({
      toPath: to,
      contentType: null,
      byteRange: { start: 1, end: 0, total: 0 },
    });
    expect(ranged.head.statusCode).toBe(200);
    // Keep-alives again, now that the session is bound.
    expect((await raw.transact({ toPath: to, contentType: null })).head.statusCode).toBe(200);
    expect((await raw.transact({ toPath: to, body: 'the first message' })).head.statusCode).toBe(
      200,
    );
    const first = await next(inbox);
    expect(first.text()).toBe('the first message');
  });

  it('gets 400 when it carries a body after all (RFC 4975 §7.1.1: a body has a Content-Type)', async () => {
    const { session, inbox, raw } = await listening();
    const tid = newTransactionId();
    const head = raw.requestHead({
      toPath: [session.localUri],
      transactionId: tid,
      contentType: null,
    });
    // The headers, a blank line and a body, by hand: the encoder refuses a body without type.
    raw.write(encodeHead(head));
    raw.write(`\r\nstray body${Buffer.from(encodeEndLine(tid, '$', true)).toString('latin1')}`);
    expect((await raw.response(tid)).head.statusCode).toBe(400);
    expect((await raw.transact({ toPath: [session.localUri], body: 'real' })).head.statusCode).toBe(
      200,
    );
    expect((await next(inbox)).text()).toBe('real');
  });
});

// ---- 2. report timeout -----------------------------------------------------------------------

describe('the success REPORT wait', () => {
  it('fails with MSRP_ERR_REPORT_TIMEOUT (408) once reportTimeout passed after the last 200', async () => {
    const { session, raw } = await connectedToRaw({ reportTimeout: 250 });
    raw.autoRespond = false;
    const started = Date.now();
    const outcome = session.send('anyone?', { successReport: true }).then(
      () => undefined,
      (e: unknown) => ({ error: e, at: Date.now() }),
    );
    const chunk = await nextMessageChunk(raw);
    // Answer the chunk late, well after reportTimeout: the wait counts from this 200.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const answeredAt = Date.now();
    raw.respond(chunk);
    const failed = await within(outcome, 5000, 'report timeout');
    expect(failed).toBeDefined();
    const error = failed!.error as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({
      code: 'MSRP_ERR_REPORT_TIMEOUT',
      status: 408,
      confirmedBytes: 7,
    });
    expect(answeredAt - started).toBeGreaterThanOrEqual(600);
    expect(failed!.at - answeredAt).toBeGreaterThanOrEqual(240);
  });

  it('takes SendOptions.reportTimeout over the session default, and resolves when the REPORT comes', async () => {
    const { session, raw } = await connectedToRaw({ reportTimeout: 60_000 });
    const timedOut = session.send('quick', { successReport: true, reportTimeout: 100 });
    await expect(within(timedOut, 5000, 'per-send timeout')).rejects.toMatchObject({
      code: 'MSRP_ERR_REPORT_TIMEOUT',
    });
    await nextMessageChunk(raw);
    const reported = session.send('confirmed', { successReport: true, reportTimeout: 100 });
    const chunk = await nextMessageChunk(raw);
    reportBack(raw, chunk, 200, { start: 1, end: 9, total: 9 });
    await expect(reported).resolves.toMatchObject({ bytes: 9, report: { code: 200 } });
  });
});

// ---- 3. report events ------------------------------------------------------------------------

describe('the report event', () => {
  it('reports every REPORT for our messages, also after the send resolved; not for others', async () => {
    const { session, raw } = await connectedToRaw();
    const reports: ReceivedReport[] = [];
    session.on('report', (report) => reports.push(report));
    const sending = session.send('hello', { successReport: true });
    const chunk = await nextMessageChunk(raw);
    const messageId = chunk.head.messageId!;
    reportBack(raw, chunk, 200, { start: 1, end: 5, total: 5 });
    await sending;
    // A failure REPORT after success (a relay further on lost it) and one for a stranger.
    reportBack(raw, { ...chunk, head: { ...chunk.head, messageId: 'not-ours' } }, 500);
    reportBack(raw, chunk, 481);
    // Without success REPORT: its failure REPORT arrives after the 200 resolved the send.
    await session.send('plain');
    const plain = await nextMessageChunk(raw);
    reportBack(raw, plain, 413);
    // REPORTs are handled in order; wait for the last one.
    await within(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (reports.some((r) => r.messageId === plain.head.messageId)) resolve();
          else session.once('report', check);
        };
        check();
      }),
      5000,
      'report events',
    );
    expect(reports).toEqual([
      {
        messageId,
        status: { namespace: '000', code: 200, reason: 'OK' },
        byteRange: { start: 1, end: 5, total: 5 },
      },
      { messageId, status: { namespace: '000', code: 481 } },
      { messageId: plain.head.messageId, status: { namespace: '000', code: 413 } },
    ]);
  });

  it('reports a failure REPORT while the send is waiting, and the send fails with its status', async () => {
    const { session, raw } = await connectedToRaw();
    const reports: ReceivedReport[] = [];
    session.on('report', (report) => reports.push(report));
    const sending = session.send('doomed', { successReport: true });
    const chunk = await nextMessageChunk(raw);
    reportBack(raw, chunk, 415);
    await expect(sending).rejects.toMatchObject({ code: 'MSRP_ERR_UNSUPPORTED_TYPE', status: 415 });
    expect(reports).toEqual([
      { messageId: chunk.head.messageId, status: { namespace: '000', code: 415 } },
    ]);
  });
});

// ---- 4. abort after the last byte --------------------------------------------------------------

describe('abort after every byte was confirmed', () => {
  it('sends no # chunk past the end; the delivery rejects with every byte confirmed', async () => {
    const { session, raw } = await connectedToRaw();
    let confirmed = 0;
    const sending = session.send('Hello, world!', {
      successReport: true,
      messageId: 'done13',
      onProgress: (p) => (confirmed = p.bytes),
    });
    const outcome = sending.catch((e: unknown) => e);
    await nextMessageChunk(raw);
    // The 200 was sent at once; a later message's 200 comes after it.
    await session.send('later');
    expect(confirmed).toBe(13);
    session.abort('done13');
    const error = (await outcome) as DeliveryError;
    expect(error).toMatchObject({ code: 'MSRP_ERR_ABORTED', confirmedBytes: 13 });
    // Frames go out in order: once this one arrived, any # for done13 would have too.
    await session.send('after the abort');
    let last = await nextMessageChunk(raw);
    while (last.body.toString() !== 'after the abort') last = await nextMessageChunk(raw);
    const sends = raw.requests.filter((f) => f.head.method === 'SEND');
    for (const f of sends) {
      const range = f.head.byteRange;
      if (range && range.total !== '*' && range.total > 0)
        expect(range.start).toBeLessThanOrEqual(range.total);
    }
    expect(sends.filter((f) => f.head.messageId === 'done13').map((f) => f.flag)).toEqual(['$']);
  });
});

// ---- 5. body length against Byte-Range ----------------------------------------------------------

describe('a chunk body that disagrees with its Byte-Range', () => {
  interface Chunk {
    range: ByteRange;
    body: Buffer;
    flag: ContinuationFlag;
    status: number;
  }
  const data = randomBytes(2049);
  const cases: Array<{ name: string; chunks: Chunk[]; delivered?: Buffer }> = [
    {
      name: 'longer than the range, with $',
      chunks: [{ range: { start: 1, end: 2048, total: 2048 }, body: data, flag: '$', status: 400 }],
    },
    {
      name: 'longer than the range, within the total',
      chunks: [{ range: { start: 1, end: 2048, total: 4096 }, body: data, flag: '+', status: 400 }],
    },
    {
      name: 'longer than the range, unknown total',
      chunks: [{ range: { start: 1, end: 2048, total: '*' }, body: data, flag: '$', status: 400 }],
    },
    {
      name: 'shorter than the range, with $',
      chunks: [
        {
          range: { start: 1, end: 2048, total: 2048 },
          body: data.subarray(0, 1000),
          flag: '$',
          status: 400,
        },
      ],
    },
    {
      name: 'shorter than the range, with $, unknown total',
      chunks: [
        {
          range: { start: 1, end: 2048, total: '*' },
          body: data.subarray(0, 1000),
          flag: '$',
          status: 400,
        },
      ],
    },
    {
      name: 'shorter with + (interrupted), then the continuation',
      chunks: [
        {
          range: { start: 1, end: 2048, total: 2048 },
          body: data.subarray(0, 1000),
          flag: '+',
          status: 200,
        },
        {
          range: { start: 1001, end: 2048, total: 2048 },
          body: data.subarray(1000, 2048),
          flag: '$',
          status: 200,
        },
      ],
      delivered: data.subarray(0, 2048),
    },
    {
      name: 'exact',
      chunks: [
        {
          range: { start: 1, end: 2048, total: 2048 },
          body: data.subarray(0, 2048),
          flag: '$',
          status: 200,
        },
      ],
      delivered: data.subarray(0, 2048),
    },
    {
      name: 'shorter with $ when the range-end is * (the end-line decides)',
      chunks: [
        {
          range: { start: 1, end: '*', total: '*' },
          body: data.subarray(0, 1000),
          flag: '$',
          status: 200,
        },
      ],
      delivered: data.subarray(0, 1000),
    },
  ];

  for (const inMemoryThreshold of [1 * MiB, 1024]) {
    const mode = inMemoryThreshold === 1024 ? 'streamed' : 'in memory';
    for (const c of cases) {
      it(`${c.name} (${mode}): ${c.delivered ? 'delivered' : '400, nothing delivered as complete, no REPORT'}`, async () => {
        const { session, inbox, raw } = await listening({ inMemoryThreshold });
        const messageId = 'checked';
        for (const chunk of c.chunks) {
          const response = await raw.transact({
            toPath: [session.localUri],
            messageId,
            byteRange: chunk.range,
            body: chunk.body,
            flag: chunk.flag,
            contentType: 'application/octet-stream',
            successReport: 'yes',
          });
          expect(response.head.statusCode, `${formatRange(chunk.range)}`).toBe(chunk.status);
        }
        // A good message after it, with its own success REPORT: the connection is usable, and
        // REPORTs go out in order, so once this one came any REPORT for `checked` would have.
        const after = await raw.transact({
          toPath: [session.localUri],
          messageId: 'after',
          body: 'after',
          successReport: 'yes',
        });
        expect(after.head.statusCode).toBe(200);
        let report = await raw.request('REPORT');
        if (c.delivered) {
          expect(report.head.messageId).toBe(messageId);
          expect(report.head.byteRange).toEqual({
            start: 1,
            end: c.delivered.length,
            total: c.delivered.length,
          });
          report = await raw.request('REPORT');
        }
        expect(report.head.messageId).toBe('after');

        let message = await next(inbox);
        if (message.messageId === messageId) {
          const read = await readStream(message).catch((e: unknown) => e);
          if (c.delivered) {
            expect(message.aborted).toBe(false);
            expect(read).toEqual({ bytes: c.delivered.length, sha256: sha256(c.delivered) });
          } else {
            // Handed out before the fault (a stream) or flagged: never complete.
            expect(message.aborted).toBe(true);
            await expect(message.completed).rejects.toBeDefined();
          }
          message = await next(inbox);
        } else {
          expect(c.delivered).toBeUndefined();
        }
        expect(message.text()).toBe('after');
      });
    }
  }
});

function formatRange(range: ByteRange): string {
  return `${range.start}-${range.end}/${range.total}`;
}

// ---- 6. a growing * chunk -------------------------------------------------------------------------

describe('one long chunk of unknown size (Byte-Range 1-*/*)', () => {
  /** Writes a `1-*\/*` chunk: head and body now, the end-line when `end` is called. */
  function startChunk(
    raw: RawPeer,
    session: Session,
    messageId: string,
    body: Buffer,
  ): { transactionId: string; end: (flag: ContinuationFlag) => void } {
    const head = raw.requestHead({
      toPath: [session.localUri],
      messageId,
      byteRange: { start: 1, end: '*', total: '*' },
      contentType: 'application/octet-stream',
    });
    raw.write(encodeHead(head));
    raw.write(body);
    return {
      transactionId: head.transactionId,
      end: (flag) => raw.write(encodeEndLine(head.transactionId, flag, true)),
    };
  }

  it('of 6 MiB is delivered as a stream to a reader (maxSize 10 MiB), without hanging', async () => {
    const { session, inbox, raw } = await listening({ maxSize: 10 * MiB });
    const body = randomBytes(6 * MiB);
    const chunk = startChunk(raw, session, 'big-star', body);
    const message = await next(inbox);
    expect(message.stream).toBeDefined();
    const read = readStream(message);
    chunk.end('$');
    expect((await raw.response(chunk.transactionId, 10_000)).head.statusCode).toBe(200);
    expect(await within(read, 10_000, 'reading the stream')).toEqual({
      bytes: body.length,
      sha256: sha256(body),
    });
    expect(message.aborted).toBe(false);
  });

  it('growing past maxSize gets 413 before its end, and the connection takes the next message', async () => {
    const { session, inbox, raw } = await listening({ maxSize: 10 * MiB });
    const chunk = startChunk(raw, session, 'too-big', randomBytes(11 * MiB));
    const message = await next(inbox);
    const read = readStream(message).catch((e: unknown) => e);
    // 413 while the chunk is still open: the end-line has not been written yet.
    const refused = await raw.response(chunk.transactionId, 10_000);
    expect(refused.head.statusCode).toBe(413);
    expect(await within(read, 10_000, 'the refused stream')).toBeInstanceOf(Error);
    expect(message.aborted).toBe(true);
    chunk.end('#');
    const after = await raw.transact({ toPath: [session.localUri], body: 'still here' });
    expect(after.head.statusCode).toBe(200);
    expect((await next(inbox)).text()).toBe('still here');
    // One answer per transaction: no second response to the refused chunk.
    expect(raw.responses.filter((r) => r.head.transactionId === chunk.transactionId)).toHaveLength(
      1,
    );
  });
});

/** Polls `condition` every 10 ms until it holds; fails after `ms`. */
async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a stream nobody will read', () => {
  it('does not keep the shared connection paused once its session closes', async () => {
    const b = endpoint();
    const port = (await b.listen({ host: '127.0.0.1', port: 0 })).port!;
    const unread = b.createSession();
    unread.accept();
    const other = b.createSession();
    other.accept();
    const raw = await RawPeer.connect(port);
    cleanups.push(() => raw.destroy());
    // Both sessions bound to this one connection.
    expect(
      (await raw.transact({ toPath: [other.localUri], contentType: null })).head.statusCode,
    ).toBe(200);
    const total = 24 * MiB;
    const big = raw.sendRequest({
      toPath: [unread.localUri],
      byteRange: { start: 1, end: total, total },
      contentType: 'application/octet-stream',
      body: randomBytes(total),
    });
    const message = await next(unread[Symbol.asyncIterator]());
    // Nobody reads it: its stream fills up and the endpoint stops reading the connection.
    await until(() => (message.stream?.bufferedPieces ?? 0) >= 16, 5000, 'stream full');
    await unread.close();
    // The rest of its chunk is refused (481: its session is gone, RFC 4975 §10), and the other
    // session's traffic flows again.
    expect((await raw.response(big.transactionId, 10_000)).head.statusCode).toBe(481);
    const hello = await raw.transact({ toPath: [other.localUri], body: 'hello other' }, 10_000);
    expect(hello.head.statusCode).toBe(200);
    expect((await next(other[Symbol.asyncIterator]())).text()).toBe('hello other');
  });
});

describe('abort during a chunk written in slices', () => {
  it('ends that chunk with # itself; no # chunk follows past the end', async () => {
    const { session, raw } = await connectedToRaw({ chunkSize: 64 * MiB });
    raw.autoRespond = false;
    // Stop reading, so that the 64 MiB chunk stalls on a full socket mid-body.
    raw.socket.pause();
    const total = 64 * MiB;
    const outcome = session
      .send(Buffer.alloc(total, 0x61), { messageId: 'sliced' })
      .catch((e: unknown) => e);
    await until(() => raw.socket.readableLength > 0, 5000, 'first bytes');
    session.abort('sliced');
    expect(await outcome).toMatchObject({ code: 'MSRP_ERR_ABORTED' });
    // Its answer frees the window for the next message.
    raw.autoRespond = true;
    raw.socket.resume();
    // Frames go out in order: once this one arrives, anything else about `sliced` has too.
    session.send('after').catch(() => undefined);
    const chunks: RawRequest[] = [];
    for (;;) {
      const chunk = await nextMessageChunk(raw);
      if (chunk.head.messageId !== 'sliced') break;
      chunks.push(chunk);
    }
    expect(chunks.map((c) => c.flag)).toEqual(['#']);
    expect(chunks[0]!.head.byteRange).toEqual({ start: 1, end: '*', total });
    expect(chunks[0]!.body.length).toBeLessThan(total);
  });
});

describe('IncomingMessage.isKeepalive', () => {
  it("is true for msrp-node-lib's text/x-msrp-heartbeat, false for chat", async () => {
    const { session, inbox, raw } = await listening();
    for (const [contentType, body] of [
      ['text/x-msrp-heartbeat', 'HEARTBEAT'],
      ['Text/X-MSRP-Heartbeat', 'HEARTBEAT'],
      ['text/plain', 'hello'],
    ] as const) {
      expect(
        (await raw.transact({ toPath: [session.localUri], contentType, body })).head.statusCode,
      ).toBe(200);
    }
    const kinds = [];
    for (let i = 0; i < 3; i++) kinds.push((await next(inbox)).isKeepalive);
    expect(kinds).toEqual([true, true, false]);
  });
});

describe('streams waiting in the session for the reader', () => {
  async function pairOfSessions(
    options: SessionOptions = {},
  ): Promise<{ sender: Session; inbox: Inbox }> {
    const b = endpoint();
    await b.listen({ host: '127.0.0.1', port: 0 });
    const receiver = b.createSession(options);
    receiver.accept();
    const sender = endpoint().createSession();
    await sender.connect([receiver.localUri]);
    return { sender, inbox: receiver[Symbol.asyncIterator]() };
  }

  it('do not stall a reader that reads interleaved streams one after the other', async () => {
    const { sender, inbox } = await pairOfSessions({ inMemoryThreshold: 64 * 1024 });
    const first = randomBytes(8 * MiB);
    const second = randomBytes(8 * MiB);
    // The sender interleaves the two chunk by chunk; the reader takes the second message
    // only once it has read the first one to its end.
    const sent = Promise.all([sender.send(first), sender.send(second)]);
    const m1 = await next(inbox);
    expect(await within(readStream(m1), 10_000, 'first')).toEqual({
      bytes: first.length,
      sha256: sha256(first),
    });
    const m2 = await next(inbox);
    expect(await within(readStream(m2), 10_000, 'second')).toEqual({
      bytes: second.length,
      sha256: sha256(second),
    });
    await within(sent, 10_000, 'deliveries');
  });

  it('get 413 past maxQueuedStreamBytes instead of stalling the connection', async () => {
    const { sender, inbox } = await pairOfSessions({
      inMemoryThreshold: 64 * 1024,
      maxQueuedStreamBytes: 2 * MiB,
    });
    const first = randomBytes(8 * MiB);
    const sendingFirst = sender.send(first);
    const sendingSecond = sender.send(randomBytes(8 * MiB)).catch((e: unknown) => e);
    const m1 = await next(inbox);
    expect(await within(readStream(m1), 10_000, 'first')).toEqual({
      bytes: first.length,
      sha256: sha256(first),
    });
    await within(sendingFirst, 10_000, 'first delivery');
    expect(await within(sendingSecond, 10_000, 'second delivery')).toMatchObject({
      code: 'MSRP_ERR_REMOTE',
      status: 413,
    });
    const m2 = await next(inbox);
    expect(m2.aborted).toBe(true);
    expect(m2.received).toBeLessThanOrEqual(2 * MiB + 256 * 1024);
    // The session goes on.
    await sender.send('after');
    expect((await next(inbox)).text()).toBe('after');
  });
});
