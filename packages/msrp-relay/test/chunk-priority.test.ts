// The ChunkScheduler lets a small whole message (a chat line) overtake the queued chunks of a
// long message, toward a peer that reads slowly: it waits behind the chunk being written only.
import { describe, expect, it } from 'vitest';
import { Connection, socketStream } from '@msrp-ts/msrp-core/internal';
import { ChunkScheduler, type ForwardEvents } from '../src/chunk-scheduler.js';
import { chunk, ignore, Wire } from './wire.js';

/** The Message-ID of each frame written, in order. */
function messages(wire: Wire): string[] {
  return wire.frames().map(({ head }) => (head.kind === 'request' ? (head.messageId ?? '?') : '?'));
}

const events: ForwardEvents = {
  segment: () => undefined,
  segmentEnd: () => undefined,
  resume: () => undefined,
  failed: () => undefined,
};

describe('ChunkScheduler priority', () => {
  it('writes a small whole message after the chunk under way, ahead of queued chunks', async () => {
    const wire = new Wire();
    // The peer reads nothing until released.
    wire.hold = true;
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
    const order = messages(wire);
    expect(order).toHaveLength(12);
    // Only the chunk being written when they came (the socket took the first) goes first.
    expect(order.slice(0, 3)).toEqual(['file0001', 'chat0001', 'chat0002']);
    expect(order.slice(3)).toEqual(Array(9).fill('file0001'));
  });

  it('resumes a chunk cut for a chat line ahead of the next chunk of its message', async () => {
    const wire = new Wire();
    const connection = new Connection(socketStream(wire), ignore);
    const scheduler = new ChunkScheduler();
    scheduler.attach(connection);
    const inFlight = { awaited: 0, bytes: 0 };
    scheduler.window.source = inFlight;
    const total = 30;
    const first = scheduler.forward(chunk('file0001', 1, 20, total), events);
    scheduler.push(first, Buffer.from('a'.repeat(10)));
    // The peer's answers lag: the window is full, the rest of the chunk waits here, and
    // the next chunk of the file queues behind it.
    Object.assign(inFlight, { awaited: 8, bytes: Infinity });
    scheduler.push(first, Buffer.from('b'.repeat(10)));
    scheduler.end(first, '+');
    const second = scheduler.forward(chunk('file0001', 21, 10, total), events);
    scheduler.push(second, Buffer.from('c'.repeat(10)));
    scheduler.end(second, '$');
    // A chat line may go while the window is full: the chunk under way is cut for it.
    const line = scheduler.forward(chunk('chat0001', 1, 4, 4), events);
    scheduler.push(line, Buffer.from('ping'));
    scheduler.end(line, '$');
    Object.assign(inFlight, { awaited: 0, bytes: 0 });
    scheduler.wake();
    for (let i = 0; i < 100 && !scheduler.idle; i++)
      await new Promise((resolve) => setImmediate(resolve));
    expect(scheduler.idle).toBe(true);
    // In order, or the receiver holds the later bytes until the gap fills (and refuses the
    // message, 413, past its bound).
    const file = wire
      .frames()
      .filter(({ head }) => head.kind === 'request' && head.messageId === 'file0001')
      .map(({ head, body }) => `${head.kind === 'request' ? head.byteRange?.start : ''}:${body}`);
    expect(file).toEqual(['1:' + 'a'.repeat(10), '11:' + 'b'.repeat(10), '21:' + 'c'.repeat(10)]);
    expect(messages(wire)[1]).toBe('chat0001');
  });
});
