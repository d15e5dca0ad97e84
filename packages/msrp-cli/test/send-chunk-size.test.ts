// `msrp send --file`'s chunks, seen on the wire through a tapping proxy: 64 KiB straight to
// an `msrp listen` that answered the offer (no relay to cap them), 8 KiB to a peer not known
// to be one (here: no offer made), and --chunk-size's whenever it is given.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { MsrpTap } from '../../../bench/lib/msrp-tap.js';
import { start, tempDir } from './cli-process.js';

const SIZE = 300 * 1024;

/** Body sizes of the chunks of the file that `msrp send ARGS` sent whole, in order. */
async function fileChunkSizes(finished: Parameters<typeof start>[0], args: string[]) {
  const dir = await tempDir(finished, 'msrp-send-chunks-');
  const file = join(dir, 'f.bin');
  await writeFile(file, randomBytes(SIZE));
  const listener = start(finished, [
    'listen',
    '--uri',
    'msrp://127.0.0.1:0/chunks;tcp',
    '--out',
    join(dir, 'out'),
    '--match-session-id', // the sender addresses the proxy
  ]);
  const [, uri] = await listener.waitFor('stdout', /^listening (\S+)\n/);
  const tap = await new MsrpTap(Number(/:(\d+)\//.exec(uri!)![1])).listen();
  finished(() => tap.close());
  const to = uri!.replace(/:\d+\//, `:${tap.port}/`);
  const send = start(finished, ['send', '--to', to, '--file', file, ...args]);
  expect((await send.exited).code, send.stderr).toBe(0);
  await listener.waitFor('stdout', /^saved \S+f\.bin \(307200 bytes, /m);
  return tap.chunks
    .filter((c) => c.direction === 'out' && c.total === SIZE)
    .map((c) => c.bodyBytes);
}

it('sends a file to an msrp listen in 64 KiB chunks, with no offer in 8 KiB', async ({
  onTestFinished,
}) => {
  expect(await fileChunkSizes(onTestFinished, [])).toEqual([65536, 65536, 65536, 65536, 45056]);
  const unknown = await fileChunkSizes(onTestFinished, ['--no-resume']);
  expect(unknown).toHaveLength(38);
  expect(new Set(unknown.slice(0, -1))).toEqual(new Set([8192]));
}, 30_000);

it('sends in the chunks --chunk-size gives, to an msrp listen as well', async ({
  onTestFinished,
}) => {
  const sizes = await fileChunkSizes(onTestFinished, ['--chunk-size', '100k']);
  // A chunk may end early where the file's read pieces do, never later.
  expect(Math.max(...sizes)).toBe(102400);
  expect(sizes.reduce((a, b) => a + b)).toBe(SIZE);
}, 30_000);
