// The users file edited while the relay runs, as an operator does: SIGHUP applies it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestHa1, type MsrpUri } from '@msrp-ts/msrp-core';
import { endpoint, next, sessionPair } from './helpers.js';
import { runningRelay } from './ops-relay.js';

const REALM = 'example.net';
const ha1s = (user: string, password: string): string =>
  (['MD5', 'SHA-256'] as const)
    .map((a) => `${user}:${REALM}:${a}:${digestHa1(a, user, REALM, password)}`)
    .join('\n');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ops-users-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Whether `username` with `password` gets a relay session from `uri`. */
async function canAuth(uri: MsrpUri, username: string, password: string): Promise<boolean> {
  const e = endpoint({ relays: [{ uri, username, password }] });
  return e.authenticate().then(
    () => true,
    () => false,
  );
}

describe('users file edited while the relay runs', () => {
  it('SIGHUP: a removed user cannot AUTH, a changed password counts, sessions up stay; a broken file keeps the old users', async () => {
    const file = join(dir, 'users');
    await writeFile(file, `${ha1s('alice', 'a1')}\nbob:b1\ncarol:c1\n`);
    const relay = await runningRelay([
      ...['--listen', 'msrp://127.0.0.1:0;tcp', '--realm', REALM, '--users', file],
    ]);
    const uri = relay.uris[0]!;
    const alice = endpoint({ relays: [{ uri, username: 'alice', password: 'a1' }] });
    const bob = endpoint({ relays: [{ uri, username: 'bob', password: 'b1' }] });
    await Promise.all([alice.authenticate(), bob.authenticate()]);
    const { a, b } = await sessionPair(alice, bob);

    // bob removed, alice's password changed, dave added.
    await writeFile(file, `${ha1s('alice', 'a2')}\ncarol:c1\ndave:d1\n`);
    expect(await relay.sighup()).toContain('"reloaded":["users"],"failed":[]');
    expect(await canAuth(uri, 'bob', 'b1')).toBe(false);
    expect(await canAuth(uri, 'alice', 'a1')).toBe(false);
    expect(await canAuth(uri, 'alice', 'a2')).toBe(true);
    expect(await canAuth(uri, 'dave', 'd1')).toBe(true);
    await a.send('still up');
    expect((await next(b[Symbol.asyncIterator]())).text()).toBe('still up');

    // Half written (an editor's save cut short): the users before stay.
    await writeFile(file, `${ha1s('alice', 'a3')}\ncarol:${REALM}:MD5:0123`);
    expect(await relay.sighup()).toContain('"failed":["users"]');
    expect(relay.stderr()).toContain('"msg":"users file not reloaded"');
    expect(await canAuth(uri, 'alice', 'a2')).toBe(true);
    expect(await canAuth(uri, 'carol', 'c1')).toBe(true);
    // Gone (moved away to be replaced): the same.
    await rm(file);
    expect(await relay.sighup()).toContain('"failed":["users"]');
    expect(await canAuth(uri, 'dave', 'd1')).toBe(true);

    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  }, 60_000);

  // Emptied (truncated by an editor, a failed deploy): taken, every user of it locked out, so
  // the operator is told, where the log said only "users file reloaded" with 0 users.
  it('SIGHUP: a users file reloaded empty is taken, with a warning', async () => {
    const file = join(dir, 'users-emptied');
    await writeFile(file, 'bob:b1\n');
    const relay = await runningRelay([
      ...['--listen', 'msrp://127.0.0.1:0;tcp', '--realm', REALM, '--users', file],
    ]);
    await writeFile(file, '# all gone\n');
    expect(await relay.sighup()).toContain('"reloaded":["users"]');
    const warning = relay
      .stderr()
      .split('\n')
      .find((l) => l.includes('users file reloaded empty'));
    expect(warning && (JSON.parse(warning) as { before: unknown })).toMatchObject({
      before: 1,
    });
    expect(await canAuth(relay.uris[0]!, 'bob', 'b1')).toBe(false);
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  }, 60_000);

  // A file that names a user wrong (ops-users-file.test.ts) is refused on SIGHUP as at start.
  it('SIGHUP: a file with a wrong line keeps the old users, and the error names the line', async () => {
    const file = join(dir, 'users-wrong');
    await writeFile(file, 'bob:b1\n');
    const relay = await runningRelay([
      ...['--listen', 'msrp://127.0.0.1:0;tcp', '--realm', REALM, '--users', file],
    ]);
    const uri = relay.uris[0]!;
    const wrong: [text: string, why: string][] = [
      // Anyone naming alice would get in.
      ['carol:c1\nalice:\n', 'line 2: alice has an empty password'],
      // Not carol's password "example.net:SHA256:<hex>": an HA1 line misspelt.
      [`carol:${REALM}:SHA256:${'0'.repeat(64)}\n`, 'line 1: "SHA256" is not MD5 or SHA-256'],
      // Which of carol's passwords was meant?
      ['carol:c1\nbob:b2\ncarol:c2\n', "lines 1 and 3: both give carol's password"],
    ];
    for (const [text, why] of wrong) {
      await writeFile(file, text);
      expect(await relay.sighup()).toContain('"failed":["users"]');
      const error = relay
        .stderr()
        .split('\n')
        .findLast((l) => l.includes('not reloaded'))!;
      expect((JSON.parse(error) as { error: string }).error).toContain(why);
      expect(await canAuth(uri, 'bob', 'b1')).toBe(true);
      expect(await canAuth(uri, 'carol', 'c1')).toBe(false);
    }
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  }, 60_000);
});
