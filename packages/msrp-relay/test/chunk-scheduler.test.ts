// The relay's ChunkScheduler on its own, writing through a Connection over an in-memory
// stream whose peer can stop reading.
import { Duplex } from 'node:stream';
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
import { Connection, responseFrame, socketStream } from '@msrp-ts/msrp-core/internal';
import { ChunkScheduler, type ForwardEvents } from '../src/chunk-scheduler.js';

/** A stream that records what is written; with `hold`, it stops taking bytes (a slow peer). */
class Wire extends Duplex {
  readonly written: Buffer[] = [];
  hold = false;
  readonly #held: (() => void)[] = [];
  constructor() {
    // A small buffer, as a socket's: `drain` comes once more than this was queued.
    super({ writableHighWaterMark: 1024 });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.written.push(chunk);
    if (this.hold) this.#held.push(callback);
    else callback();
  }
  release(): void {
    this.hold = false;
    for (const callback of this.#held.splice(0)) callback();
  }
  /** The frames written so far. */
  frames(): { head: Head; body: string; flag: ContinuationFlag }[] {
    const frames: { head: Head; body: string; flag: ContinuationFlag }[] = [];
    let head: Head | undefined;
    let body = '';
    const parser = new Parser({
      head: (h) => void ((head = h), (body = '')),
      body: (part) => void (body += Buffer.from(part).toString()),
      end: (flag) => void frames.push({ head: head!, body, flag }),
    });
    parser.push(Buffer.concat(this.written));
    return frames;
  }
}

const ignore = {
  head: () => true,
  body: () => true,
  end: () => undefined,
  protocolError: () => undefined,
  closed: () => undefined,
};

function setup(options: ConstructorParameters<typeof ChunkScheduler>[0] = {}) {
  const wire = new Wire();
  const connection = new Connection(socketStream(wire), ignore);
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
