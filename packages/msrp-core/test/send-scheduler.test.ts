// Unit tests of the send scheduler over a fake SessionPort: round robin between messages,
// the window of chunks awaiting 200, `#` on abort (RFC 4975 §7.1), and REPORTs.
import { describe, expect, it } from 'vitest';
import { OutgoingMessage } from '../src/session/outgoing-message.js';
import { parseContentType } from '../src/index.js';
import { message, scheduler, type Written } from './helpers/fake-port.js';

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

  it("cuts a message with its own chunkSize, the others with the session's", async () => {
    const { s, port } = scheduler({ chunkSize: 4 }, 0);
    const file = s.enqueue(message('file', 'a'.repeat(25)), { chunkSize: 10 });
    const chat = s.enqueue(message('chat', 'hello world'), {});
    await Promise.all([file, chat]);
    const sizes = (id: string): number[] =>
      port.written.filter((f) => f.head.messageId === id).map((f) => f.body.length);
    expect(sizes('file')).toEqual([10, 10, 5]);
    expect(sizes('chat')).toEqual([4, 4, 3]);
  });

  it('writes a chat line sent beside a file while the byte window is full, before any 200', async () => {
    const { s, port } = scheduler({ maxInFlightBytes: 16 });
    const file = s.enqueue(message('file', 'f'.repeat(40)), {});
    await port.frames(4); // the window is full: 16 bytes in flight
    const chat = s.enqueue(message('chat', 'hi'), {});
    const frames = await port.frames(5);
    expect(frames.map((f) => f.head.messageId)).toEqual(['file', 'file', 'file', 'file', 'chat']);
    // The file still waits for its 200s: the chat line went beyond the window, not the file.
    await new Promise((resolve) => setImmediate(resolve));
    expect(port.written).toHaveLength(5);
    expect(s.inFlightBytes).toBe(18);
    const answered = new Set<Written>();
    let settled = false;
    void Promise.allSettled([chat, file]).then(() => (settled = true));
    while (!settled) {
      for (const f of port.written) if (!answered.has(f) && answered.add(f)) f.answer();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(port.written).toHaveLength(11);
    await expect(chat).resolves.toMatchObject({ bytes: 2 });
    await expect(file).resolves.toMatchObject({ bytes: 40 });
    expect(s.inFlightBytes).toBe(0);
  });

  it('lets small messages beyond a full byte window for 8 KiB in all, then waits for 200s', async () => {
    const { s, port } = scheduler({ chunkSize: 2048, maxInFlightBytes: 4096 });
    const file = s.enqueue(message('file', 'f'.repeat(16 * 1024)), {});
    await port.frames(2);
    const lines = Array.from({ length: 20 }, (_, i) =>
      s.enqueue(message(`chat${i}`, 'c'.repeat(1000)), {}),
    );
    // 8 lines of 1000 bytes fit the 8 KiB overdraft; the 9th does not.
    await port.frames(10);
    await new Promise((resolve) => setImmediate(resolve));
    expect(port.written.map((f) => f.head.messageId)).toEqual([
      'file',
      'file',
      ...Array.from({ length: 8 }, (_, i) => `chat${i}`),
    ]);
    // A chat line answered gives its overdraft back: the next one goes.
    port.written[2]!.answer();
    await port.frames(11);
    await new Promise((resolve) => setImmediate(resolve));
    expect(port.written.map((f) => f.head.messageId).slice(10)).toEqual(['chat8']);
    const answered = new Set<Written>([port.written[2]!]);
    let settled = false;
    void Promise.allSettled([file, ...lines]).then(() => (settled = true));
    while (!settled) {
      for (const f of port.written) if (!answered.has(f) && answered.add(f)) f.answer();
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const line of lines) await expect(line).resolves.toMatchObject({ bytes: 1000 });
    await expect(file).resolves.toMatchObject({ bytes: 16 * 1024 });
    expect(s.inFlightBytes).toBe(0);
  });

  it('narrows the byte window to 128 KiB once a chat line finds it full beside a file', async () => {
    const KiB = 1024;
    const { s, port } = scheduler({ chunkSize: 32 * KiB, maxInFlightBytes: 512 * KiB });
    const file = s.enqueue(message('file', 'f'.repeat(2048 * KiB)), {});
    await port.frames(16); // 512 KiB in flight
    const chat = s.enqueue(message('chat', 'hi'), {});
    await port.frames(17);
    // The file goes on only once less than 128 KiB of it is in flight: 13 answers.
    for (let i = 0; i < 12; i++) port.written[i]!.answer();
    await new Promise((resolve) => setImmediate(resolve));
    expect(port.written).toHaveLength(17);
    port.written[12]!.answer();
    await port.frames(18);
    expect(port.written[17]!.head.messageId).toBe('file');
    port.written[16]!.answer();
    await expect(chat).resolves.toMatchObject({ bytes: 2 });
    const answered = new Set<Written>([...port.written.slice(0, 13), port.written[16]!]);
    let settled = false;
    void file.finally(() => (settled = true));
    while (!settled) {
      for (const f of port.written) if (!answered.has(f) && answered.add(f)) f.answer();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await expect(file).resolves.toMatchObject({ bytes: 2048 * KiB });
  });

  it('does not narrow the window for a flood of small messages alone', async () => {
    const KiB = 1024;
    const { s, port } = scheduler({ chunkSize: 8 * KiB, maxInFlightBytes: 512 * KiB });
    const sends = Array.from({ length: 80 }, (_, i) =>
      s.enqueue(message(`msg${String(i).padStart(3, '0')}`, 'm'.repeat(8 * KiB)), {}),
    );
    await port.frames(65); // 512 KiB, and one more on the overdraft
    await new Promise((resolve) => setImmediate(resolve));
    expect(port.written).toHaveLength(65);
    // 504 KiB in flight: room in the whole window (a narrowed one would wait for 128 KiB).
    port.written[0]!.answer();
    port.written[1]!.answer();
    await port.frames(66);
    const answered = new Set<Written>();
    let settled = false;
    void Promise.allSettled(sends).then(() => (settled = true));
    while (!settled) {
      for (const f of port.written) if (!answered.has(f) && answered.add(f)) f.answer();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(port.written).toHaveLength(80);
  });

  it('keeps a chat line within maxInFlightChunks: it waits for a 200 there', async () => {
    const { s, port } = scheduler({ maxInFlightChunks: 2 });
    const file = s.enqueue(message('file', 'f'.repeat(12)), {});
    await port.frames(2);
    const chat = s.enqueue(message('chat', 'hi'), {});
    await new Promise((resolve) => setImmediate(resolve));
    expect(port.written).toHaveLength(2);
    port.written[0]!.answer();
    const frames = await port.frames(3);
    expect(frames[2]!.head.messageId).toBe('chat');
    for (const f of frames.slice(1)) f.answer();
    await expect(chat).resolves.toMatchObject({ bytes: 2 });
    (await port.frames(4))[3]!.answer();
    await expect(file).resolves.toMatchObject({ bytes: 12 });
  });

  it('writes a chat line queued while the connection is full ahead of the file, once it drains', async () => {
    const { s, port } = scheduler();
    port.setRoom(false);
    const file = s.enqueue(message('file', 'aaaabbbbcccc'), {});
    await port.frames(1);
    const chat = s.enqueue(message('chat', 'hi'), {});
    await new Promise((resolve) => setImmediate(resolve));
    expect(port.written).toHaveLength(1);
    port.setRoom(true);
    const frames = await port.frames(4);
    expect(frames.map((f) => f.head.messageId)).toEqual(['file', 'chat', 'file', 'file']);
    for (const f of frames) f.answer();
    await expect(chat).resolves.toMatchObject({ bytes: 2 });
    await expect(file).resolves.toMatchObject({ bytes: 12 });
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
