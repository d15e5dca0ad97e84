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
});
