// `msrp send --file -` from a pipe, run as a user runs it from a clone (`pnpm install` links
// node_modules/.bin/msrp). The tests' processes inherit NODE_PATH from pnpm's vitest shim,
// node_modules/.pnpm/node_modules (every package hoisted), which hid what failed here: a plain
// fstat of the pipe (nodejs/node#51142) left mime-types loaded from its symlink, where it could
// not find mime-db. A user's shell has no NODE_PATH, so the sender is spawned without it.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { bin, root, start, tempDir } from './cli-process.js';

/** The environment of a user's shell: no NODE_PATH from the test runner. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_PATH;
  return env;
}

describe('msrp send --file - from a pipe', () => {
  // send --help: "--file PATH ... - reads standard input to its end (a pipe: size unknown,
  // never resumed)". `tar c dir | msrp send --file - --name dir.tar` must deliver, exit 0.
  it('delivers piped standard input (exit 0), not "Cannot find module \'mime-db\'"', async () => {
    const out = await tempDir(onTestFinished, 'msrp-stdin-pipe-');
    const listener = start(onTestFinished, [
      'listen',
      '--uri',
      'msrp://127.0.0.1:0/pipe;tcp',
      '--out',
      out,
    ]);
    const [, uri] = await listener.waitFor('stdout', /^listening (\S+)\n/, 20_000);

    const sender = spawn(bin, ['send', '--to', uri!, '--file', '-', '--name', 'piped.txt'], {
      cwd: root,
      env: userEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      if (sender.exitCode === null && sender.signalCode === null) sender.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    sender.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    sender.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    sender.stdin.on('error', () => undefined);
    const exited = new Promise<number | null>((resolve) => sender.on('close', resolve));
    sender.stdin.end('hello through a pipe\n');

    const code = await exited;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^delivered piped\.txt: 21 bytes/);
    await listener.waitFor('stdout', /^saved \S+piped\.txt \(21 bytes/m, 10_000);
    expect(await readFile(join(out, 'piped.txt'), 'utf8')).toBe('hello through a pipe\n');
  }, 40_000);
});
