#!/usr/bin/env -S node --max-semi-space-size=2
// The `msrp` command's launcher: runs the compiled entry in dist/. It is committed JavaScript
// so that the bin exists as soon as the package is installed; dist/ comes from `tsc -b`,
// which `pnpm install` runs as the workspace's prepare script.
// The shebang caps V8's young generation (semi-spaces) at 2 MiB: under a file transfer it
// otherwise grows to 16 MiB each and adds ~20 MiB of RSS, and the smaller one costs less CPU
// too (issue 12). It is a node flag, only read at start (v8.setFlagsFromString has no effect
// then); npm's and pnpm's bin shims copy it from here. `node bin/...js` runs without it.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const entry = new URL('../dist/msrp.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    `msrp: not built: ${fileURLToPath(entry)} is missing; run \`npx -y pnpm@10 build\` ` +
      `(tsc -b) in the repository root\n`,
  );
  process.exit(1);
}
// `pnpm msrp ...` runs in the workspace root; pnpm says in INIT_CWD where the user was, and
// the paths they typed (--file ./x) are relative to that.
if (process.env.npm_lifecycle_event === 'msrp' && process.env.INIT_CWD) {
  process.chdir(process.env.INIT_CWD);
}
await import(entry.href);
