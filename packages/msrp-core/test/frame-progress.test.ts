// Connection frameTimeout: a push's frames are timed once, not once per head and body piece
// (a clock read costs ~70 ns here, ~2 per chunk before: 4 % of a receiver's CPU per chunk).
import { afterEach, expect, it, vi } from 'vitest';
import { type ByteStream, type MsrpError } from '../src/index.js';
import { Connection, type ConnectionHandler } from '../src/internal.js';
import { memoryPair } from './helpers/memory-pair.js';
import { sendFrame } from './helpers/send-frame.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A handler that counts frames and records protocol errors. */
class Counter implements ConnectionHandler {
  ends = 0;
  errors: MsrpError[] = [];
  head(): void {}
  body(): boolean {
    return true;
  }
  end(): void {
    this.ends++;
  }
  protocolError(error: MsrpError): void {
    this.errors.push(error);
  }
  closed(): void {}
}

function send(size: number): Uint8Array {
  return Buffer.concat(sendFrame(size));
}

function connected(frameTimeout: number): { peer: ByteStream; handler: Counter } {
  const [ours, peer] = memoryPair();
  const handler = new Counter();
  const c = new Connection(ours, handler, { frameTimeout });
  cleanups.push(() => c.destroy());
  return { peer, handler };
}

/** Waits (real microtasks and timers) until `done`, at most `ms`. */
async function until(done: () => boolean, ms = 2000): Promise<void> {
  const limit = Date.now() + ms;
  while (!done()) {
    if (Date.now() > limit) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

it('reads the clock about once per push for its frameTimeout, however many frames it holds', async () => {
  const { peer, handler } = connected(30_000);
  const frames = Array.from({ length: 64 }, () => send(100));
  // Cut inside the last frame's body: the push ends in a frame, whose deadline then runs.
  const wire = Buffer.concat(frames);
  const clock = vi.spyOn(performance, 'now');
  peer.write([wire.subarray(0, wire.length - 20)]);
  await until(() => handler.ends === 63);
  // The wheel reads it to place the deadline, the deadline to time the progress.
  expect(clock.mock.calls.length).toBeLessThanOrEqual(3);
  peer.write([wire.subarray(wire.length - 20)]);
  await until(() => handler.ends === 64);
  expect(handler.errors).toEqual([]);
});

it('still times out a frame that stops making progress after a push of whole frames', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  const { peer, handler } = connected(200);
  const frame = send(100);
  const body = Buffer.from(frame).indexOf('\r\n\r\n') + 4;
  // Three whole frames and the start of a fourth, then nothing.
  peer.write([Buffer.concat([frame, send(100), send(100), frame.subarray(0, body + 10)])]);
  await vi.advanceTimersByTimeAsync(1);
  expect(handler.ends).toBe(3);
  await vi.advanceTimersByTimeAsync(150);
  expect(handler.errors).toEqual([]);
  // Progress on the fourth frame's body: its deadline starts again from here.
  peer.write([frame.subarray(body + 10, body + 50)]);
  await vi.advanceTimersByTimeAsync(150);
  expect(handler.errors).toEqual([]);
  await vi.advanceTimersByTimeAsync(100);
  expect(handler.errors.map((e) => e.code)).toEqual(['MSRP_ERR_FRAME_TIMEOUT']);
});
