// Runs the msrp-relay command from source (tsx), as the command tests do.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const tsx = join(root, 'node_modules/.bin/tsx');
/** tsx's arguments that run the command, before its own. */
export const RELAY_COMMAND = ['--conditions=source', 'packages/msrp-relay/src/cli/msrp-relay.ts'];

/** Runs `msrp-relay ...args` to its exit, with `stdin` and `env`; its exit code and output. */
export function runRelay(
  args: readonly string[],
  { stdin, env }: { stdin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      tsx,
      [...RELAY_COMMAND, ...args],
      { cwd: root, ...(env && { env: { ...process.env, ...env } }) },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
    child.stdin!.end(stdin);
  });
}
