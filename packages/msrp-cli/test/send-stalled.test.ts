// `msrp send --file` to a listener that stops answering mid-way (stopped: SIGSTOP) exits 4, as
// send --help says a stalled transfer does, and the same command run again sends only the rest.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PartStore } from '../src/part-store.js';
import { start, tempDir } from './cli-process.js';

const SIZE = 2 * 1024 * 1024;
const HELD = 512 * 1024;
/** The file's modification time, as the sender's offer writes it (RFC 5322, seconds). */
const MODIFIED = new Date('2026-11-30T02:30:16Z');

it('a transfer stalled by a stopped listener exits 4, and running it again resumes it', async ({
  onTestFinished,
}) => {
  const dir = await tempDir(onTestFinished, 'msrp-stalled-');
  const out = join(dir, 'out');
  await mkdir(out);
  const file = join(dir, 'doc.bin');
  const bytes = randomBytes(SIZE);
  await writeFile(file, bytes);
  await utimes(file, MODIFIED, MODIFIED);
  // The part of an earlier broken transfer: the listener asks for the rest at once, and says so.
  const part = await new PartStore(out).prepare('doc.bin', {
    transferId: 'an-earlier-transfer',
    name: 'doc.bin',
    size: SIZE,
    modified: MODIFIED.toUTCString().replace(/GMT$/, '+0000'),
  });
  await writeFile((await part!.open()).partPath, bytes.subarray(0, HELD));

  const listener = start(onTestFinished, [
    'listen',
    '--uri',
    'msrp://127.0.0.1:0/stalled;tcp',
    '--out',
    out,
  ]);
  // Should the test fail while the listener is stopped: it acts on SIGTERM only once continued.
  onTestFinished(() => void listener.child.kill('SIGCONT'));
  const [, uri] = await listener.waitFor('stdout', /^listening (\S+)\n/);
  const send = ['send', '--to', uri!, '--file', file];

  const stalled = start(onTestFinished, [...send, '--timeout', '1000']);
  await listener.waitFor('stderr', /^msrp listen: resuming doc\.bin at byte /m);
  listener.child.kill('SIGSTOP');
  expect((await stalled.exited).code, stalled.stderr).toBe(4);
  // Stopped as it answered, the listener's answer may have reached the sender (which then says
  // it resumes) or not: either way the transfer stalls.
  expect(stalled.stderr).toMatch(
    /^(msrp send: resuming doc\.bin at byte \d+ of \d+\n)?msrp send: delivery timed out: [^\n]*within 1000 ms[^\n]*; run the same command again to send the rest\n$/,
  );
  listener.child.kill('SIGCONT');

  const again = start(onTestFinished, send);
  expect((await again.exited).code, again.stderr).toBe(0);
  expect(again.stdout).toMatch(/^delivered doc\.bin: \d+ bytes .*\(resumed at byte \d+: /);
  await listener.waitFor('stdout', /^saved \S+doc\.bin \(\d+ bytes, .*hash matched, resumed/m);
  expect((await readFile(join(out, 'doc.bin'))).equals(bytes)).toBe(true);

  // What send --help says of it.
  const help = start(onTestFinished, ['send', '--help']);
  await help.exited;
  expect(help.stdout.replace(/\s+/g, ' ')).toContain(
    "A broken transfer exits 3 (connection lost, or the peer's session closed under it), 4 (stalled: no response within --timeout, e.g. the listener stopped) or 130 (interrupted): run the same command again to send the rest.",
  );
}, 60_000);
