// Where `msrp listen` stores received files: safe names, never overwriting.
import { mkdir, open, stat } from 'node:fs/promises';
import { moveToNew } from '@msrp-ts/msrp-core';
import { dirname, extname, join } from 'node:path';

/** Longest file name we create, in UTF-8 bytes (most file systems allow 255). */
const MAX_NAME_BYTES = 200;

/**
 * A file name from a peer made safe to create in our directory: only its base name (either
 * slash counts as a separator), no control or reserved characters, no leading dots (no
 * hidden files, no `.` or `..`), bounded length. Returns `fallback` when nothing is left.
 */
export function safeFileName(name: string | undefined, fallback: string): string {
  let base = (name ?? '').split(/[/\\]/).pop() ?? '';
  base = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (Buffer.byteLength(base) > MAX_NAME_BYTES) {
    const ext = extname(base).slice(0, 16);
    // Whole characters off the stem's end until it fits, the bytes counted down: joined again
    // for each one, a name as long as a peer's head allows took seconds of the event loop.
    const start = base.slice(0, base.length - ext.length);
    const stem = [...start];
    let bytes = Buffer.byteLength(start + ext);
    while (bytes > MAX_NAME_BYTES && stem.length > 0) bytes -= Buffer.byteLength(stem.pop()!);
    base = stem.join('') + ext;
  }
  return base === '' ? fallback : base;
}

/**
 * Calls `take` on `name` in `dir`, then on `stem-1.ext`, `stem-2.ext`... while it fails with
 * EEXIST (the name is taken), and returns what it returns for the first free one.
 * @throws what `take` throws for any other failure.
 */
export async function firstFreeName<T>(
  dir: string,
  name: string,
  take: (path: string) => Promise<T>,
): Promise<T> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 0; ; i++) {
    const path = join(dir, i === 0 ? name : `${stem}-${i}${ext}`);
    try {
      return await take(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || i >= 9999) throw e;
    }
  }
}

/**
 * Creates an empty file for `name` in `dir`, atomically, so that no existing file (nor one
 * another message is being saved to) is overwritten: `name`, then `stem-1.ext`, `stem-2.ext`...
 * @returns the path created.
 */
export function reserveFile(dir: string, name: string): Promise<string> {
  return firstFreeName(dir, name, async (path) => {
    await (await open(path, 'wx')).close();
    return path;
  });
}

/**
 * Moves the file `from` to `name` in `dir`, or to the first free name after it (as
 * {@link reserveFile}), never overwriting a file nor leaving an empty one under the name
 * (`moveToNew`: a kill in between leaves `from` or the whole file).
 * @returns the path it now has.
 */
export function moveToFreeName(from: string, dir: string, name: string): Promise<string> {
  return firstFreeName(dir, name, async (path) => {
    await moveToNew(from, path);
    return path;
  });
}

/**
 * Creates the directory `dir` and its missing parents, one at a time. Not Node's
 * `mkdir(dir, { recursive: true })`: where mkdir answers ENOENT under a parent that exists
 * (`/proc/x`), Node 20 retries for ever, and a mistyped `--out` hung the command.
 * @throws the failure to create one of them; a clear error when `dir` is not a directory.
 */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && dirname(dir) !== dir) {
      await makeDirectory(dirname(dir));
      // Once: ENOENT again, under a parent that exists now, is the answer.
      await mkdir(dir).catch((again: NodeJS.ErrnoException) => {
        if (again.code !== 'EEXIST') throw again;
      });
    } else if (code !== 'EEXIST') {
      throw e;
    }
  }
  if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
}
