// Runs the msrp-relay command, built (test/global-setup.ts builds the workspace before any
// test file runs): a process starts in ~0.1 s, where tsx compiling the sources took 1-2 s of
// CPU, too much for tests that run several at once beside another test file.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const tsx = join(root, 'node_modules/.bin/tsx');
/** The `msrp-relay` bin, run as a user runs it (its shebang's node flags included). */
export const RELAY_BIN = join(root, 'packages/msrp-relay/bin/msrp-relay.js');

/** Runs `msrp-relay ...args` to its exit, with `stdin` and `env`; its exit code and output. */
export function runRelay(
  args: readonly string[],
  { stdin, env }: { stdin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      RELAY_BIN,
      args,
      { cwd: root, ...(env && { env: { ...process.env, ...env } }) },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
    child.stdin!.end(stdin);
  });
}

/**
 * Runs `msrp-relay ...args` to its exit, for a command expected to refuse its options: one
 * that starts instead is stopped (SIGTERM) as soon as it logs "relay started", and `started`
 * says so. `env` is added to the test's environment.
 */
export async function runToExit(
  args: readonly string[],
  { env }: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; started: boolean; stderr: string }> {
  const child = spawn(RELAY_BIN, args, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(env && { env: { ...process.env, ...env } }),
  });
  let stderr = '';
  let started = false;
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    if (!started && stderr.includes('"msg":"relay started"')) {
      started = true;
      child.kill('SIGTERM');
    }
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, started, stderr };
}
