// Lines of a users file (--users) an operator gets wrong: README "--users FILE:
// `NAME:PASSWORD` or `NAME:REALM:MD5|SHA-256:HA1` lines". A wrong line must be refused naming
// it (exit 2 at start), as a short HA1 ("MD5 HA1 must be 32 hex digits") already is; on
// SIGHUP, ops-users-reload.test.ts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToExit } from './relay-command.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ops-users-file-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function usersFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const LISTEN = ['--listen', 'msrp://127.0.0.1:0;tcp'];

describe('users file lines that cannot be what the operator meant', () => {
  // `msrp-relay users add` refuses an empty password ("no password given", exit 2); the relay
  // took `alice:` (and `--user alice:`) as alice with an empty password: anyone naming alice
  // got a relay session.
  it('a user with an empty password is refused at start', async () => {
    const file = await usersFile('empty-password', 'bob:bob-secret\nalice: # to do\n');
    const [fromFile, fromFlag] = await Promise.all([
      runToExit([...LISTEN, '--users', file]),
      runToExit([...LISTEN, '--user', 'alice:']),
    ]);
    expect(fromFile.started, fromFile.stderr).toBe(false);
    expect(fromFile.code, fromFile.stderr).toBe(2);
    expect(fromFile.stderr).toMatch(/^msrp-relay: [^\n]*line 2: alice has an empty password\n$/);
    expect(fromFlag.started, fromFlag.stderr).toBe(false);
    expect(fromFlag.code, fromFlag.stderr).toBe(2);
    expect(fromFlag.stderr).toMatch(/^msrp-relay: --user[^\n]*\n$/);
  }, 20_000);
});
