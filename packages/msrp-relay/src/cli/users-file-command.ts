// `msrp-relay users add|remove|list --users FILE`: edits the users file the relay reads.
import {
  chmod,
  chown,
  link,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { removeTemporaries, temporaryPath } from '@msrp-ts/msrp-core/internal';
import { parseUsersFile } from '../file-credential-store.js';
import { listUsersFile, putUsersFileUser, removeUsersFileUser } from '../users-file.js';

/** The file's text; with `create`, empty when it does not exist yet. */
async function readUsers(path: string, create: boolean): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if (create && (e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new Error(
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      { cause: e },
    );
  }
}

/**
 * Replaces the file at once (a relay reloading meanwhile reads the old text or the new, never
 * half of one), keeping its mode and, for root, its owner; through a symlink, its target. A
 * file that is a mount point of its own is written over instead.
 */
async function replaceUsers(path: string, text: string): Promise<void> {
  const target = await realpath(path).catch(() => path);
  const before = await stat(target).catch(() => undefined);
  const temporary = temporaryPath(target);
  try {
    await writeFile(temporary, text, { flag: 'wx' });
    if (before) {
      await chmod(temporary, before.mode & 0o7777);
      if (process.getuid?.() === 0) await chown(temporary, before.uid, before.gid);
    }
    await rename(temporary, target);
  } catch (e) {
    await rm(temporary, { force: true });
    // A file mounted on its own (a container's bind mount) cannot be replaced: write it over.
    const code = (e as NodeJS.ErrnoException).code;
    if (before && (code === 'EBUSY' || code === 'EXDEV')) return writeFile(target, text);
    throw e;
  }
}

/** How long a command waits for another one's lock on the file before it gives up. */
const LOCK_WAIT_MS = 10_000;

/** Whether process `pid` runs (signal 0 checks without sending; EPERM: it runs as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid a lock file names; NaN when it names none (not written yet, or gone). */
async function lockHolder(lock: string): Promise<number> {
  return Number.parseInt(await readFile(lock, 'utf8').catch(() => ''), 10);
}

/**
 * Takes away the lock of `holder`, a process that is gone: moved aside first (one atomic
 * rename), then removed only if it still names that process, else put back. Removed as read,
 * a lock another command took after the holder let go (and exited) would go too, and both
 * commands would edit the file at once: one `add` lost (seen with six commands at once).
 */
export async function removeStaleLock(lock: string, holder: number): Promise<void> {
  const aside = `${lock}.${process.pid}.stale`;
  try {
    await rename(lock, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  // Another command's lock, taken since: back in its place (unless yet another took it).
  if ((await lockHolder(aside)) !== holder) await link(aside, lock).catch(() => undefined);
  await rm(aside, { force: true });
}

/**
 * Runs `edit` holding `FILE.lock` (made with O_EXCL, holding our pid), so that two commands
 * editing the file at once take turns rather than one losing the other's change; a lock
 * whose process is gone (killed mid-edit) is taken over, and its temporary copy removed.
 */
async function withLock<T>(path: string, edit: () => Promise<T>): Promise<T> {
  const target = await realpath(path).catch(() => path);
  const lock = `${target}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let waited = false; ; waited = true) {
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = await lockHolder(lock);
    // Not yet written (just made) reads as NaN: wait for it like a live holder.
    if (holder > 0 && !running(holder)) {
      await removeStaleLock(lock, holder);
      continue;
    }
    const who = `another users command (process ${Number.isNaN(holder) ? '?' : holder})`;
    if (Date.now() > deadline)
      throw new Error(
        `${lock} is held by ${who}: try again when it is done, or remove the lock if none runs`,
      );
    if (!waited) process.stderr.write(`msrp-relay users: waiting for ${lock}, held by ${who}\n`);
    await delay(25);
  }
  try {
    // Copies of commands killed mid-write: with the lock held, one whose process is gone is
    // no one's.
    await removeTemporaries(target, (pid) => !running(pid));
    return await edit();
  } finally {
    // Ours only: never another command's.
    if ((await lockHolder(lock)) === process.pid) await rm(lock, { force: true });
  }
}

/**
 * Runs `action` on the users file at `path`; prints what it did; the exit code (1: no such
 * user). `password` is given for `add`.
 * @throws the file's read or write error, or its MsrpError when it is no users file.
 */
export async function usersFileCommand(
  path: string,
  action: 'add' | 'remove' | 'list',
  name: string,
  realm: string,
  password?: string,
): Promise<number> {
  const run = (): Promise<number> => runAction(path, action, name, realm, password);
  // `list` only reads: the file is replaced at once, never seen half written.
  return action === 'list' ? run() : withLock(path, run);
}

/** {@link usersFileCommand}'s action (its lock held for `add` and `remove`). */
async function runAction(
  path: string,
  action: 'add' | 'remove' | 'list',
  name: string,
  realm: string,
  password?: string,
): Promise<number> {
  const text = await readUsers(path, action === 'add');
  // Never rewrite what the relay could not read: the error names the line.
  parseUsersFile(text, path);
  if (action === 'list') {
    for (const { user, secrets } of listUsersFile(text))
      process.stdout.write(`${user}\t${secrets.join(',')}\n`);
    return 0;
  }
  const who = `${name}@${realm}`;
  if (action === 'remove') {
    const removed = removeUsersFileUser(text, name, realm);
    if (!removed.removed) {
      process.stderr.write(`msrp-relay users: no user ${who} in ${path}\n`);
      return 1;
    }
    await replaceUsers(path, removed.text);
    process.stdout.write(`removed ${who} from ${path} (SIGHUP the relay to apply)\n`);
    return 0;
  }
  const put = putUsersFileUser(text, name, realm, password!);
  await replaceUsers(path, put.text);
  process.stdout.write(
    `${put.added ? 'added' : 'updated'} ${who} in ${path}: MD5 and SHA-256 HA1s (SIGHUP the relay to apply)\n`,
  );
  return 0;
}
