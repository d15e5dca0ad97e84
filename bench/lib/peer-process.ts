// What every bench that runs its peers in child processes shares.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * Node flags that write a CPU profile of the process, named `name-<time>.cpuprofile`, into
 * BENCH_PROFILE=DIR; none when BENCH_PROFILE is unset.
 */
export function profileArgv(name: string): string[] {
  const profile = process.env.BENCH_PROFILE;
  return profile
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${profile}`,
        `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`,
      ]
    : [];
}

/** Resolves once every child has exited. */
export async function finish(...children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (c) => {
      if (c.exitCode === null) await once(c, 'exit');
    }),
  );
}
