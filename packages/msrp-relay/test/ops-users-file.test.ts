// Lines of a users file (--users) an operator gets wrong: README "--users FILE:
// `NAME:PASSWORD` or `NAME:REALM:MD5|SHA-256:HA1` lines". A wrong line must be refused naming
// it (exit 2 at start), as a short HA1 ("MD5 HA1 must be 32 hex digits") already is; on
// SIGHUP, ops-users-reload.test.ts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestHa1 } from '@msrp-ts/msrp-core';
import { parseUsersFile } from '../src/file-credential-store.js';
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

  // An HA1 line with the algorithm misspelt (SHA256 for SHA-256, as OpenSIPS names its
  // column) was silently read as NAME:PASSWORD with the password "example.net:SHA256:<hex>":
  // bob could never AUTH and nothing said why.
  it('an HA1 line whose algorithm is neither MD5 nor SHA-256 is refused, not taken as a password', async () => {
    const ha1 = digestHa1('SHA-256', 'bob', 'example.net', 'bob-secret');
    const file = await usersFile(
      'bad-algorithm',
      `alice:alice-secret\nbob:example.net:SHA256:${ha1}\n`,
    );
    const result = await runToExit([...LISTEN, '--realm', 'example.net', '--users', file]);
    expect(result.started, result.stderr).toBe(false);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(
      /^msrp-relay: [^\n]*line 2: "SHA256" is not MD5 or SHA-256[^\n]*\n$/,
    );
    // A password with ':' that is not of that shape is still one.
    const md5 = digestHa1('MD5', 'x', 'y', 'z');
    for (const password of ['a:b', 'a:b:c:d', `a:${md5}`, `a:b:${md5}0`, `a:b:c:${md5}`]) {
      expect(parseUsersFile(`carol:${password}\n`)).toEqual([{ username: 'carol', password }]);
    }
    expect(() => parseUsersFile(`carol:r::${md5}\n`)).toThrow(/line 1: "" is not MD5/);
  }, 20_000);

  // A user given twice (a new password appended below the old line) was accepted, the last
  // line winning silently.
  it('a user given twice is refused, naming both lines', async () => {
    const md5 = (password: string): string => digestHa1('MD5', 'bob', 'r', password);
    const [twice, twiceHa1] = await Promise.all([
      usersFile('twice', '# users\nalice:old\nbob:b\n\nalice:new\n'),
      usersFile('twice-ha1', `bob:r:MD5:${md5('old')}\nbob:r:md5:${md5('new')}\n`),
    ]);
    const [passwords, ha1s] = await Promise.all([
      runToExit([...LISTEN, '--users', twice]),
      runToExit([...LISTEN, '--users', twiceHa1]),
    ]);
    for (const result of [passwords, ha1s]) {
      expect(result.started, result.stderr).toBe(false);
      expect(result.code, result.stderr).toBe(2);
    }
    expect(passwords.stderr).toMatch(
      /^msrp-relay: [^\n]*lines 2 and 5: both give alice's password\n$/,
    );
    expect(ha1s.stderr).toMatch(
      /^msrp-relay: [^\n]*lines 1 and 2: both give bob's MD5 HA1 for r\n$/,
    );
    // One HA1 of each algorithm, or of each realm, is no repeat.
    const sha = digestHa1('SHA-256', 'bob', 'r', 'old');
    expect(
      parseUsersFile(`bob:r:MD5:${md5('old')}\nbob:r:SHA-256:${sha}\nbob:s:MD5:${md5('s')}\n`),
    ).toHaveLength(3);
  }, 20_000);

  // bob:pw beside bob:r:MD5:<HA1 of another password> was accepted: with realm r the MD5 HA1
  // checked bob's answer, a SHA-256 one was checked against pw, so which password worked
  // depended on the algorithm his client picked (a password left behind by a move to HA1s).
  it('a password and HA1s for one user are refused, naming both lines', async () => {
    const md5 = digestHa1('MD5', 'bob', 'r', 'new');
    const [after, before] = await Promise.all([
      usersFile('password-then-ha1', `alice:a\nbob:old\n# moved to HA1s\nbob:r:MD5:${md5}\n`),
      usersFile('ha1-then-password', `bob:r:MD5:${md5}\nbob:s:MD5:${md5}\nbob:old\n`),
    ]);
    const results = await Promise.all([
      runToExit([...LISTEN, '--realm', 'r', '--users', after]),
      runToExit([...LISTEN, '--realm', 'r', '--users', before]),
    ]);
    for (const result of results) {
      expect(result.started, result.stderr).toBe(false);
      expect(result.code, result.stderr).toBe(2);
    }
    expect(results[0].stderr).toMatch(
      /^msrp-relay: [^\n]*password-then-ha1, lines 2 and 4: bob is given both a password and HA1s[^\n]*\n$/,
    );
    expect(results[1].stderr).toMatch(
      /^msrp-relay: [^\n]*ha1-then-password, lines 1 and 3: bob is given both a password and HA1s[^\n]*\n$/,
    );
    // A line wrong in itself is named as such first.
    expect(() => parseUsersFile(`bob:r:MD5:${md5}\nbob:\n`)).toThrow(/line 2: bob has an empty/);
  }, 20_000);
});
