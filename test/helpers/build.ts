// Tests that run the bins run dist/: they build the workspace first, as `pnpm install`
// (prepare) does, so that the sources under test are what runs.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `tsc -b` of the whole workspace (incremental: quick when nothing changed). */
export async function buildWorkspace(): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b'],
    {
      cwd: ROOT,
    },
  );
}
