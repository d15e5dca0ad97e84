// Read and write system calls of a bench process, where Linux counts them (/proc/self/io):
// how many reads and writes a side made for its messages or chunks.
import { readFileSync } from 'node:fs';

/** Read and write system calls (`/proc/self/io`). */
export interface Syscalls {
  reads: number;
  writes: number;
}

/** Read and write system calls so far; undefined where the system does not count them. */
export function syscalls(): Syscalls | undefined {
  try {
    const io = readFileSync('/proc/self/io', 'latin1');
    const count = (name: string): number => Number(new RegExp(`${name}: (\\d+)`).exec(io)?.[1]);
    return { reads: count('syscr'), writes: count('syscw') };
  } catch {
    return undefined;
  }
}

/** The calls made since `before` (a `syscalls()` reading), as a report field; {} if unknown. */
export function syscallsSince(before: Syscalls | undefined): { syscalls?: Syscalls } {
  const now = syscalls();
  return now && before
    ? { syscalls: { reads: now.reads - before.reads, writes: now.writes - before.writes } }
    : {};
}
