// What every bench that runs its peers in child processes shares.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * The node flags the `msrp` and `msrp-relay` bins start with (their shebang), so that a
 * peer's RSS and CPU are what those commands use; BENCH_FLAGS="..." replaces them, to
 * compare flags.
 */
export const BIN_NODE_FLAGS: readonly string[] = process.env.BENCH_FLAGS?.split(' ').filter(
  Boolean,
) ?? ['--max-semi-space-size=1', '--heap-growing-percent=20'];

/**
 * Node flags for a bench peer process: {@link BIN_NODE_FLAGS}, then a CPU profile of the
 * process, named `name-<time>.cpuprofile`, written into BENCH_PROFILE=DIR when it is set.
 */
export function profileArgv(name: string): string[] {
  const profile = process.env.BENCH_PROFILE;
  return profile
    ? [
        ...BIN_NODE_FLAGS,
        '--cpu-prof',
        `--cpu-prof-dir=${profile}`,
        `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`,
      ]
    : [...BIN_NODE_FLAGS];
}

/** Resolves once every child has exited. */
export async function finish(...children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (c) => {
      if (c.exitCode === null) await once(c, 'exit');
    }),
  );
}
