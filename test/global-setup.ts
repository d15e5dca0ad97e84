// Before any test file runs (vitest's globalSetup): build the workspace, as `pnpm install`
// (prepare) and `pnpm build` do, so that the bins and bundles the tests run are the sources
// under test. Once for the whole run: a build inside a test file rewrites the bundles while
// another file, in another worker, runs them ("Cannot find module .../chunk-*.js").
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** One file tsc writes in each package: a dist/ deleted by hand lacks it. */
const BUILT = [
  'msrp-core/dist/index.d.ts',
  'sdp-msrp/dist/index.d.ts',
  'msrp-relay/dist/index.d.ts',
  'msrp-cli/dist/msrp.js',
];

export default async function setup(): Promise<void> {
  const run = (args: string[]) => promisify(execFile)(process.execPath, args, { cwd: ROOT });
  // tsc -b only rebuilds what changed (a second when nothing did), but it trusts its
  // .tsbuildinfo, kept beside dist/, not in it: a dist/ deleted by hand needs --force.
  const present = await Promise.all(
    BUILT.map((file) =>
      access(join(ROOT, 'packages', file)).then(
        () => true,
        () => false,
      ),
    ),
  );
  const force = present.includes(false) ? ['--force'] : [];
  await run([join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', ...force]);
  await run([join(ROOT, 'scripts/bundle.js')]);
}
