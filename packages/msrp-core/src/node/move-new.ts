// Moving a finished file to its final name without ever replacing a file there, and without a
// moment when that name holds an empty or partial file (a process killed mid-way leaves the
// file whole under its final name, or not there at all).
import { link, open, rename, unlink } from 'node:fs/promises';

/** Codes of file systems that have no hard links (FAT, some network and FUSE ones). */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

/**
 * Moves `from` to `to` unless `to` exists: a hard link (atomic: it fails with EEXIST for a
 * taken name), then `from` unlinked. Where hard links fail, `to` is created empty first
 * (`wx`) and then replaced by a rename, which leaves it empty for that moment. Both paths
 * must be on one file system (`EXDEV` otherwise), as for a rename.
 * @throws the file system's error, `EEXIST` when `to` exists (`from` is left as it was).
 */
export async function moveToNew(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (e) {
    if (!NO_LINKS.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
    const reserved = await open(to, 'wx');
    await reserved.close();
    try {
      await rename(from, to);
    } catch (failed) {
      await unlink(to).catch(() => undefined);
      throw failed;
    }
    return;
  }
  await unlink(from);
}
