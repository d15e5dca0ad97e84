// saveTo (and receiveBlob) on a streamed message whose stream was already read, or is being
// read by another saveTo: the stream is consumed once, so the second call read nothing, or half,
// and resolved with an empty (or partial) file, telling only through hashMatches (undefined when
// no hash was announced). It is refused now (MSRP_ERR_INVALID_ARGUMENT).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { MsrpError } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { sessionPair } from './helpers/session-pair.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hunt-recv-'));
  cleanups.push(() => rm(dir, { recursive: true }));
  return dir;
}

/** The file holds the whole message, or the call rejected with an MsrpError. */
async function savedWholeOrRefused(
  save: Promise<{ bytes: number }>,
  path: string,
  data: Uint8Array,
): Promise<void> {
  const outcome: { bytes: number } | Error = await save.then(
    (saved) => saved,
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  );
  if (outcome instanceof Error) {
    expect(outcome).toBeInstanceOf(MsrpError);
    return;
  }
  expect(outcome.bytes).toBe(data.length);
  expect((await readFile(path)).equals(data)).toBe(true);
}

it('a second saveTo of a streamed message saves it whole or rejects, not an empty file', async () => {
  const dir = await tempDir();
  const { a, b } = await sessionPair(cleanups, { receiver: { inMemoryThreshold: 1000 } });
  const inbox = b[Symbol.asyncIterator]();
  const data = new Uint8Array(50_000).fill(7);
  // send(), not sendFile(): no File-Hash, so hashMatches cannot tell either.
  const sent = a.send(data);
  const m = await next(inbox);
  expect(m.stream).toBeDefined();
  const first = await m.saveTo(join(dir, '1.bin'));
  await sent;
  expect(first.bytes).toBe(data.length);
  const path = join(dir, '2.bin');
  // Now: resolves { bytes: 0, hashMatches: undefined } and 2.bin is empty.
  await savedWholeOrRefused(m.saveTo(path), path, data);
});

it('two saveTo at once of a streamed message do not each save a part of it', async () => {
  const dir = await tempDir();
  const { a, b } = await sessionPair(cleanups, { receiver: { inMemoryThreshold: 1000 } });
  const inbox = b[Symbol.asyncIterator]();
  const data = new Uint8Array(500_000).fill(7);
  const sent = a.send(data);
  const m = await next(inbox);
  const p1 = join(dir, '1.bin');
  const p2 = join(dir, '2.bin');
  // Now both resolve, 1.bin and 2.bin holding interleaved parts of the message.
  const s1 = m.saveTo(p1);
  const s2 = m.saveTo(p2);
  await savedWholeOrRefused(s1, p1, data);
  await savedWholeOrRefused(s2, p2, data);
  await sent;
});
