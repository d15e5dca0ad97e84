// Unit tests of the send scheduler over a fake SessionPort: round robin between messages,
// the window of chunks awaiting 200, `#` on abort (RFC 4975 §7.1), and REPORTs.
import { describe, expect, it } from 'vitest';
import {
  Parser,
  parseContentType,
  type ContinuationFlag,
  type RequestHead,
  type ResponseHead,
} from '../src/index.js';
import { type SessionPort, type Transaction, type TransactionSettle } from '../src/internal.js';
import type { MsrpError } from '../src/errors.js';
import { OutgoingMessage } from '../src/session/outgoing-message.js';
import { SendScheduler, type SendSchedulerOptions } from '../src/session/send-scheduler.js';
import type { MsrpUri } from '../src/wire/uri.js';

const peer: MsrpUri = {
  scheme: 'msrp',
  host: '127.0.0.1',
  port: 2855,
  sessionId: 'peer',
  transport: 'tcp',
  params: [],
};
const us: MsrpUri = { ...peer, sessionId: 'us' };

interface Written {
  head: RequestHead;
  body: Buffer;
  flag: ContinuationFlag;
  answer(statusCode?: number): void;
}

/** A port that parses what is written and lets the test answer each request. */
class FakePort implements SessionPort {
  readonly written: Written[] = [];
  #waiters: Array<() => void> = [];

  /** When set, each request is answered 200 by itself, after this many microtasks. */
  constructor(readonly autoAnswerAfter?: number) {}

  send(transactionId: string, frame: readonly Uint8Array[], awaitResponse = true): Transaction {
    let answer!: (r: ResponseHead) => void;
    const response = awaitResponse
      ? new Promise<ResponseHead>((resolve) => (answer = resolve))
      : new Promise<ResponseHead>(() => undefined);
    let head: RequestHead | undefined;
    const body: Buffer[] = [];
    const parser = new Parser({
      head: (h) => void (head = h as RequestHead),
      body: (part) => void body.push(Buffer.from(part)),
      end: (flag) => {
        this.written.push({
          head: head!,
          body: Buffer.concat(body),
          flag,
          answer: (statusCode = 200) =>
            answer({ kind: 'response', transactionId, statusCode, toPath: [], fromPath: [] }),
        });
        this.#waiters.splice(0).forEach((w) => w());
        if (this.autoAnswerAfter !== undefined) {
          const written = this.written.at(-1)!;
          let hops = this.autoAnswerAfter;
          const later = (): void => (hops-- > 0 ? queueMicrotask(later) : written.answer());
          later();
        }
      },
    });
    for (const part of frame) parser.push(part);
    return { sent: Promise.resolve(), response };
  }

  sendParts(
    transactionId: string,
    headBytes: Uint8Array,
    nextPart: () => Uint8Array | undefined,
    endLine: () => Uint8Array,
  ): Transaction {
    const frame = [headBytes];
    for (let part = nextPart(); part; part = nextPart()) frame.push(part);
    frame.push(endLine());
    return this.send(transactionId, frame);
  }

  sendChunk(
    transactionId: string,
    frame: readonly Uint8Array[],
    settle: TransactionSettle,
    datum?: number,
  ): boolean {
    this.send(transactionId, frame).response.then(
      (response) => settle(response, undefined, datum),
      (error: MsrpError) => settle(undefined, error, datum),
    );
    return this.room;
  }

  /** What sendChunk says of the connection's room; writable() resolves when it is set again. */
  room = true;
  #roomWaiters: Array<() => void> = [];

  setRoom(room: boolean): void {
    this.room = room;
    if (room) this.#roomWaiters.splice(0).forEach((w) => w());
  }

  writable(): Promise<void> {
    return this.room
      ? Promise.resolve()
      : new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  request(): Promise<ResponseHead> {
    throw new Error('not used');
  }

  resume(): void {}

  /** Waits until `n` frames were written in all. */
  async frames(n: number): Promise<Written[]> {
    while (this.written.length < n) {
      // Fails (rather than hangs) when the scheduler stops writing.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#waiters.push(resolve)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`only ${this.written.length} frames`)), 5000);
        }),
      ]).finally(() => clearTimeout(timer));
    }
    expect(this.written.length).toBeGreaterThanOrEqual(n);
    return this.written;
  }
}

function scheduler(options: Partial<SendSchedulerOptions> = {}, autoAnswerAfter?: number) {
  const port = new FakePort(autoAnswerAfter);
  const host = { bound: true, port, toPath: [peer], fromPath: [us] };
  const s = new SendScheduler(host, {
    chunkSize: 4,
    maxInFlightChunks: 256,
    maxInFlightBytes: 1 << 20,
    remoteMaxSize: undefined,
    reportTimeout: 30_000,
    ...options,
  });
  return { s, port, host };
}

function message(id: string, text: string): OutgoingMessage {
  return new OutgoingMessage(id, parseContentType('text/plain')!, Buffer.from(text));
}

describe('SendScheduler', () => {
  it('sends one chunk per message per turn, so a short message is not held behind a long one', async () => {
    const { s, port } = scheduler();
    const long = s.enqueue(message('long', 'aaaabbbbccccdddd'), {});
    const short = s.enqueue(message('short', 'hi'), {});
    const frames = await port.frames(5);
    expect(frames.map((f) => `${f.head.messageId}:${f.body.toString()}${f.flag}`)).toEqual([
      'long:aaaa+',
      'short:hi$',
      'long:bbbb+',
      'long:cccc+',
      'long:dddd$',
    ]);
    expect(frames[1]!.head.byteRange).toEqual({ start: 1, end: 2, total: 2 });
    expect(frames[4]!.head.byteRange).toEqual({ start: 13, end: 16, total: 16 });
    for (const f of frames) f.answer();
    await expect(short).resolves.toMatchObject({ messageId: 'short', bytes: 2 });
    await expect(long).resolves.toMatchObject({ messageId: 'long', bytes: 16 });
  });

  it('writes a chat line sent beside a file as the next chunk once the window has room', async () => {
    const { s, port } = scheduler({ maxInFlightBytes: 16 });
    const file = s.enqueue(message('file', 'f'.repeat(40)), {});
    await port.frames(4); // the window is full: 16 bytes in flight
    const chat = s.enqueue(message('chat', 'hi'), {});
    await new Promise((resolve) => setImmediate(resolve));
    expect(port.written).toHaveLength(4);
    port.written[0]!.answer();
    const frames = await port.frames(5);
    expect(frames.slice(0, 5).map((f) => f.head.messageId)).toEqual([
      'file',
      'file',
      'file',
      'file',
      'chat',
    ]);
    const answered = new Set<Written>([frames[0]!]);
    let settled = false;
    void Promise.allSettled([chat, file]).then(() => (settled = true));
    while (!settled) {
      for (const f of port.written) if (!answered.has(f) && answered.add(f)) f.answer();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(port.written).toHaveLength(11);
    await expect(chat).resolves.toMatchObject({ bytes: 2 });
    await expect(file).resolves.toMatchObject({ bytes: 40 });
  });

  it('keeps two chunks larger than maxInFlightBytes in flight, and no more', async () => {
    const { s, port } = scheduler({ chunkSize: 8, maxInFlightBytes: 4 });
    const sending = s.enqueue(message('bigs', 'a'.repeat(24)), {});
    await port.frames(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(port.written).toHaveLength(2);
    port.written[0]!.answer();
    await port.frames(3);
    port.written[1]!.answer();
    port.written[2]!.answer();
    await expect(sending).resolves.toMatchObject({ bytes: 24 });
  });

  it('stops writing while the connection is full and goes on once it is writable', async () => {
    const { s, port } = scheduler();
    port.setRoom(false);
    const sending = s.enqueue(message('full', 'aaaabbbbcccc'), {});
    await port.frames(1);
    // A chunk written now would only wait in the connection's buffer.
    await new Promise((resolve) => setImmediate(resolve));
    expect(port.written).toHaveLength(1);
    port.setRoom(true);
    const frames = await port.frames(3);
    for (const f of frames) f.answer();
    await expect(sending).resolves.toMatchObject({ bytes: 12 });
  });

  it('cuts chunks from a piece at hand without waiting (nextNow), and says when it must read', async () => {
    const pieces = (async function* () {
      await Promise.resolve();
      yield Buffer.from('aaaabbbbcc');
      yield Buffer.from('dd');
    })();
    const m = new OutgoingMessage('nn', parseContentType('text/plain')!, pieces, { size: 12 });
    expect(m.nextNow(4)).toBeNull(); // nothing read yet
    expect(Buffer.from((await m.next(4))!.body).toString()).toBe('aaaa');
    expect(m.nextNow(4)).toMatchObject({ start: 5, last: false });
    expect(Buffer.from(m.nextNow(4)!.body).toString()).toBe('cc');
    expect(m.nextNow(4)).toBeNull();
    expect(await m.next(4)).toMatchObject({ start: 11, last: true });
    expect(m.nextNow(4)).toBeUndefined();
  });

  it('keeps at most maxInFlightChunks unanswered, and sends more as 200s come', async () => {
    const { s, port } = scheduler({ maxInFlightChunks: 2 });
    const sending = s.enqueue(message('mmmm', 'aaaabbbbcccc'), {});
    await port.frames(2);
    await Promise.resolve();
    expect(port.written).toHaveLength(2);
    expect(s.inFlightChunks).toBe(2);
    port.written[0]!.answer();
    await port.frames(3);
    port.written[1]!.answer();
    port.written[2]!.answer();
    await expect(sending).resolves.toMatchObject({ bytes: 12 });
    expect(s.inFlightChunks).toBe(0);
    expect(s.inFlightBytes).toBe(0);
  });

  it('ends an aborted message with a # chunk where the written bytes stop', async () => {
    const { s, port } = scheduler({ maxInFlightChunks: 1 });
    const sending = s.enqueue(message('mmmm', 'aaaabbbbcccc'), {});
    await port.frames(1);
    s.abort('mmmm');
    await expect(sending).rejects.toMatchObject({ code: 'MSRP_ERR_ABORTED', confirmedBytes: 0 });
    const frames = await port.frames(2);
    expect(frames[1]).toMatchObject({ flag: '#', body: Buffer.alloc(0) });
    expect(frames[1]!.head.byteRange?.start).toBe(5);
  });

  it('resumes a message at an offset: Byte-Range from offset + 1, bytes counted whole', async () => {
    const { s, port } = scheduler();
    const rest = OutgoingMessage.create(
      Buffer.from('ccccdd'),
      { messageId: 'mmmm', offset: 8 },
      undefined,
    );
    if (!(rest instanceof OutgoingMessage)) throw rest;
    const sending = s.enqueue(rest, {});
    const frames = await port.frames(2);
    expect(frames.map((f) => f.head.byteRange)).toEqual([
      { start: 9, end: 12, total: 14 },
      { start: 13, end: 14, total: 14 },
    ]);
    for (const f of frames) f.answer();
    await expect(sending).resolves.toMatchObject({ messageId: 'mmmm', bytes: 14 });
    const bad = OutgoingMessage.create(Buffer.from('x'), { offset: 5, size: 4 }, undefined);
    expect(bad).toMatchObject({ code: 'MSRP_ERR_INVALID_ARGUMENT' });
  });

  it('fails a message on a non-200 answer with its status', async () => {
    const { s, port } = scheduler();
    const sending = s.enqueue(message('mmmm', 'abc'), {});
    (await port.frames(1))[0]!.answer(415);
    await expect(sending).rejects.toMatchObject({ status: 415 });
  });

  it('waits for the success REPORT after the 200s; a failure REPORT fails the message', async () => {
    const { s, port } = scheduler();
    const ok = s.enqueue(message('okok', 'abc'), { successReport: true });
    const bad = s.enqueue(message('badbad', 'def'), { successReport: true });
    const frames = await port.frames(2);
    for (const f of frames) f.answer();
    await Promise.resolve();
    const status = { namespace: '000', code: 200, reason: 'OK' } as const;
    expect(s.report('okok', status, { start: 1, end: 3, total: 3 })).toBe(true);
    await expect(ok).resolves.toMatchObject({ report: { code: 200 } });
    expect(s.report('badbad', { namespace: '000', code: 413 }, undefined)).toBe(true);
    await expect(bad).rejects.toMatchObject({ status: 413 });
    expect(s.report('unknown', status, undefined)).toBe(false);
    expect(s.report('okok', status, undefined)).toBe(true); // settled, still ours
  });

  // A transport that delivers in microtasks (an in-memory pair, some WebSocket shims) could
  // answer the last-but-one chunk while the last one was cut but not yet written: the
  // message counted as confirmed and its last chunk was never sent.
  it.each([0, 1, 2, 3, 4, 5, 6, 8])(
    'writes every chunk when 200s come back %i microtasks after each write',
    async (hops) => {
      const { s, port } = scheduler({}, hops);
      const delivery = await s.enqueue(message('mmmm', 'aaaabbbbcc'), {});
      expect(port.written.map((f) => `${f.body.toString()}${f.flag}`)).toEqual([
        'aaaa+',
        'bbbb+',
        'cc$',
      ]);
      expect(delivery).toMatchObject({ bytes: 10 });
    },
  );
});
