// The relay's ChunkScheduler on its own, writing through a Connection over an in-memory
// stream whose peer can stop reading.
import { describe, expect, it } from 'vitest';
import {
  MsrpError,
  Parser,
  newTransactionId,
  parseUri,
  type ContinuationFlag,
  type Head,
  type RequestHead,
} from '@msrp-ts/msrp-core';
import {
  Connection,
  responseFrame,
  socketStream,
  type ByteStream,
  type ByteStreamEvents,
} from '@msrp-ts/msrp-core/internal';
import { ChunkScheduler, type ForwardEvents } from '../src/chunk-scheduler.js';
import { chunk, ignore, Wire } from './wire.js';

/** `inner` as a WebSocket looks: each write is one message, here one write to the Wire. */
function messageFramed(inner: ByteStream): ByteStream {
  return {
    open: (events) => inner.open(events),
    write: (parts) => inner.write([Buffer.concat(parts)]),
    get bufferedAmount() {
      return inner.bufferedAmount;
    },
    get writable() {
      return inner.writable;
    },
    pause: () => inner.pause(),
    resume: () => inner.resume(),
    end: () => inner.end(),
    destroy: (error) => inner.destroy(error),
    remote: inner.remote,
    messageFramed: true,
  };
}

function setup(options: ConstructorParameters<typeof ChunkScheduler>[0] = {}, messages = false) {
  const wire = new Wire();
  const stream = socketStream(wire);
  const connection = new Connection(messages ? messageFramed(stream) : stream, ignore);
  const scheduler = new ChunkScheduler(options);
  return { wire, connection, scheduler };
}

function send(body: number, byteRange = true): RequestHead {
  return {
    kind: 'request',
    method: 'SEND',
    transactionId: newTransactionId(),
    toPath: [parseUri('msrp://127.0.0.1:2855/bob;tcp')],
    fromPath: [parseUri('msrp://127.0.0.1:2855/relay;tcp')],
    messageId: 'msg-0001',
    ...(byteRange && { byteRange: { start: 1, end: body, total: body } }),
    contentType: { type: 'text', subtype: 'plain', params: [] },
  };
}

/** Records what the scheduler tells the owner of a forwarded request. */
function recorder() {
  const log: string[] = [];
  let onResume = (): void => undefined;
  const events: ForwardEvents = {
    segment: (tid, offset) => void log.push(`segment ${tid} ${offset}`),
    segmentEnd: (tid, bytes, flag) => void log.push(`end ${tid} ${bytes} ${flag}`),
    resume: () => {
      log.push('resume');
      onResume();
    },
    failed: (error) => void log.push(`failed ${error.message}`),
  };
  const resumed = () => new Promise<void>((resolve) => (onResume = resolve));
  return { log, events, resumed };
}

/** Lets the frames written in this tick leave the Connection's cork. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ChunkScheduler', () => {
  it('forwards a head, body pieces and the end-line in order, as one segment', async () => {
    const { wire, connection, scheduler } = setup();
    scheduler.attach(connection);
    const head = send(10);
    const { log, events } = recorder();
    const request = scheduler.forward(head, events);
    expect(scheduler.push(request, Buffer.from('hello'))).toBe(true);
    expect(scheduler.push(request, Buffer.from('world'))).toBe(true);
    scheduler.end(request, '$');
    await flush();
    expect(scheduler.idle).toBe(true);
    const frames = wire.frames();
    expect(frames).toHaveLength(1);
    expect(frames[0]!.head.transactionId).toBe(head.transactionId);
    expect(frames[0]!.body).toBe('helloworld');
    expect(frames[0]!.flag).toBe('$');
    expect(log).toEqual([`segment ${head.transactionId} 0`, `end ${head.transactionId} 10 $`]);
    expect(request.sent).toBe(10);
    expect(request.done).toBe(true);
  });

  it('lets a response overtake a stalled chunk: cut with +, resumed with a new transaction and Byte-Range', async () => {
    const { wire, connection, scheduler } = setup();
    scheduler.attach(connection);
    const head = send(10);
    const { log, events } = recorder();
    const request = scheduler.forward(head, events);
    scheduler.push(request, Buffer.from('hello'));
    // RFC 4975 §7.1: the chunk is interrupted so that the response need not wait for it.
    scheduler.send(responseFrame(send(1), 200)!);
    scheduler.push(request, Buffer.from('world'));
    scheduler.end(request, '$');
    await flush();
    expect(scheduler.idle).toBe(true);
    const frames = wire.frames();
    expect(frames.map((f) => [f.head.kind, f.body, f.flag])).toEqual([
      ['request', 'hello', '+'],
      ['response', '', '$'],
      ['request', 'world', '$'],
    ]);
    const resumed = frames[2]!.head as RequestHead;
    expect(resumed.transactionId).not.toBe(head.transactionId);
    expect(resumed.byteRange).toEqual({ start: 6, end: 10, total: 10 });
    expect(log).toEqual([
      `segment ${head.transactionId} 0`,
      `end ${head.transactionId} 5 +`,
      `segment ${resumed.transactionId} 5`,
      `end ${resumed.transactionId} 5 $`,
    ]);
  });

  it('does not cut a request without Byte-Range: the response waits for its end', async () => {
    const { wire, connection, scheduler } = setup();
    scheduler.attach(connection);
    const request = scheduler.forward(send(6, false), recorder().events);
    scheduler.push(request, Buffer.from('abc'));
    scheduler.send(responseFrame(send(1), 200)!);
    scheduler.push(request, Buffer.from('def'));
    scheduler.end(request, '$');
    await flush();
    expect(scheduler.idle).toBe(true);
    expect(wire.frames().map((f) => [f.head.kind, f.body, f.flag])).toEqual([
      ['request', 'abcdef', '$'],
      ['response', '', '$'],
    ]);
  });

  it('pushes back past maxQueuedPerChunk while the peer does not read, and resumes once it does', async () => {
    const { wire, connection, scheduler } = setup({ socketBuffer: 1024, maxQueuedPerChunk: 4096 });
    scheduler.attach(connection);
    wire.hold = true;
    const { log, events, resumed } = recorder();
    const request = scheduler.forward(send(64 * 1024), events);
    const piece = Buffer.alloc(2048, 0x61);
    let accepted = 0;
    while (scheduler.push(request, piece)) accepted++;
    expect(accepted).toBeLessThan(32);
    expect(scheduler.queuedBytes).toBeGreaterThanOrEqual(4096);
    expect(connection.bufferedBytes).toBeGreaterThanOrEqual(1024);
    await flush();
    expect(log).not.toContain('resume');
    const resume = resumed();
    wire.release();
    await resume;
    expect(log).toContain('resume');
    expect(scheduler.queuedBytes).toBeLessThan(4096);
  });

  it('holds the next frame once the stream says it is full, though its own bound is not reached', () => {
    // A stream full at 4 KiB, far below socketBuffer (1 MiB; a socket's is 256 KiB).
    let events: ByteStreamEvents | undefined;
    let buffered = 0;
    const stream: ByteStream = {
      open: (e) => void (events = e),
      write: (parts) => {
        for (const part of parts) buffered += part.length;
        return buffered < 4096;
      },
      get bufferedAmount() {
        return buffered;
      },
      writable: true,
      pause: () => undefined,
      resume: () => undefined,
      end: () => undefined,
      destroy: () => undefined,
      remote: 'test',
    };
    const connection = new Connection(stream, ignore);
    const scheduler = new ChunkScheduler();
    scheduler.attach(connection);
    const body = Buffer.alloc(1000, 0x61);
    for (let i = 0; i < 10; i++) {
      const request = scheduler.forward(send(body.length), recorder().events);
      scheduler.push(request, body);
      scheduler.end(request, '$');
    }
    // A few chunks fill the stream; the rest wait for its drain, then go on.
    const first = buffered;
    expect(first).toBeGreaterThanOrEqual(4096);
    expect(first).toBeLessThan(4096 + 2000);
    expect(scheduler.queuedBytes).toBeGreaterThan(0);
    buffered = 0;
    events!.drain();
    expect(buffered).toBeGreaterThanOrEqual(4096);
  });

  it('ends a request whose sender went away with #, and forgets one of which nothing was written', async () => {
    const { wire, connection, scheduler } = setup();
    // Not attached yet: nothing of the first request reaches the wire before its abort.
    const forgotten = scheduler.forward(send(5), recorder().events);
    scheduler.push(forgotten, Buffer.from('lost!'));
    scheduler.abort(forgotten);
    expect(forgotten.done).toBe(true);
    expect(scheduler.queuedBytes).toBe(0);
    scheduler.attach(connection);
    const cut = scheduler.forward(send(10), recorder().events);
    scheduler.push(cut, Buffer.from('abc'));
    scheduler.abort(cut);
    await flush();
    expect(scheduler.idle).toBe(true);
    expect(wire.frames().map((f) => [f.body, f.flag])).toEqual([['abc', '#']]);
  });

  it('fails what is queued when the connection fails, and writes nothing after', async () => {
    const { wire, connection, scheduler } = setup();
    const first = recorder();
    scheduler.forward(send(5), first.events);
    scheduler.fail(new MsrpError('MSRP_ERR_CONNECTION', 'gone'));
    expect(first.log).toEqual(['failed gone']);
    const later = recorder();
    scheduler.forward(send(5), later.events);
    await Promise.resolve();
    expect(later.log).toEqual(['failed gone']);
    scheduler.send(responseFrame(send(1), 200)!);
    scheduler.attach(connection);
    await flush();
    expect(scheduler.idle).toBe(true);
    expect(wire.written).toHaveLength(0);
  });

  it('fails what it has when the connection closed under it', () => {
    const { connection, scheduler } = setup();
    scheduler.attach(connection);
    const { log, events } = recorder();
    const request = scheduler.forward(send(10), events);
    connection.destroy();
    scheduler.push(request, Buffer.from('x'));
    expect(log).toEqual(['failed Connection closed']);
    expect(connection.writePiece(Buffer.from('x'))).toBe(false);
  });
});

/** Each write to the wire parsed alone: its frames, and whether a frame was left open. */
function messages(wire: Wire) {
  return wire.written.map((bytes) => {
    const frames: { head: Head; body: Buffer; flag: ContinuationFlag }[] = [];
    let head: Head | undefined;
    let body: Buffer[] = [];
    const parser = new Parser({
      head: (h) => void ((head = h), (body = [])),
      body: (part) => void body.push(Buffer.from(part)),
      end: (flag) => void frames.push({ head: head!, body: Buffer.concat(body), flag }),
    });
    parser.push(bytes);
    return { frames, partial: parser.inFrame };
  });
}

function report(body: number): RequestHead {
  // A REPORT for a whole message, without Byte-Range: nothing to cut it by.
  return { ...send(body, false), method: 'REPORT', status: { namespace: '000', code: 200 } };
}

describe('ChunkScheduler toward a message-framed peer (WebSocket, RFC 7977 §5.1)', () => {
  it('writes each segment whole in one message, cut with + at messageChunkBytes, with exact Byte-Ranges', async () => {
    const { wire, connection, scheduler } = setup({ messageChunkBytes: 1000 }, true);
    scheduler.attach(connection);
    const content = Buffer.alloc(3500);
    for (let i = 0; i < content.length; i++) content[i] = 0x61 + (i % 26);
    const head = send(content.length);
    const { log, events } = recorder();
    const request = scheduler.forward(head, events);
    for (let at = 0; at < content.length; at += 300)
      expect(scheduler.push(request, content.subarray(at, at + 300))).toBe(true);
    // A response meanwhile is a message of its own, never inside a chunk.
    scheduler.send(responseFrame(send(1), 200)!);
    scheduler.end(request, '$');
    await flush();
    expect(scheduler.idle).toBe(true);
    const written = messages(wire);
    for (const m of written) {
      expect(m.frames).toHaveLength(1);
      expect(m.partial).toBe(false);
    }
    const chunks = written.map((m) => m.frames[0]!).filter((f) => f.head.kind === 'request');
    expect(chunks.map((c) => [c.body.length, c.flag])).toEqual([
      [1000, '+'],
      [1000, '+'],
      [1000, '+'],
      [500, '$'],
    ]);
    expect(written.some((m) => m.frames[0]!.head.kind === 'response')).toBe(true);
    expect(Buffer.concat(chunks.map((c) => c.body)).equals(content)).toBe(true);
    expect(chunks.map((c) => (c.head as RequestHead).byteRange)).toEqual([
      { start: 1, end: 1000, total: 3500 },
      { start: 1001, end: 2000, total: 3500 },
      { start: 2001, end: 3000, total: 3500 },
      { start: 3001, end: 3500, total: 3500 },
    ]);
    const tids = chunks.map((c) => c.head.transactionId);
    expect(tids[0]).toBe(head.transactionId);
    expect(new Set(tids).size).toBe(4);
    expect(log).toEqual(
      chunks.flatMap((c, i) => [
        `segment ${c.head.transactionId} ${i * 1000}`,
        `end ${c.head.transactionId} ${c.body.length} ${c.flag}`,
      ]),
    );
  });

  it('writes the segments of a chunk ahead of the next chunk of its message', async () => {
    const { wire, connection, scheduler } = setup(
      { messageChunkBytes: 1000, socketBuffer: 1500 },
      true,
    );
    scheduler.attach(connection);
    // The peer reads nothing until released: two segments are written, the rest wait here.
    wire.hold = true;
    const { events } = recorder();
    const first = scheduler.forward(chunk('file0001', 1, 4000, 4500), events);
    scheduler.push(first, Buffer.alloc(4000, 0x61));
    scheduler.end(first, '+');
    const second = scheduler.forward(chunk('file0001', 4001, 500, 4500), events);
    scheduler.push(second, Buffer.alloc(500, 0x62));
    scheduler.end(second, '$');
    wire.release();
    for (let i = 0; i < 100 && !scheduler.idle; i++) await flush();
    expect(scheduler.idle).toBe(true);
    const ranges = messages(wire)
      .map((m) => m.frames[0]!.head)
      .map((head) => (head as RequestHead).byteRange?.start);
    expect(ranges).toEqual([1, 1001, 2001, 3001, 4001]);
  });

  it('writes a chunk that fits as it came, whatever pieces its body arrived in', async () => {
    const { wire, connection, scheduler } = setup({}, true);
    scheduler.attach(connection);
    const head = send(10);
    const request = scheduler.forward(head, recorder().events);
    scheduler.push(request, Buffer.from('hello'));
    await flush();
    // Nothing yet: the chunk waits for its end or a full segment, not half-written.
    expect(wire.written).toHaveLength(0);
    scheduler.push(request, Buffer.from('world'));
    scheduler.end(request, '$');
    await flush();
    const written = messages(wire);
    expect(written).toHaveLength(1);
    expect(written[0]!.frames[0]!.head).toEqual(head);
    expect(written[0]!.frames[0]!.body.toString()).toBe('helloworld');
  });

  it('writes a REPORT whole past the limit without holding its sender back', async () => {
    const { wire, connection, scheduler } = setup(
      { messageChunkBytes: 1000, maxQueuedPerChunk: 2000, maxQueued: 2000 },
      true,
    );
    scheduler.attach(connection);
    const request = scheduler.forward(report(5000), recorder().events);
    for (let i = 0; i < 10; i++)
      expect(scheduler.push(request, Buffer.alloc(500, 0x62))).toBe(true);
    scheduler.end(request, '$');
    await flush();
    const written = messages(wire);
    expect(written.map((m) => [m.frames.length, m.frames[0]!.body.length])).toEqual([[1, 5000]]);
    expect(scheduler.queuedBytes).toBe(0);
  });

  it('cuts a SEND without Byte-Range under Byte-Ranges of its own: total * until its $ is in hand', async () => {
    const { wire, connection, scheduler } = setup({ messageChunkBytes: 1000 }, true);
    scheduler.attach(connection);
    const head = send(3500, false);
    const request = scheduler.forward(head, recorder().events);
    const content = Buffer.alloc(3500);
    for (let i = 0; i < content.length; i++) content[i] = 0x61 + (i % 26);
    for (let at = 0; at < content.length; at += 500)
      expect(scheduler.push(request, content.subarray(at, at + 500))).toBe(true);
    scheduler.end(request, '$');
    await flush();
    const chunks = messages(wire).map((m) => m.frames[0]!);
    expect(chunks.map((c) => [c.body.length, c.flag])).toEqual([
      [1000, '+'],
      [1000, '+'],
      [1000, '+'],
      [500, '$'],
    ]);
    expect(chunks.map((c) => (c.head as RequestHead).byteRange)).toEqual([
      { start: 1, end: 1000, total: '*' },
      { start: 1001, end: 2000, total: '*' },
      { start: 2001, end: 3000, total: '*' },
      { start: 3001, end: 3500, total: 3500 },
    ]);
    expect(Buffer.concat(chunks.map((c) => c.body)).equals(content)).toBe(true);
    expect(chunks[0]!.head.transactionId).toBe(head.transactionId);
    expect(scheduler.queuedBytes).toBe(0);
  });

  it("flushes a held-back sender's partial segment instead of waiting for a full one", async () => {
    const { wire, connection, scheduler } = setup(
      { messageChunkBytes: 1000, maxQueuedPerChunk: 4000, maxQueued: 1500 },
      true,
    );
    scheduler.attach(connection);
    // A REPORT that cannot be cut fills the shared queue...
    const whole = scheduler.forward(report(1200), recorder().events);
    scheduler.push(whole, Buffer.alloc(1200, 0x72));
    // ...so a SEND's sender is held back at 400 bytes, short of a segment: they go now.
    const held = recorder();
    const request = scheduler.forward(send(1000), held.events);
    expect(scheduler.push(request, Buffer.alloc(400, 0x73))).toBe(false);
    await flush();
    const first = messages(wire);
    expect(first.map((m) => [m.frames[0]!.body.length, m.frames[0]!.flag])).toEqual([[400, '+']]);
    const resumed = held.resumed();
    scheduler.end(whole, '$');
    await resumed;
    expect(scheduler.push(request, Buffer.alloc(600, 0x73))).toBe(true);
    scheduler.end(request, '$');
    await flush();
    const all = messages(wire).map((m) => m.frames[0]!);
    expect(all.map((f) => [(f.head as RequestHead).method, f.body.length, f.flag])).toEqual([
      ['SEND', 400, '+'],
      ['REPORT', 1200, '$'],
      ['SEND', 600, '$'],
    ]);
    expect((all[2]!.head as RequestHead).byteRange).toEqual({ start: 401, end: 1000, total: 1000 });
  });

  it('bounds what it queues while the peer does not read, and resumes the sender once it does', async () => {
    const { wire, connection, scheduler } = setup(
      { socketBuffer: 1024, maxQueuedPerChunk: 4096, messageChunkBytes: 1024 },
      true,
    );
    scheduler.attach(connection);
    wire.hold = true;
    const { log, events, resumed } = recorder();
    const request = scheduler.forward(send(64 * 1024), events);
    const piece = Buffer.alloc(512, 0x61);
    let accepted = 0;
    while (scheduler.push(request, piece)) accepted++;
    expect(accepted).toBeLessThan(16);
    expect(scheduler.queuedBytes).toBeLessThanOrEqual(4096 + 512);
    const resume = resumed();
    wire.release();
    await resume;
    expect(log).toContain('resume');
    for (const m of messages(wire)) {
      expect(m.frames).toHaveLength(1);
      expect(m.frames[0]!.body.length).toBeLessThanOrEqual(1024);
    }
  });

  it('does not leave a sender paused when the connection fails while its held segment is written', () => {
    const wire = new Wire();
    const inner = messageFramed(socketStream(wire));
    // The peer resets as the first message goes: the stream is gone once it is written.
    const breaking: ByteStream = {
      ...inner,
      open: (events) => inner.open(events),
      write: (parts) => {
        const room = inner.write(parts);
        inner.destroy();
        return room;
      },
      get bufferedAmount() {
        return inner.bufferedAmount;
      },
      get writable() {
        return inner.writable;
      },
    };
    const connection = new Connection(breaking, ignore);
    const scheduler = new ChunkScheduler({ messageChunkBytes: 1000, maxQueuedPerChunk: 1000 });
    scheduler.attach(connection);
    const { log, events } = recorder();
    const request = scheduler.forward(send(4000), events);
    // A full segment queued: the sender is held, and the segment goes in a second pump,
    // during which the connection fails. The sender must go on (its chunk is answered with
    // the failure once its end-line comes), or be resumed: else it waits for ever.
    const goOn = scheduler.push(request, Buffer.alloc(1000, 0x61));
    expect(log).toContain('failed Connection closed');
    expect(request.done).toBe(true);
    expect(goOn || log.includes('resume')).toBe(true);
  });

  it('ends a chunk whose sender went away with an empty # segment, and forgets one never written', async () => {
    const { wire, connection, scheduler } = setup({ messageChunkBytes: 4 }, true);
    scheduler.attach(connection);
    const forgotten = scheduler.forward(send(10), recorder().events);
    scheduler.push(forgotten, Buffer.from('abc'));
    scheduler.abort(forgotten);
    const cut = scheduler.forward(send(10), recorder().events);
    scheduler.push(cut, Buffer.from('abcdef'));
    scheduler.abort(cut);
    await flush();
    expect(scheduler.idle).toBe(true);
    expect(forgotten.done).toBe(true);
    const frames = messages(wire).map((m) => m.frames[0]!);
    expect(frames.map((f) => [f.body.toString(), f.flag])).toEqual([
      ['abcd', '+'],
      ['', '#'],
    ]);
  });

  it("forwards a sender's own bodiless # chunk, that tells the receiver of the abort (RFC 4975 §7.1)", async () => {
    for (const framed of [false, true]) {
      const { wire, connection, scheduler } = setup({}, framed);
      scheduler.attach(connection);
      // The `#` a sender writes after the chunks of a message it aborts: Byte-Range 4-3/10.
      const head = { ...send(10), byteRange: { start: 4, end: 3, total: 10 } };
      const request = scheduler.forward(head, recorder().events);
      scheduler.end(request, '#');
      await flush();
      expect(scheduler.idle).toBe(true);
      const frames = framed ? messages(wire).map((m) => m.frames[0]!) : wire.frames();
      expect(frames.map((f) => [f.body.toString(), f.flag, f.head.byteRange])).toEqual([
        ['', '#', { start: 4, end: 3, total: 10 }],
      ]);
    }
  });
});
