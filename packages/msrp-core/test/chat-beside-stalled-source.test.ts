// Issue 12 (chat beside a file), with a stream that stops giving bytes for a while (a live
// feed, a pipe): a chat line sent on the same session goes while the stream waits, not once
// it gives its next piece; the stream, released, still arrives whole.
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { ByteSource, IncomingMessage } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { loopbackSessionPair } from './helpers/session-pair.js';
import { within } from './helpers/within.js';

const KiB = 1024;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A source that gives `before`, waits until `release()`, then gives `after` and ends. */
interface Gated {
  source: ByteSource;
  release(): void;
}

function gatedGenerator(before: Uint8Array, after: Uint8Array): Gated {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  async function* pieces(): AsyncGenerator<Uint8Array> {
    yield before;
    await gate;
    yield after;
  }
  return { source: pieces(), release };
}

function gatedWebStream(before: Uint8Array, after: Uint8Array): Gated {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let pulls = 0;
  const source = new ReadableStream<Uint8Array>({
    async pull(controller) {
      pulls++;
      if (pulls === 1) controller.enqueue(before);
      else if (pulls === 2) {
        await gate;
        controller.enqueue(after);
      } else controller.close();
    },
  });
  return { source, release };
}

function gatedNodeStream(before: Uint8Array, after: Uint8Array): Gated {
  const source = new PassThrough();
  source.write(before);
  return { source, release: () => source.end(after) };
}

const gatedSources = {
  generator: gatedGenerator,
  'web stream': gatedWebStream,
  'Node stream': gatedNodeStream,
};

/** Reads a streamed message: its first part now, the rest on `rest()`. */
async function firstPart(message: IncomingMessage): Promise<{ rest(): Promise<Buffer> }> {
  const parts = message.stream![Symbol.asyncIterator]();
  const first = await parts.next();
  expect(first.done).toBe(false);
  const got: Uint8Array[] = [first.value as Uint8Array];
  return {
    async rest() {
      for (let step = await parts.next(); !step.done; step = await parts.next()) {
        got.push(step.value);
      }
      return Buffer.concat(got);
    },
  };
}

/** The source's kind, whether `size` declares its size, KiB before the stall, chunk size. */
type Variant = [keyof typeof gatedSources, 'known' | 'unknown', number, number];

// 10 KiB stalls inside the chunk grid, 16 and 24 KiB on a boundary of 8 KiB chunks.
const variants: Variant[] = [
  ['generator', 'unknown', 10, 8192],
  ['generator', 'unknown', 24, 8192],
  ['generator', 'known', 10, 8192],
  ['generator', 'known', 16, 8192],
  ['web stream', 'unknown', 10, 1024],
  ['web stream', 'known', 10, 1024],
  ['Node stream', 'unknown', 10, 8192],
  ['Node stream', 'known', 16, 8192],
];

describe('a chat line beside a stream that stalls', () => {
  it.each(variants)(
    'a %s of %s size stalled after %i KiB, chunks of %i bytes: the line arrives meanwhile',
    async (kind, size, kib, chunkSize) => {
      // B streams the message from its first bytes, so that the test sees them arrive.
      const { a, b } = await loopbackSessionPair(
        cleanups,
        { inMemoryThreshold: 1024 },
        { session: { chunkSize } },
      );
      const inB = b[Symbol.asyncIterator]();
      const before = randomBytes(kib * KiB);
      const after = randomBytes(5 * KiB);
      const gated = gatedSources[kind](before, after);
      const total = before.length + after.length;
      const streaming = a.send(gated.source, size === 'known' ? { size: total } : {});
      streaming.catch(() => undefined); // awaited below; a failure must not go unhandled first

      const message = await next(inB);
      const reading = await within(firstPart(message), 3000, 'first bytes of the stream at B');

      const line = a.send('hello');
      line.catch(() => undefined); // awaited below, after the line arrived
      const chat = await next(inB, 3000);
      expect(chat.text()).toBe('hello');
      await within(line, 3000, "the line's delivery");

      gated.release();
      const received = await within(reading.rest(), 3000, 'the rest of the stream');
      expect(Buffer.compare(received, Buffer.concat([before, after]))).toBe(0);
      expect((await within(streaming, 3000, "the stream's delivery")).bytes).toBe(total);
    },
  );
});
