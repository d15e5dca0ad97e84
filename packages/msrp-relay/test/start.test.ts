// `msrp-relay --help` answers before anything heavy loads (issue 12: under 200 ms; 196 -> 174 ms
// wall on this machine). Timing is too noisy for a test on a shared machine, so these pin the
// causes instead: with the modules made unloadable by a resolve hook, --help and --version still
// work, and the launcher leaves node:v8 unloaded for a help text.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { denyImports } from '../../../test/helpers/deny-imports.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = join(root, 'node_modules/.bin/tsx');
const bin = join(root, 'packages/msrp-relay/bin/msrp-relay.js');

/** Runs `file` with `args` under `runner`, never rejecting: exit code and output. */
async function run(
  runner: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(runner, argv, { cwd: root, env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

describe('msrp-relay start', () => {
  it('--help and --version read no options (node:util) and load no msrp-core at all', async () => {
    const script = 'packages/msrp-relay/src/cli/msrp-relay.ts';
    // The options' module, which brings node:util's parseArgs and msrp-core's URI parser.
    const denied = ['@msrp-ts/msrp-core', '@msrp-ts/msrp-core/uri', '/config.js', 'pino'];
    const args = ['--conditions=source', '--import', denyImports(denied), script];
    for (const help of [['--help'], ['-h'], ['--listen', 'msrp://127.0.0.1:0;tcp', '--help']]) {
      const out = await run(tsx, [...args, ...help]);
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/^Usage: msrp-relay \[options\]\n/);
    }
    const version = await run(tsx, [...args, '--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^msrp-relay \d+\.\d+\.\d+/);
    // The hook does bite: a relay needs its options.
    const start = await run(tsx, [...args, '--listen', 'msrp://127.0.0.1:0;tcp']);
    expect(start.code).not.toBe(0);
    expect(start.stderr).toMatch(/denied \.\/config\.js/);
  });

  it('--help sets no V8 flag and loads neither node:v8 nor parseArgs', async () => {
    // Records what the launcher gives V8 and which of Node's modules were loaded.
    const probe = `data:text/javascript,${encodeURIComponent(
      "import { syncBuiltinESMExports } from 'node:module'; import v8 from 'node:v8';" +
        'const set = v8.setFlagsFromString, seen = [];' +
        'v8.setFlagsFromString = (f) => { seen.push(f); set(f); }; syncBuiltinESMExports();' +
        "const loaded = () => process.moduleLoadList.filter((m) => m === 'NativeModule v8' ||" +
        " m.includes('parse_args'));" +
        'const before = loaded();' +
        "process.on('exit', () => process.stderr.write(JSON.stringify({ seen, loaded: " +
        'loaded().filter((m) => !before.includes(m)) })));',
    )}`;
    // The probe itself loads node:v8, so the v8 flag is what tells the launcher's choice;
    // parseArgs is what the probe does not load.
    const env = { ...process.env, NODE_OPTIONS: `--import=${probe}` };
    const help = await run(process.execPath, [bin, '--help'], env);
    expect(help.stdout).toMatch(/^Usage: msrp-relay /);
    expect(JSON.parse(help.stderr)).toEqual({ seen: [], loaded: [] });
    // A relay does set it, and reads its options (here: an unknown one, exit 2).
    const bad = await run(process.execPath, [bin, '--no-such-option'], env);
    expect(bad.code).toBe(2);
    const lines = bad.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^msrp-relay: Unknown option '--no-such-option'/);
    const ran = JSON.parse(lines.at(-1)!) as { seen: string[]; loaded: string[] };
    expect(ran.seen).toEqual(['--semi-space-growth-factor=1']);
    expect(ran.loaded).toContain('NativeModule internal/util/parse_args/parse_args');
  });
});
