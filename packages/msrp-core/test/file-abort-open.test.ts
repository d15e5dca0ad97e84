// sendFile(path, { signal }) aborted while the file opens: the send rejects at once, and the
// file that opens after it is closed, not left for the garbage collector (a descriptor per
// aborted send, "Closing file descriptor N on garbage collection").
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { until } from './helpers/socket-pair.js';
import { sessionPair } from './helpers/session-pair.js';
import { cleanups } from './helpers/cleanups.js';

/** File descriptors this process holds open on `path`. */
function openOn(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++;
    } catch {
      // Closed between the listing and the look.
    }
  }
  return n;
}

it.each([
  ['while it opens', false],
  ['before it is called', true],
])('closes the file of a send aborted %s', async (_, early) => {
  const dir = await mkdtemp(join(tmpdir(), 'msrp-abort-open-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'f.bin');
  await writeFile(path, new Uint8Array(1000));
  const { a } = await sessionPair(cleanups);
  const sends = Array.from({ length: 10 }, () => {
    const controller = new AbortController();
    if (early) controller.abort();
    const sent = a.sendFile(path, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort();
    return sent;
  });
  for (const sent of await Promise.all(sends)) {
    expect(sent).toMatchObject({ code: 'MSRP_ERR_ABORTED' });
  }
  // Each file opens after its send rejected, on the thread pool. A send of the same file
  // goes through it after them (stat, open, reads, close), and is delivered: the session
  // goes on. Then none of the files may still be open.
  await expect(a.sendFile(path)).resolves.toMatchObject({ bytes: 1000 });
  await until(() => openOn(path) === 0, 2000, `no descriptor left on ${path}`);
});
