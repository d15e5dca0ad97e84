// `msrp send --name`: the name travels in the head of every chunk (Content-Disposition), and a
// peer takes 16 KiB of headers. A 20 000-character name connected, sent the file and failed
// with the peer's "400 Header block larger than 16384 bytes" (exit 1); it is a usage error now,
// before connecting, that says how long a name may be, and a name of that length goes through.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { start, tempDir } from './cli-process.js';

it('a --name too long for the head of a chunk is a usage error; the longest one allowed is delivered', async ({
  onTestFinished,
}) => {
  const dir = await tempDir(onTestFinished, 'msrp-send-name-');
  const file = join(dir, 'doc.txt');
  await writeFile(file, 'hello\n');
  const listener = start(onTestFinished, [
    'listen',
    '--uri',
    'msrp://127.0.0.1:0/names;tcp',
    '--out',
    join(dir, 'out'),
  ]);
  const [, uri] = await listener.waitFor('stdout', /^listening (\S+)\n/);
  const send = (name: string): ReturnType<typeof start> =>
    start(onTestFinished, ['send', '--to', uri!, '--file', file, '--name', name]);

  const long = send(`${'n'.repeat(20_000)}.txt`);
  expect((await long.exited).code, long.stderr).toBe(2);
  const [, max] =
    /^msrp send: --name: the file name is 20004 bytes long \(UTF-8\), and at most (\d+) fit in the Content-Disposition header that carries it \(a peer takes 16384 bytes of headers\) \(see msrp send --help\)\n$/.exec(
      long.stderr,
    ) ?? [long.stderr];
  // Refused before connecting: the listener never saw it.
  expect(listener.stderr).not.toMatch(/connected/);

  const longest = send(`${'n'.repeat(Number(max) - 4)}.txt`);
  expect((await longest.exited).code, longest.stderr).toBe(0);
  expect(longest.stdout).toMatch(/^delivered n+\.txt: 6 bytes /);
  await listener.waitFor('stdout', /^saved \S+\.txt \(6 bytes, /m);
}, 30_000);
