// A failed `msrp send` closes its connection before it exits. It exited while the socket still
// drained (the listener's 413s to the chunks in flight unread): the kernel reset it, and the
// listener logged "disconnected: the peer reset the connection", which an operator reads as a
// network fault. Now the listener sees the sender's FIN: "disconnected", nothing more.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { start, tempDir } from './cli-process.js';

it('a send refused mid-way (413, chunks in flight) leaves the listener a clean close', async ({
  onTestFinished,
}) => {
  const dir = await tempDir(onTestFinished, 'msrp-failed-close-');
  const source = join(dir, 'big.bin');
  await writeFile(source, randomBytes(4 * 1024 * 1024));
  const listener = start(onTestFinished, [
    'listen',
    '--uri',
    'msrp://127.0.0.1:0/small;tcp',
    '--max-size',
    '100k',
    '--out',
    join(dir, 'out'),
  ]);
  const [, uri] = await listener.waitFor('stdout', /^listening (\S+)\n/);
  const sender = start(onTestFinished, ['send', '--to', uri!, '--file', source, '--no-resume']);
  expect((await sender.exited).code, sender.stderr).toBe(1);
  expect(sender.stderr).toMatch(/^msrp send: delivery failed: 413 [^\n]*max-size 102400/);
  const [line] = await listener.waitFor('stderr', /^msrp listen: disconnected.*$/m);
  expect(line).toBe('msrp listen: disconnected');
}, 30_000);
