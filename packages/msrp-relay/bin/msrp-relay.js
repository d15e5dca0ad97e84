#!/usr/bin/env -S node --max-semi-space-size=16 --heap-growing-percent=20 --single-threaded-gc --v8-pool-size=1
// The `msrp-relay` command's launcher: runs the bundled entry in dist/. It is committed JavaScript
// so that the bin exists as soon as the package is installed; dist/ comes from `tsc -b` and
// scripts/bundle.js (`pnpm build`), which `pnpm install` runs as the workspace's prepare
// script. The bundle is a few ES modules where dist/ has ~200: ~7 MiB less RSS (issue 12).
// The shebang's node flags keep memory small (issue 12) and GC pauses short (issue 13):
// - --max-semi-space-size=16: V8's young generation may grow to 16 MiB semi-spaces, but the
//   command holds it at 1 MiB unless its JS heap is over 64 MiB and it is busy (below, and
//   src/young-generation.ts): a few transfers keep their RSS (~20 MiB less), thousands of busy
//   sessions their CPU (GC 17-20 % of the run with 1 MiB semi-spaces, 7-10 % with 16 MiB);
// - --heap-growing-percent=20: the old generation is collected when it grew 20 %, not by V8's
//   default factor (garbage promoted per chunk grows RSS otherwise; with 10,000 sessions V8's
//   factor swung RSS by ~80 MiB for the same GC share);
// - --single-threaded-gc: with 1000 active sessions on a busy 2-core machine, parallel
//   scavenges waited for their helper threads (GC 14-17 % of the wall time, pauses up to 1 s;
//   single-threaded 4 %, up to 66 ms, same CPU);
// - --v8-pool-size=1: one V8 helper thread, not four; each that ran a compile job keeps a
//   malloc arena (the relay's thread arenas at its peak 0.5-0.8 MiB against 2.4-2.6, 1 GiB at
//   8 KiB chunks, CPU per chunk the same).
// Figures, and how to run with other flags: docs/operators.md ("Memory"). They are read at
// start only; npm's and pnpm's bin shims copy them from here; `node bin/...js` runs without them.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

// Before the relay loads: V8 holds its young generation where it is (1 MiB semi-spaces) until
// the relay, large and busy, lets it grow (adaptYoungGeneration in src/young-generation.ts). A
// factor under 2 on node's command line is raised to 2; set as it runs, V8 takes it.
// Not for a help text, which allocates nothing: node:v8 brings ~10 of Node's modules and
// bindings, part of `msrp-relay --help`'s start (issue 12: < 200 ms), as in bin/msrp.js.
const help = process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h');
if (!help) process.getBuiltinModule('node:v8').setFlagsFromString('--semi-space-growth-factor=1');

const entry = new URL('../dist/bundle/msrp-relay.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    `msrp-relay: not built: ${fileURLToPath(entry)} is missing; run \`npx -y pnpm@10 build\` ` +
      `in the repository root\n`,
  );
  process.exit(1);
}
// `pnpm msrp-relay ...` runs in the workspace root; pnpm says in INIT_CWD where the user was, and
// the paths they typed (--users ./users.txt) are relative to that.
if (process.env.npm_lifecycle_event === 'msrp-relay' && process.env.INIT_CWD) {
  process.chdir(process.env.INIT_CWD);
}
await import(entry.href);
