#!/usr/bin/env node
// The `msrp` command's launcher: runs the compiled entry in dist/. It is committed JavaScript
// so that the bin exists as soon as the package is installed; dist/ comes from `tsc -b`,
// which `pnpm install` runs as the workspace's prepare script.
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
