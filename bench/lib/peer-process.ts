// What every bench that runs its peers in child processes shares.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is in bench/lib/, or bench/dist/lib/ once built). */
const here = fileURLToPath(import.meta.url);
const root = here.slice(0, here.lastIndexOf('/bench/') + 1);

/** The node flags in the shebang of the bin at `path` (relative to the repository root). */
function shebangFlags(path: string): string[] {
  const first = readFileSync(`${root}${path}`, 'utf8').split('\n')[0]!;
  return first.split(/\s+/).filter((word) => word.startsWith('--'));
}

/** BENCH_FLAGS="..." replaces every bin's flags, to compare flags. */
const override = process.env.BENCH_FLAGS?.split(' ').filter(Boolean);

/**
 * The node flags the `msrp` bin starts with (its shebang), so that a peer's RSS and CPU are
 * what that command uses.
 */
export const BIN_NODE_FLAGS: readonly string[] =
  override ?? shebangFlags('packages/msrp-cli/bin/msrp.js');

/** The node flags the `msrp-relay` bin starts with (its shebang), for relay processes. */
export const RELAY_NODE_FLAGS: readonly string[] =
  override ?? shebangFlags('packages/msrp-relay/bin/msrp-relay.js');

/**
 * Node flags for a bench peer process: `flags` ({@link BIN_NODE_FLAGS} unless given), then a
 * CPU profile of the process, named `name-<time>.cpuprofile`, written into BENCH_PROFILE=DIR
 * when it is set.
 */
export function profileArgv(name: string, flags = BIN_NODE_FLAGS): string[] {
  const profile = process.env.BENCH_PROFILE;
  return profile
    ? [
        ...flags,
        '--cpu-prof',
        `--cpu-prof-dir=${profile}`,
        `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`,
      ]
    : [...flags];
}

/** Resolves once every child has exited. */
export async function finish(...children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (c) => {
      if (c.exitCode === null) await once(c, 'exit');
    }),
  );
}
