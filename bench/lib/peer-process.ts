// What every bench that runs its peers in child processes shares.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is in bench/lib/, or bench/dist/lib/ once built). */
const here = fileURLToPath(import.meta.url);
const root = here.slice(0, here.lastIndexOf('/bench/') + 1);

/**
 * The node flags of the bin at `path` (relative to the repository root), from its shebang,
 * given to a bench peer on its command line.
 */
function binFlags(path: string): string[] {
  const shebang = readFileSync(`${root}${path}`, 'utf8').split('\n')[0]!;
  return shebang.split(/\s+/).filter((word) => word.startsWith('--'));
}

/** BENCH_FLAGS="..." replaces every bin's flags, to compare flags. */
const override = process.env.BENCH_FLAGS?.split(' ').filter(Boolean);

/**
 * The node flags the `msrp` bin runs with, so that a peer's RSS and CPU are what that command
 * uses (and what docs/operators.md, "Memory", tells an application embedding msrp-core to use).
 */
export const BIN_NODE_FLAGS: readonly string[] =
  override ?? binFlags('packages/msrp-cli/bin/msrp.js');

/** BENCH_RELAY_FLAGS="..." replaces the relay's flags only (BENCH_FLAGS every bin's). */
const relayOverride = process.env.BENCH_RELAY_FLAGS?.split(' ').filter(Boolean) ?? override;

/**
 * The node flags the `msrp-relay` bin runs with, for relay processes, and what its launcher does
 * before it loads the relay: V8's young generation held (hold-young-generation.ts, imported
 * first; set in the peer's own code it came after its modules were parsed, with the young
 * generation grown).
 */
export const RELAY_NODE_FLAGS: readonly string[] = relayOverride ?? [
  ...binFlags('packages/msrp-relay/bin/msrp-relay.js'),
  `--import=${new URL('./hold-young-generation.js', import.meta.url).href}`,
];

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
