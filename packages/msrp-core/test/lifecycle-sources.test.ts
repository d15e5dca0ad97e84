// Hunt: a source given to send()/sendFile() is released when the send fails.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { next } from './helpers/inbox.js';
import { loopbackSessionPair } from './helpers/session-pair.js';
import { within } from './helpers/within.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function bigFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-src-'));
  cleanups.push(() => rm(dir, { recursive: true }));
  const path = join(dir, 'big.bin');
  await writeFile(path, new Uint8Array(32 * 1024 * 1024));
  return path;
}

describe.each(['send', 'sendFile'] as const)('%s of a stream when the session closes', (how) => {
  it('a Node Readable is destroyed (its file closed)', async () => {
    const path = await bigFile();
    const { a: sa, b: sb } = await loopbackSessionPair(cleanups);
    const source = createReadStream(path);
    const closed = new Promise<void>((resolve) => source.once('close', () => resolve()));
    const sending = (
      how === 'send' ? sa.send(source) : sa.sendFile(source, { name: 'big.bin' })
    ).catch((e: unknown) => e);
    await next(sb[Symbol.asyncIterator]());
    await sa.close();
    expect(await sending).toMatchObject({ code: 'MSRP_ERR_SESSION' });
    await within(closed, 3000, 'source closed');
  });

  it('an async generator is returned (its finally runs)', async () => {
    const { a: sa, b: sb } = await loopbackSessionPair(cleanups);
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    async function* chunks(): AsyncGenerator<Uint8Array> {
      try {
        for (let i = 0; i < 10_000; i++) yield await Promise.resolve(new Uint8Array(64 * 1024));
      } finally {
        finished();
      }
    }
    const sending = (
      how === 'send' ? sa.send(chunks()) : sa.sendFile(chunks(), { name: 'gen.bin' })
    ).catch((e: unknown) => e);
    await next(sb[Symbol.asyncIterator]());
    await sa.close();
    expect(await sending).toMatchObject({ code: 'MSRP_ERR_SESSION' });
    await within(done, 3000, 'generator finally');
  });

  it('a web ReadableStream is cancelled', async () => {
    const { a: sa, b: sb } = await loopbackSessionPair(cleanups);
    let cancelled!: () => void;
    const cancel = new Promise<void>((resolve) => (cancelled = resolve));
    let n = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (n++ < 10_000) controller.enqueue(new Uint8Array(64 * 1024));
        else controller.close();
      },
      cancel() {
        cancelled();
      },
    });
    const sending = (
      how === 'send' ? sa.send(stream) : sa.sendFile(stream, { name: 'web.bin' })
    ).catch((e: unknown) => e);
    await next(sb[Symbol.asyncIterator]());
    await sa.close();
    expect(await sending).toMatchObject({ code: 'MSRP_ERR_SESSION' });
    await within(cancel, 3000, 'stream cancelled');
  });
});

describe('a stream given to a session that refuses it at once', () => {
  it.each(['send', 'sendFile'] as const)('%s: a Node Readable is destroyed', async (how) => {
    const path = await bigFile();
    const { a: sa } = await loopbackSessionPair(cleanups);
    await sa.close();
    const source = createReadStream(path);
    const closed = new Promise<void>((resolve) => source.once('close', () => resolve()));
    const sending = how === 'send' ? sa.send(source) : sa.sendFile(source, { name: 'big.bin' });
    await expect(sending).rejects.toMatchObject({ code: 'MSRP_ERR_SESSION' });
    await within(closed, 3000, 'source closed');
  });
});

describe('a stream whose send is aborted before it starts', () => {
  it.each(['send', 'sendFile'] as const)('%s: a Node Readable is destroyed', async (how) => {
    const path = await bigFile();
    const { a: sa } = await loopbackSessionPair(cleanups);
    const source = createReadStream(path);
    const closed = new Promise<void>((resolve) => source.once('close', () => resolve()));
    const signal = AbortSignal.abort();
    const sending =
      how === 'send' ? sa.send(source, { signal }) : sa.sendFile(source, { name: 'b', signal });
    await expect(sending).rejects.toMatchObject({ code: 'MSRP_ERR_ABORTED' });
    await within(closed, 3000, 'source closed');
  });
});
