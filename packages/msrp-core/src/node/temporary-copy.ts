// A file replaced at once: written as `FILE.PID.tmp` beside it and renamed over it, so that a
// reader finds the old file or the new one, never half of one. A process killed mid-write
// leaves its copy behind; whoever next owns FILE removes those.
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Where this process writes the copy that replaces `path`. */
export function temporaryPath(path: string): string {
  return `${path}.${process.pid}.tmp`;
}

/**
 * Removes the copies of `path` ({@link temporaryPath}) that processes left behind: all of
 * them, or those whose process `pid` `whose` accepts.
 */
export async function removeTemporaries(
  path: string,
  whose: (pid: number) => boolean = () => true,
): Promise<void> {
  const prefix = `${basename(path)}.`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names) {
    const pid = name.startsWith(prefix)
      ? /^(\d+)\.tmp$/.exec(name.slice(prefix.length))?.[1]
      : undefined;
    if (pid !== undefined && whose(Number(pid)))
      await rm(join(dirname(path), name), { force: true });
  }
}
