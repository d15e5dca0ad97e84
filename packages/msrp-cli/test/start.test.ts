// `msrp --help` and `msrp-relay --help` answer before any library loads (issue 12: under
// 200 ms). Timing is too noisy for a test on a shared machine, so this pins the cause instead:
// with the heavy modules made unloadable by a resolve hook, --help and --version still work.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { denyImports } from '../../../test/helpers/deny-imports.js';
import { entry, root, tempDir, tsx } from './cli-process.js';

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

describe('what msrp listen loads', () => {
  it('listens without mime-types (~3 MiB of RSS), loaded only for a file sent without a name', async ({
    onTestFinished,
  }) => {
    const out = await tempDir(onTestFinished, 'msrp-listen-mime-');
    // The hook refuses `import` of mime-types (it would fail the start); require() passes.
    const child = spawn(
      tsx,
      ['--conditions=source', '--import', denyImports(['mime-types']), entry, 'listen'].concat([
        '--uri',
        'msrp://127.0.0.1:0;tcp',
        '--out',
        out,
      ]),
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // SIGTERM: tsx passes it on to the node process it runs (SIGKILL would orphan that one).
    const exited = once(child, 'close');
    onTestFinished(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const waitFor = async (pattern: RegExp): Promise<RegExpMatchArray> => {
      for (const deadline = Date.now() + 20_000; ;) {
        const match = pattern.exec(stdout);
        if (match) return match;
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`no ${pattern}: ${stdout} ${stderr}`);
        await new Promise((resolve) => {
          child.stdout.once('data', resolve);
          setTimeout(resolve, 200);
        });
      }
    };
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    const uri = (await waitFor(/^listening (\S+)$/m))[1]!;
    const port = Number(/:(\d+)\//.exec(uri)![1]);
    const peer = connect(port, '127.0.0.1');
    onTestFinished(() => void peer.destroy());
    await once(peer, 'connect');
    peer.write(
      `MSRP unnamed1 SEND\r\nTo-Path: ${uri}\r\nFrom-Path: msrp://127.0.0.1:9/p;tcp\r\n` +
        `Message-ID: pic1\r\nByte-Range: 1-4/4\r\nContent-Type: image/png\r\n\r\n` +
        `abcd\r\n-------unnamed1$\r\n`,
    );
    peer.resume();
    await waitFor(/^saved /m);
    expect(await readdir(out)).toEqual(['message-pic1.png']);
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
        '--v8-pool-size=1',
      ],
    ],
    [
      'packages/msrp-relay/bin/msrp-relay.js',
      [
        '--max-semi-space-size=16',
        '--heap-growing-percent=20',
        '--single-threaded-gc',
        '--v8-pool-size=1',
      ],
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
  it.each(['packages/msrp-cli/bin/msrp.js', 'packages/msrp-relay/bin/msrp-relay.js'])(
    "%s's shebang fits in the 127 bytes older kernels read (Linux before 5.1 cut the rest)",
    async (bin) => {
      const first = (await readFile(join(root, bin), 'utf8')).split('\n')[0]!;
      expect(Buffer.byteLength(first)).toBeLessThanOrEqual(127);
    },
  );
  // What a launcher gives V8 as it starts: the probe records the flags it sets.
  const flagsProbe = `data:text/javascript,${encodeURIComponent(
    "import { syncBuiltinESMExports } from 'node:module'; import v8 from 'node:v8';" +
      'const set = v8.setFlagsFromString, seen = [];' +
      'v8.setFlagsFromString = (f) => { seen.push(f); set(f); }; syncBuiltinESMExports();' +
      "process.on('exit', () => process.stderr.write(JSON.stringify(seen)));",
  )}`;
  // msrp's flags are all in its shebang: its launcher leaves node:v8 (30 of Node's modules,
  // ~10 ms of the start) unloaded and sets no flag, for a help text as for the rest (its
  // --minor-gc-task-trigger=40 went with the socket reads that waited for a scavenge).
  it.each(['--help', 'send -h'])(
    'msrp %s sets no V8 flag and loads no node:v8',
    async (command) => {
      const args = command.split(' ');
      const probe = `data:text/javascript,${encodeURIComponent(
        "process.on('exit', () => process.stderr.write(JSON.stringify(" +
          "process.moduleLoadList.includes('NativeModule v8'))));",
      )}`;
      for (const [p, expected] of [
        [flagsProbe, []],
        [probe, false],
      ] as const) {
        const { stdout, stderr } = await promisify(execFile)(
          process.execPath,
          [join(root, 'packages/msrp-cli/bin/msrp.js'), ...args],
          { env: { ...process.env, NODE_OPTIONS: `--import=${p}` } },
        );
        expect(stdout).toMatch(/^Usage: msrp /);
        expect(JSON.parse(stderr)).toEqual(expected);
      }
    },
  );
  // msrp-relay starts with --max-semi-space-size=16 and holds the young generation at its first
  // size before the relay loads (a factor under 2 on node's command line is raised to 2); the
  // relay lets it grow once large and busy (src/young-generation.ts).
  it("msrp-relay holds V8's young generation as it starts", async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(root, 'packages/msrp-relay/bin/msrp-relay.js'), '--version'],
      { env: { ...process.env, NODE_OPTIONS: `--import=${flagsProbe}` } },
    );
    expect(stdout).toMatch(/^msrp-relay \d+\.\d+\.\d+/);
    expect(JSON.parse(stderr)).toEqual(['--semi-space-growth-factor=1']);
  });
});
