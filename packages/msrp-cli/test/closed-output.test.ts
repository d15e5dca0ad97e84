// `msrp` whose reader went away: `msrp send --json | head -1`, `msrp listen 2>&1 >log | grep
// -m1 connected`. A closed pipe is no stack trace, and it must not cut a transfer short with
// exit 0 (send), nor end a listener with exit 1 at its next status line.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { start, tempDir } from './cli-process.js';

const LISTEN_URI = 'msrp://127.0.0.1:0/closed;tcp';

describe('a command whose output pipe is closed', () => {
  it('send --json | head -1: the file still goes through whole, and the exit code says so', async ({
    expect,
    onTestFinished,
  }) => {
    const dir = await tempDir(onTestFinished, 'msrp-closed-out-');
    const bytes = randomBytes(4 * 1024 * 1024);
    await writeFile(join(dir, 'data.bin'), bytes);
    const listener = start(onTestFinished, [
      'listen',
      '--uri',
      LISTEN_URI,
      '--out',
      join(dir, 'out'),
      '--json',
    ]);
    const [, uri] = await listener.waitFor('stdout', /"uri":"([^"]+)"/);
    // Small chunks: the transfer is under way when the next progress line meets the closed pipe.
    const sender = start(onTestFinished, [
      'send',
      '--to',
      uri!,
      '--file',
      join(dir, 'data.bin'),
      '--chunk-size',
      '1k',
      '--json',
    ]);
    await sender.waitFor('stdout', /"event":"connected"/);
    // What `head -1` does after its line: the read end of the pipe closes.
    sender.child.stdout!.destroy();
    expect(await sender.exited).toEqual({ code: 0, signal: null });
    expect(sender.stderr).toBe('');
    const [line] = await listener.waitFor('stdout', /^\{"event":"(file|error)".*$/m);
    const event = JSON.parse(line) as { event: string; path: string; hashMatches: boolean };
    expect(event).toMatchObject({ event: 'file', bytes: bytes.length, hashMatches: true });
    const stored = await readFile(event.path);
    expect(createHash('sha256').update(stored).digest('hex')).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );
  });

  it('listen with its stderr closed goes on receiving, and exits 0 on SIGTERM', async ({
    expect,
    onTestFinished,
  }) => {
    const listener = start(onTestFinished, ['listen', '--uri', LISTEN_URI]);
    const [, uri] = await listener.waitFor('stdout', /^listening (\S+)\n/);
    // Its status lines ("connected: ...") now meet a closed pipe.
    listener.child.stderr!.destroy();
    for (const text of ['first', 'second']) {
      const sender = start(onTestFinished, ['send', '--to', uri!, '--text', text]);
      expect(await sender.exited, sender.stderr).toEqual({ code: 0, signal: null });
    }
    await listener.waitFor('stdout', /^first\nsecond$/m);
    expect(listener.running).toBe(true);
    expect(await listener.stop()).toEqual({ code: 0, signal: null });
  });
});
