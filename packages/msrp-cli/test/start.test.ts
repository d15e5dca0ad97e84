// `msrp --help` and `msrp-relay --help` answer before any library loads (issue 12: under
// 200 ms). Timing is too noisy for a test on a shared machine, so this pins the cause instead:
// with the heavy modules made unloadable by a resolve hook, --help and --version still work.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { denyImports } from '../../../test/helpers/deny-imports.js';
import { entry, root, tsx } from './cli-process.js';

async function run(
  script: string,
  args: readonly string[],
  denied: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    tsx,
    ['--conditions=source', '--import', denyImports(denied), script, ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

describe('start time', () => {
  it('msrp --help and --version load no command module and not msrp-core', async () => {
    const denied = ['@msrp-ts/msrp-core', '/send.js', '/listen.js', '/chat.js', '/sdp.js'];
    const help = await run(entry, ['--help'], denied);
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: msrp <command>/);
    const version = await run(entry, ['--version'], denied);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^msrp \d+\.\d+\.\d+/);
    // The hook does bite: a command needs the library.
    const send = await run(entry, ['send', '--help'], ['@msrp-ts/msrp-core']);
    expect(send.code).toBe(1);
    expect(send.stderr).toMatch(/denied @msrp-ts\/msrp-core/);
  });

  it('msrp-relay --help loads neither the relay, pino nor all of msrp-core', async () => {
    const script = 'packages/msrp-relay/src/cli/msrp-relay.ts';
    // Only the URI module of msrp-core (its ./uri subpath) is allowed.
    const help = await run(script, ['--help'], ['@msrp-ts/msrp-core', 'pino', '/relay.js']);
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: msrp-relay/);
  });
});

describe('node flags of the bins', () => {
  // Issue 12 (memory): under a transfer the young generation grows to 16 MiB semi-spaces and
  // promoted garbage grows the old one; the bins cap both with node flags in their shebang,
  // which shims copy and the kernel runs.
  // `msrp` frees dead ArrayBuffers (socket reads, file pieces) at the scavenge that found them
  // rather than in a background task that lags under load (bench transfer: receiver -4.7 MiB).
  // The relay also collects on its main thread only: under CPU contention, parallel
  // scavenges waited for their helper threads (bench relay-active: GC 14-17 % of the run).
  it.each([
    [
      'packages/msrp-cli/bin/msrp.js',
      [
        '--max-semi-space-size=1',
        '--heap-growing-percent=20',
        '--no-concurrent-array-buffer-sweeping',
      ],
    ],
    [
      'packages/msrp-relay/bin/msrp-relay.js',
      ['--max-semi-space-size=1', '--heap-growing-percent=20', '--single-threaded-gc'],
    ],
  ])('%s runs with its memory flags when executed', async (bin, flags) => {
    // The probe reports the flags node started with (NODE_OPTIONS adds it, not the flag).
    const probe = `data:text/javascript,${encodeURIComponent(
      "process.on('exit', () => process.stderr.write(JSON.stringify(process.execArgv)));",
    )}`;
    const { stdout, stderr } = await promisify(execFile)(join(root, bin), ['--version'], {
      env: { ...process.env, NODE_OPTIONS: `--import=${probe}` },
    });
    expect(stdout).toMatch(/^msrp(-relay)? \d+\.\d+\.\d+/);
    expect(JSON.parse(stderr)).toEqual(expect.arrayContaining(flags));
  });
});
