// The ChunkScheduler lets a small whole message (a chat line) overtake the queued chunks of a
// long message, toward a peer that reads slowly: it waits behind the chunk being written only.
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  newTransactionId,
  Parser,
  parseUri,
  type Head,
  type RequestHead,
} from '@msrp-ts/msrp-core';
import { Connection, socketStream } from '@msrp-ts/msrp-core/internal';
import { ChunkScheduler, type ForwardEvents } from '../src/chunk-scheduler.js';

/** A stream that takes bytes only once released: the peer reads nothing until then. */
class HeldWire extends Duplex {
  readonly written: Buffer[] = [];
  #held: (() => void)[] = [];
  #hold = true;
  constructor() {
    super({ writableHighWaterMark: 1024 });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.written.push(chunk);
    if (this.#hold) this.#held.push(callback);
    else callback();
  }
  release(): void {
    this.#hold = false;
    for (const callback of this.#held.splice(0)) callback();
  }
  /** The Message-ID of each frame written, in order. */
  messages(): string[] {
    const ids: string[] = [];
    let head: Head | undefined;
    const parser = new Parser({
      head: (h) => void (head = h),
      body: () => undefined,
      end: () => void ids.push(head?.kind === 'request' ? (head.messageId ?? '?') : '?'),
    });
    parser.push(Buffer.concat(this.written));
    return ids;
  }
}

const ignore = {
  head: () => true,
  body: () => true,
  end: () => undefined,
  protocolError: () => undefined,
  closed: () => undefined,
};
const events: ForwardEvents = {
  segment: () => undefined,
  segmentEnd: () => undefined,
  resume: () => undefined,
  failed: () => undefined,
};

function chunk(messageId: string, start: number, bytes: number, total: number): RequestHead {
  return {
    kind: 'request',
    method: 'SEND',
    transactionId: newTransactionId(),
    toPath: [parseUri('msrp://127.0.0.1:2855/bob;tcp')],
    fromPath: [parseUri('msrp://127.0.0.1:2855/relay;tcp')],
    messageId,
    byteRange: { start, end: start + bytes - 1, total },
    contentType: { type: 'text', subtype: 'plain', params: [] },
  };
}

describe('ChunkScheduler priority', () => {
  it('writes a small whole message after the chunk under way, ahead of queued chunks', async () => {
    const wire = new HeldWire();
    const connection = new Connection(socketStream(wire), ignore);
    // A small socket buffer: the file's chunks queue in the scheduler while the peer holds.
    const scheduler = new ChunkScheduler({ socketBuffer: 4096 });
    scheduler.attach(connection);
    const size = 8192;
    const body = Buffer.alloc(size, 0x61);
    const total = 10 * size;
    for (let i = 0; i < 10; i++) {
      const request = scheduler.forward(chunk('file0001', 1 + i * size, size, total), events);
      scheduler.push(request, body);
      scheduler.end(request, i === 9 ? '$' : '+');
    }
    for (const id of ['chat0001', 'chat0002']) {
      const line = scheduler.forward(chunk(id, 1, 4, 4), events);
      scheduler.push(line, Buffer.from('ping'));
      scheduler.end(line, '$');
    }
    wire.release();
    for (let i = 0; i < 100 && !scheduler.idle; i++)
      await new Promise((resolve) => setImmediate(resolve));
    expect(scheduler.idle).toBe(true);
    const order = wire.messages();
    expect(order).toHaveLength(12);
    // Only the chunk being written when they came (the socket took the first) goes first.
    expect(order.slice(0, 3)).toEqual(['file0001', 'chat0001', 'chat0002']);
    expect(order.slice(3)).toEqual(Array(9).fill('file0001'));
  });
});
