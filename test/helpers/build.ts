// Tests that run the bins run dist/: they build the workspace first, as `pnpm install`
// (prepare) does, so that the sources under test are what runs.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `pnpm build`: `tsc -b` of the whole workspace (incremental: quick when nothing changed). */
export async function buildWorkspace(): Promise<void> {
  await build([]);
}

/** `pnpm build` with `tsc -b --force`: everything rebuilt (a dist/ deleted by hand). */
export async function rebuildWorkspace(): Promise<void> {
  await build(['--force']);
}

/** tsc, then scripts/bundle.js: the bundles under dist/ that the bins and Node importers run. */
async function build(tscFlags: string[]): Promise<void> {
  const run = (args: string[]) => promisify(execFile)(process.execPath, args, { cwd: ROOT });
  await run([join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', ...tscFlags]);
  await run([join(ROOT, 'scripts/bundle.js')]);
}
