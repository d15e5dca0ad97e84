// `msrp-relay users add|remove|list --users FILE`: the users file edited in place, as the
// relay reads it (FileCredentialStore).
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  chmod,
  lstat,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestHa1 } from '@msrp-ts/msrp-core';
import { FileCredentialStore } from '../src/index.js';
import { removeStaleLock } from '../src/cli/users-file-command.js';
import { listUsersFile, putUsersFileUser, removeUsersFileUser } from '../src/users-file.js';
import { RELAY_BIN, root, runRelay } from './relay-command.js';

const REALM = 'example.net';
const line = (user: string, algorithm: 'MD5' | 'SHA-256', password: string, realm = REALM) =>
  `${user}:${realm}:${algorithm}:${digestHa1(algorithm, user, realm, password)}`;

/** Runs `msrp-relay users ...` with `stdin`. */
const users = (args: string[], stdin?: string) =>
  runRelay(['users', ...args], stdin === undefined ? {} : { stdin });

describe('users file editing', () => {
  const text = [
    '# the relay users',
    'alice:old-password # a comment',
    line('bob', 'MD5', 'b'),
    line('alice', 'MD5', 'x', 'other.net'),
    '',
  ].join('\n');

  it('replaces a user’s lines of the realm at their place with both HA1s, keeping every other line', () => {
    const put = putUsersFileUser(text, 'alice', REALM, 'new');
    expect(put.added).toBe(false);
    expect(put.text).toBe(
      [
        '# the relay users',
        line('alice', 'SHA-256', 'new'),
        line('alice', 'MD5', 'new'),
        line('bob', 'MD5', 'b'),
        line('alice', 'MD5', 'x', 'other.net'),
        '',
      ].join('\n'),
    );
    const added = putUsersFileUser('carol:c', 'dave', REALM, 'd');
    expect(added).toEqual({
      added: true,
      text: `carol:c\n${line('dave', 'SHA-256', 'd')}\n${line('dave', 'MD5', 'd')}\n`,
    });
    expect(listUsersFile(put.text)).toEqual([
      { user: `alice@${REALM}`, secrets: ['SHA-256', 'MD5'] },
      { user: `bob@${REALM}`, secrets: ['MD5'] },
      { user: 'alice@other.net', secrets: ['MD5'] },
    ]);
  });

  it('removes a user’s password line and its HA1s of the realm only', () => {
    expect(removeUsersFileUser(text, 'alice', REALM)).toEqual({
      removed: true,
      text: ['# the relay users', line('bob', 'MD5', 'b'), line('alice', 'MD5', 'x', 'other.net')]
        .map((l) => `${l}\n`)
        .join(''),
    });
    expect(removeUsersFileUser(text, 'zed', REALM)).toEqual({ removed: false, text });
  });
});

// Concurrent: each test waits on msrp-relay processes, one after another.
describe.concurrent('msrp-relay users --users FILE', () => {
  async function tempDir(onTestFinished: (cleanup: () => Promise<void>) => void): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'msrp-relay-users-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  it('adds, updates, lists and removes users that the relay then reads, keeping the file’s mode', async ({
    expect,
    onTestFinished,
  }) => {
    const dir = await tempDir(onTestFinished);
    const path = join(dir, 'users');
    const common = ['--users', path, '--realm', REALM];
    // The password from standard input, out of the process list.
    expect(await users(['add', 'alice', ...common], 'alice-secret\n')).toEqual({
      code: 0,
      stdout: `added alice@${REALM} in ${path}: MD5 and SHA-256 HA1s (SIGHUP the relay to apply)\n`,
      stderr: '',
    });
    await chmod(path, 0o600);
    expect(await users(['add', 'bob', 'b', ...common])).toMatchObject({ code: 0 });
    expect(await users(['add', 'alice', 'alice-2', ...common])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^updated alice@/) as string,
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const written = await readFile(path, 'utf8');
    expect(written).not.toContain('alice-2');
    const store = await FileCredentialStore.open(path);
    for (const algorithm of ['MD5', 'SHA-256'] as const) {
      expect(await store.ha1('alice', REALM, algorithm)).toBe(
        digestHa1(algorithm, 'alice', REALM, 'alice-2'),
      );
    }
    expect(store.algorithms).toEqual(['SHA-256', 'MD5']);
    expect((await users(['list', '--users', path])).stdout).toBe(
      `alice@${REALM}\tSHA-256,MD5\nbob@${REALM}\tSHA-256,MD5\n`,
    );
    expect(await users(['remove', 'alice', ...common])).toMatchObject({ code: 0 });
    expect(await users(['remove', 'alice', ...common])).toMatchObject({
      code: 1,
      stderr: `msrp-relay users: no user alice@${REALM} in ${path}\n`,
    });
    await store.reload();
    expect(await store.ha1('alice', REALM, 'MD5')).toBeUndefined();
    expect(await store.ha1('bob', REALM, 'MD5')).toBe(digestHa1('MD5', 'bob', REALM, 'b'));
  });

  it('edits the target of a symlink, and refuses what the file cannot hold', async ({
    expect,
    onTestFinished,
  }) => {
    const dir = await tempDir(onTestFinished);
    const target = join(dir, 'users.real');
    await writeFile(target, 'carol:c\n');
    const link = join(dir, 'users');
    await symlink(target, link);
    expect(await users(['add', 'dave', 'd', '--users', link])).toMatchObject({ code: 0 });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(target, 'utf8')).toContain('dave:msrp-relay:MD5:');
    const mistakes = await Promise.all([
      users(['add', 'a:b', 'pw', '--users', link]),
      users(['add', 'a', 'pw', '--users', link, '--realm', 'two words']),
      users(['add', 'a', '--users', link], ''),
      users(['list']),
      users(['list', '--users', link, '--users-db', 'postgres://db/x']),
    ]);
    for (const result of mistakes) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^msrp-relay users: [^\n]+\n$/);
    }
    expect(mistakes[0].stderr).toContain('NAME cannot go in a users file: it holds ":"');
    expect(mistakes[1].stderr).toContain('--realm cannot go in a users file');
    expect(mistakes[2].stderr).toContain('no password given');
    expect(mistakes[3].stderr).toContain('give one of --users FILE and --users-db');
    // Only add makes the file: a list or remove of a mistyped path is no empty list.
    const missing = join(dir, 'no-such-users');
    for (const action of [['list'], ['remove', 'dave']]) {
      expect(await users([...action, '--users', missing])).toEqual({
        code: 1,
        stdout: '',
        stderr: `msrp-relay users: cannot read ${missing}: ENOENT\n`,
      });
    }
    await writeFile(target, 'no-colon\n');
    expect(await users(['add', 'a', 'pw', '--users', link])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`${link}, line 1: expected NAME:PASSWORD`) as string,
    });
    expect(await readFile(target, 'utf8')).toBe('no-colon\n');
  });

  it('takes turns on the file (FILE.lock): no command loses another’s change, none leaves a copy', async ({
    expect,
    onTestFinished,
  }) => {
    const dir = await tempDir(onTestFinished);
    const path = join(dir, 'users');
    const names = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
    const added = await Promise.all(names.map((n) => users(['add', n, n, '--users', path])));
    expect(added.map((r) => r.code)).toEqual(names.map(() => 0));
    const listed = (await users(['list', '--users', path])).stdout;
    expect(listed.split('\n').filter(Boolean).sort()).toEqual(
      names.map((n) => `${n}@msrp-relay\tSHA-256,MD5`),
    );
    // A lock of a process that runs (ours) is waited for, and says so; once gone, the edit goes on.
    const lock = `${path}.lock`;
    await writeFile(lock, `${process.pid}\n`);
    const child = spawn(RELAY_BIN, ['users', 'remove', 'u1', '--users', path], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    let stderr = '';
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('\n')) resolve();
      }),
    );
    expect(stderr).toBe(
      `msrp-relay users: waiting for ${lock}, held by another users command (process ${process.pid})\n`,
    );
    expect(await readFile(path, 'utf8')).toContain('u1:');
    await rm(lock);
    expect((await exited)[0]).toBe(0);
    expect(await readFile(path, 'utf8')).not.toContain('u1:');
    // A lock left by a process that is gone (killed mid-edit) is taken over at once.
    const gone = spawn(process.execPath, ['-e', '']);
    await once(gone, 'exit');
    await writeFile(lock, `${gone.pid}\n`);
    // Its temporary copy goes too; that of a process that runs (ours here) stays.
    await writeFile(`${path}.${gone.pid}.tmp`, 'half a users fi');
    await writeFile(`${path}.${process.pid}.tmp`, 'not yet renamed');
    expect(await users(['remove', 'u2', '--users', path])).toMatchObject({ code: 0, stderr: '' });
    await expect(stat(lock)).rejects.toThrow(/ENOENT/);
    expect((await readdir(dir)).sort()).toEqual(['users', `users.${process.pid}.tmp`]);
  });

  it('takes over only the lock of the process found gone, not one another command took since', async ({
    expect,
    onTestFinished,
  }) => {
    const dir = await tempDir(onTestFinished);
    const lock = join(dir, 'users.lock');
    const gone = spawn(process.execPath, ['-e', '']);
    await once(gone, 'exit');
    // A waiter read the pid of a holder that has let go and exited since; a live command
    // (this one) took the lock meanwhile: its lock stays.
    await writeFile(lock, `${process.pid}\n`);
    await removeStaleLock(lock, gone.pid!);
    expect(await readFile(lock, 'utf8')).toBe(`${process.pid}\n`);
    // Still the gone holder's: removed, and nothing left beside it.
    await writeFile(lock, `${gone.pid}\n`);
    await removeStaleLock(lock, gone.pid!);
    await expect(stat(lock)).rejects.toThrow(/ENOENT/);
    expect((await readdir(dir)).sort()).toEqual([]);
  });

  it('writes over a users file mounted on its own (a container’s bind mount), which rename cannot replace', async ({
    expect,
    onTestFinished,
  }) => {
    const dir = await tempDir(onTestFinished);
    const host = join(dir, 'host-users');
    const mounted = join(dir, 'users');
    await writeFile(host, 'carol:c\n');
    await writeFile(mounted, '');
    // A mount namespace of our own (unprivileged, as a container runtime makes), where
    // `mounted` is the host's file bind-mounted: renaming onto it fails with EBUSY.
    const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        'unshare',
        [
          '-rm',
          'sh',
          '-c',
          'mount --bind "$1" "$2" && exec "$3" users add dave d --users "$2"',
          'sh',
          host,
          mounted,
          RELAY_BIN,
        ],
        { cwd: root },
        (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
      ),
    );
    expect(result).toEqual({ code: 0, stderr: '' });
    expect(await readFile(host, 'utf8')).toBe(
      `carol:c\n${line('dave', 'SHA-256', 'd', 'msrp-relay')}\n${line('dave', 'MD5', 'd', 'msrp-relay')}\n`,
    );
  });
});
