#!/usr/bin/env -S node --max-semi-space-size=1 --heap-growing-percent=20 --no-concurrent-array-buffer-sweeping --v8-pool-size=1
// The `msrp` command's launcher: runs the bundled entry in dist/. It is committed JavaScript
// so that the bin exists as soon as the package is installed; dist/ comes from `tsc -b` and
// scripts/bundle.js (`pnpm build`), which `pnpm install` runs as the workspace's prepare
// script. The bundle is a few ES modules where dist/ has ~200: ~7 MiB less RSS (issue 12).
// The shebang's node flags keep memory small (issue 12): V8's young generation capped at 1 MiB
// semi-spaces (under a transfer they grow to 16 MiB each: ~20 MiB more RSS, ~10 % less CPU),
// and the old generation collected when it grew 20 % rather than by V8's default factor
// (garbage promoted per chunk grew `msrp send` of 512 MiB to 82 MiB; 70 with it, same CPU).
// 1 MiB stays (bench cli, 128 MiB file): 2 MiB semi-spaces gave ~6 MiB more peak RSS per side
// (send 67 -> 72, listen 66 -> 74) for 0-10 % less CPU; 4 MiB and more, ~20 MiB more.
// --single-threaded-gc (the relay's) gave send +4 MiB and no less CPU here; the one part of it
// kept, --no-concurrent-array-buffer-sweeping, frees the socket reads and file pieces a
// scavenge found dead at once instead of in a background task that lags under CPU load (1 GiB
// at 8 KiB chunks, loaded machine, 4 runs each: library receiver 69.7 -> 64.8 MiB, same CPU).
// --v8-pool-size=1: one V8 helper thread, not four: each helper that ran a TurboFan job or a GC
// task keeps a malloc arena of its own (0.5-1 MiB each); 1 GiB, 4 runs each, loaded machine:
// send 66.3-68.4 -> 65.4-66.0, listen 65.9-67.0 -> 64.3-64.9 MiB, CPU within the noise.
// MALLOC_ARENA_MAX=2 would give ~1.5 MiB more, but with it the shebang passes 127 bytes, where
// older kernels cut it (this line is 127).
// They are read at start only; npm's and pnpm's bin shims copy them from here; `node bin/...js`
// runs without them. No flag is set as it runs: --minor-gc-task-trigger=40 was, for the socket
// reads waiting for a scavenge, until connections read into buffers used again (msrp-core's
// node/read-buffers.ts); without it, listen's peak RSS is the same and small messages go
// 9-17 % faster.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const entry = new URL('../dist/msrp.bundle.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    `msrp: not built: ${fileURLToPath(entry)} is missing; run \`npx -y pnpm@10 build\` ` +
      `in the repository root\n`,
  );
  process.exit(1);
}
// `pnpm msrp ...` runs in the workspace root; pnpm says in INIT_CWD where the user was, and
// the paths they typed (--file ./x) are relative to that.
if (process.env.npm_lifecycle_event === 'msrp' && process.env.INIT_CWD) {
  process.chdir(process.env.INIT_CWD);
}
await import(entry.href);
