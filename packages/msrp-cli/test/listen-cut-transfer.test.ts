// A file that `msrp listen` receives without resume (`send --no-resume`, standard input, another
// implementation's sender) is written as NAME.part and renamed to NAME only once whole and
// checked: a transfer cut short never leaves a truncated file under the name of the complete
// one. The sender here sends standard input, which it holds open, so that the transfer stops
// mid-way for as long as the test needs.
import { readdir } from 'node:fs/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { start, tempDir, type Cli } from './cli-process.js';

/** A listener into a fresh --out, and a sender mid-way through big.bin (chunks confirmed). */
async function midway(): Promise<{ out: string; listener: Cli; sender: Cli }> {
  const out = await tempDir(onTestFinished, 'msrp-cut-');
  const listener = start(onTestFinished, [
    'listen',
    '--uri',
    'msrp://127.0.0.1:0/cut;tcp',
    '--out',
    out,
  ]);
  const [, uri] = await listener.waitFor('stdout', /^listening (\S+)\n/);
  const sender = start(onTestFinished, [
    'send',
    '--to',
    uri!,
    '--file',
    '-',
    '--name',
    'big.bin',
    '--no-resume',
    '--json',
  ]);
  sender.child.stdin!.on('error', () => undefined);
  sender.child.stdin!.write(Buffer.alloc(256 * 1024, 7));
  // The first progress event comes with the first chunk confirmed, which listen confirms only
  // once written (confirmWhenRead): the file is on disk, unfinished.
  await sender.waitFor('stdout', /"event":"progress"/);
  return { out, listener, sender };
}

describe('msrp listen: a transfer cut short', () => {
  it('leaves no file under the final name when the sender is killed mid-way', async () => {
    const { out, listener, sender } = await midway();
    expect(await readdir(out)).toEqual(['big.bin.part']);
    sender.child.kill('SIGKILL');
    await listener.waitFor('stderr', /^msrp listen: receiving big\.bin failed after \d+ bytes/m);
    expect(await readdir(out)).toEqual([]);
  }, 30_000);

  it('leaves only NAME.part when the listener itself is killed mid-way', async () => {
    const { out, listener } = await midway();
    listener.child.kill('SIGKILL');
    await listener.exited;
    expect(await readdir(out)).toEqual(['big.bin.part']);
  }, 30_000);
});
