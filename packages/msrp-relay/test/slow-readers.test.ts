// Senders that trickle bytes into every read place toward one next hop (ReaderBudget: at most
// maxQueued / READ_BYTES read at once) no longer hold every other sender after its head: while
// others wait, those reading slower than slowReaders.minRate after graceMs are evicted.
import { describe, expect, it } from 'vitest';
import { newTransactionId, type RequestHead } from '@msrp-ts/msrp-core';
import { Connection, socketStream } from '@msrp-ts/msrp-core/internal';
import { ChunkScheduler, type ForwardEvents } from '../src/chunk-scheduler.js';
import { READ_BYTES } from '../src/reader-budget.js';
import { chunk, ignore, Wire } from './wire.js';

const MAX_QUEUED = 4 * READ_BYTES;

/** A scheduler whose clock the test sets, with four read places (see ReaderBudget). */
function setup() {
  const clock = { now: 0 };
  const connection = new Connection(socketStream(new Wire()), ignore);
  const scheduler = new ChunkScheduler({
    maxQueued: MAX_QUEUED,
    maxQueuedPerChunk: MAX_QUEUED,
    slowReaders: { minRate: 16 * 1024, graceMs: 2000, now: () => clock.now },
  });
  scheduler.attach(connection);
  return { clock, scheduler };
}

/** A whole `body`-byte message in one chunk, a message of its own. */
function send(body: number): RequestHead {
  return chunk(newTransactionId(), 1, body, body);
}

function recorder() {
  const log: string[] = [];
  const events: ForwardEvents = {
    segment: () => undefined,
    segmentEnd: () => undefined,
    resume: () => void log.push('resume'),
    failed: (error) => void log.push(`failed ${error.status} ${error.message}`),
  };
  return { log, events };
}

/** Four senders, each reading (a place taken), each with a few bytes pushed. */
function tricklers(scheduler: ChunkScheduler) {
  return Array.from({ length: 4 }, () => {
    const { log, events } = recorder();
    const request = scheduler.forward(send(1_000_000), events);
    expect(request.held).toBe(false);
    expect(scheduler.push(request, Buffer.alloc(10, 0x74))).toBe(true);
    return { request, log };
  });
}

describe('ChunkScheduler: senders too slow while others wait', () => {
  it('evicts senders trickling into every read place, so that the next one reads at once', () => {
    const { clock, scheduler } = setup();
    const slow = tricklers(scheduler);
    clock.now += 3000;
    const waiting = recorder();
    const request = scheduler.forward(send(100), waiting.events);
    // 10 bytes in 3 s, under 16 KiB/s: each trickler fails with 408 (answered to its chunk
    // by the relay once its end-line comes); the new sender has a place.
    expect(request.held).toBe(false);
    for (const t of slow) {
      expect(t.log).toEqual(['failed 408 Sender too slow while others wait']);
      expect(t.request.done).toBe(true);
    }
    // What they still send is dropped, and queues nothing.
    expect(scheduler.push(slow[0]!.request, Buffer.alloc(READ_BYTES))).toBe(true);
    expect(scheduler.queuedBytes).toBe(0);
    expect(scheduler.push(request, Buffer.alloc(100, 0x61))).toBe(true);
    scheduler.end(request, '$');
    // Held for a moment within forward(), then resumed: it never failed.
    expect(waiting.log.filter((line) => line.startsWith('failed'))).toEqual([]);
  });

  it('keeps the senders that read fast enough, and judges none before graceMs', () => {
    const { clock, scheduler } = setup();
    const slow = tricklers(scheduler);
    // One of them is fast: 64 KiB more in 3 s is over 16 KiB/s.
    scheduler.push(slow[0]!.request, Buffer.alloc(READ_BYTES / 2));
    scheduler.push(slow[0]!.request, Buffer.alloc(READ_BYTES / 2));
    clock.now += 1000;
    const early = scheduler.forward(send(100), recorder().events);
    expect(early.held).toBe(true);
    expect(slow.every((t) => t.log.length === 0)).toBe(true);
    clock.now += 2000;
    const late = scheduler.forward(send(100), recorder().events);
    // The three slow ones make way for the first held; the fast one keeps its place.
    expect(slow[0]!.log).toEqual([]);
    for (const t of slow.slice(1)) expect(t.log).toHaveLength(1);
    expect(early.held).toBe(false);
    expect(late.held).toBe(false);
  });

  it('evicts nobody while nobody waits, however slow', () => {
    const { clock, scheduler } = setup();
    const { log, events } = recorder();
    const request = scheduler.forward(send(1_000_000), events);
    for (let i = 0; i < 10; i++) {
      clock.now += 10_000;
      expect(scheduler.push(request, Buffer.alloc(1, 0x74))).toBe(true);
    }
    expect(log).toEqual([]);
    expect(request.done).toBe(false);
  });
});
