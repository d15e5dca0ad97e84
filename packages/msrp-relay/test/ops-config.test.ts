// Mistakes an operator makes in relay.json and its files: one line on stderr naming what is
// wrong, exit 2, never a value silently taken for another.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/cli/config.js';
import { RELAY_BIN, root, runRelay, runToExit } from './relay-command.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ops-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * Runs the relay with `config` as its relay.json, to its exit: one that starts instead of
 * refusing the file is killed after 5 s (exit code null), not left running.
 */
async function withConfig(name: string, config: object) {
  const path = join(dir, `${name}.json`);
  await writeFile(path, JSON.stringify(config));
  const args = ['--config', path, '--log-level', 'silent'];
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = execFile(
      RELAY_BIN,
      args,
      { timeout: 5000, killSignal: 'SIGKILL' },
      (_, __, stderr) => resolve({ code: child.exitCode, stderr }),
    );
  });
}

const base = { listen: ['msrp://127.0.0.1:0;tcp'], user: ['alice:a'] };

describe('relay.json of the wrong shape', () => {
  it('refuses a list for a one-value key, and a list of anything but strings or numbers', async () => {
    const results = await Promise.all([
      // The last realm ("b") was taken: every HA1 of "a" refused, and no word why.
      withConfig('realm-list', { ...base, realm: ['a', 'b'] }),
      // No limit at all, the default silently kept.
      withConfig('empty-limit', { ...base, 'max-connections': [] }),
      // Nested: read as "alice:a", a user the file does not seem to define.
      withConfig('nested-user', { ...base, user: [['alice:a']] }),
      withConfig('object-listen', { ...base, listen: [{ uri: 'msrp://127.0.0.1:0;tcp' }] }),
    ]);
    for (const result of results) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^msrp-relay: --config: [^\n]+\n$/);
    }
    expect(results[0].stderr).toContain('"realm" takes one value, not a list');
    expect(results[1].stderr).toContain('"max-connections" takes one value, not a list');
    expect(results[2].stderr).toContain('"user" must be a list of strings or numbers');
    expect(results[3].stderr).toContain('"listen" must be a list of strings or numbers');
  });

  // `"host": false` (meant: no host of mine) started a relay handing every client a Use-Path
  // to the host "false"; `"realm": true` made the realm "true". A boolean is a value only for
  // a switch (users-db-plain-passwords).
  it('refuses true and false for a key that is no switch', async () => {
    const results = await Promise.all([
      withConfig('host-false', { ...base, host: false }),
      withConfig('realm-true', { ...base, realm: true }),
      withConfig('user-true', { ...base, user: [true] }),
    ]);
    for (const [i, key] of ['host', 'realm', 'user'].entries()) {
      expect(results[i]!.code, results[i]!.stderr).toBe(2);
      expect(results[i]!.stderr).toMatch(
        new RegExp(`^msrp-relay: --config: [^\\n]*"${key}"[^\\n]*\\n$`),
      );
    }
    // A switch's own.
    const text = JSON.stringify({
      'users-db': 'postgres://db/k',
      'users-db-plain-passwords': true,
    });
    expect(resolveConfig(['--config', 'f'], {}, () => text)?.usersDb?.plainPasswords).toBe(true);
  });

  it('still reads the shipped example and lists of repeatable keys', async () => {
    const example = join(root, 'packages/msrp-relay/deploy/relay.example.json');
    const text = await readFile(example, 'utf8');
    const config = resolveConfig(['--config', example, '--user', 'a:b'], {}, () => text)!;
    expect(config.listen.length).toBeGreaterThan(1);
    // The users command reads the relay's file: a list of a relay key it does not know is no error.
    const path = join(dir, 'shared.json');
    await writeFile(path, JSON.stringify({ ...base, users: join(dir, 'users') }));
    await writeFile(join(dir, 'users'), 'bob:b\n');
    expect(await runRelay(['users', 'list', '--config', path])).toMatchObject({
      code: 0,
      stdout: 'bob\tpassword\n',
    });
  });
});

// relay.example.json names a users file and a database, as the relay reads both; the users
// command, given the relay's file for its realm, refused every command: "give one of --users
// FILE and --users-db", even with --users on the command line as docs/operators.md has it.
describe('msrp-relay users with the shipped relay.example.json', () => {
  const example = join(root, 'packages/msrp-relay/deploy/relay.example.json');

  it("manages the users file the command line names, in the file's realm", async () => {
    const users = join(dir, 'example-users');
    // docs/operators.md's commands, with the relay's file.
    const added = await runRelay(
      ['users', 'add', 'alice', '--users', users, '--realm', 'example.net', '--config', example],
      { stdin: 'alice-secret\n' },
    );
    expect(added, added.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(await runRelay(['users', 'list', '--users', users, '--config', example])).toEqual({
      code: 0,
      stdout: 'alice@example.net\tSHA-256,MD5\n',
      stderr: '',
    });
    // The realm is the file's ("example.net"), as the relay's.
    const bob = await runRelay(['users', 'add', 'bob', 'b', '--users', users, '--config', example]);
    expect(bob.code, bob.stderr).toBe(0);
    expect(await readFile(users, 'utf8')).toMatch(/^bob:example\.net:MD5:[0-9a-f]{32}$/m);
  });

  it('asks which store to manage when only the file names them both', async () => {
    const result = await runRelay(['users', 'list', '--config', example]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^msrp-relay users: [^\n]+\n$/);
    expect(result.stderr).toContain(`"users" in ${example}`);
    expect(result.stderr).toContain(`"users-db" in ${example}`);
    expect(result.stderr).toContain('--users FILE or --users-db');
  });
});

describe('TLS files that cannot be read', () => {
  it('name the option and the path', async () => {
    const pem = join(dir, 'cert.pem');
    await writeFile(pem, 'not a certificate\n');
    const tls = (name: string, cert: string, key: string) =>
      withConfig(name, { ...base, 'tls-cert': cert, 'tls-key': key });
    const [directory, missing] = await Promise.all([
      tls('tls-dir', dir, pem),
      tls('tls-missing', pem, join(dir, 'nokey')),
    ]);
    for (const result of [directory, missing]) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^msrp-relay: [^\n]+\n$/);
    }
    // It was "msrp-relay: EISDIR: illegal operation on a directory, read": which file?
    expect(directory.stderr).toContain(`--tls-cert ${dir}: cannot read: EISDIR`);
    expect(missing.stderr).toContain(`--tls-key ${join(dir, 'nokey')}: cannot read: ENOENT`);
  });
});

describe('a users file that cannot be read', () => {
  it('names the option, the path and why', async () => {
    const missing = join(dir, 'no-users');
    const result = await withConfig('users-missing', { ...base, users: missing });
    expect(result.code, result.stderr).toBe(2);
    // It was "msrp-relay: cannot read ...": of which option?
    expect(result.stderr).toBe(
      `msrp-relay: --users: cannot read ${missing}: ENOENT: no such file or directory, open '${missing}'\n`,
    );
  });
});

// relay.env (systemd's EnvironmentFile) holds MSRP_RELAY_<NAME> lines; one misspelt was
// ignored without a word, and the relay ran with the default (a realm, a timeout).
describe('MSRP_RELAY_* variables that name no option', () => {
  const LISTEN = ['--listen', 'msrp://127.0.0.1:0;tcp'];

  it('are warned of at start, with the variable likely meant', async () => {
    const result = await runToExit([...LISTEN, '--user', 'alice:a'], {
      env: {
        MSRP_RELAY_RELM: 'example.net',
        msrp_relay_frame_timeout: '0',
        MSRP_RELAY_USERS_DB_URL: 'postgres://db/kamailio',
        MSRP_RELAY_MAX_CHUNK_SIZE: '8192',
      },
    });
    expect(result.started, result.stderr).toBe(true);
    const warned = result.stderr
      .split('\n')
      .filter((line) => line.includes('names no option'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const seen = warned.map(({ level, variable, suggestion }) => ({ level, variable, suggestion }));
    expect(seen).toHaveLength(3);
    expect(seen).toEqual(
      expect.arrayContaining([
        { level: 'warn', variable: 'MSRP_RELAY_RELM', suggestion: 'MSRP_RELAY_REALM' },
        {
          level: 'warn',
          variable: 'msrp_relay_frame_timeout',
          suggestion: 'MSRP_RELAY_FRAME_TIMEOUT',
        },
        // No guess when none is close.
        { level: 'warn', variable: 'MSRP_RELAY_USERS_DB_URL', suggestion: undefined },
      ]),
    );
  }, 20_000);

  it('are named after a usage error they may have caused, and by msrp-relay users', async () => {
    const refused = await runToExit(LISTEN, { env: { MSRP_RELAY_USRE: 'alice:a' } });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(
      /^msrp-relay: no users[^\n]*\nmsrp-relay: MSRP_RELAY_USRE names no option, ignored \(did you mean MSRP_RELAY_USER\?\)\n$/,
    );
    const users = join(dir, 'users');
    await writeFile(users, 'bob:b\n');
    const listed = await runRelay(['users', 'list', '--users', users], {
      env: { MSRP_RELAY_REALN: 'example.net', MSRP_RELAY_STORE_PASSWORD: 'no' },
    });
    expect(listed).toEqual({
      code: 0,
      stdout: 'bob\tpassword\n',
      stderr:
        'msrp-relay users: MSRP_RELAY_REALN names no option, ignored (did you mean MSRP_RELAY_REALM?)\n',
    });
  }, 20_000);
});

// A listener taken out of --listen leaves its options behind: the relay used to say nothing
// of them; an error would stop a relay for a listener left out for a while.
describe('options whose listener is not configured', () => {
  it('are warned of at start, naming where they were given', async () => {
    const path = join(dir, 'no-ws.json');
    await writeFile(path, JSON.stringify({ ...base, 'ws-origin': ['https://chat.example.net'] }));
    const result = await runToExit(['--config', path, '--ws-path', '/ws']);
    expect(result.started, result.stderr).toBe(true);
    const warned = result.stderr
      .split('\n')
      .filter((line) => line.includes('"msg":"option ignored'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(warned.map(({ level, option, without }) => ({ level, option, without }))).toEqual([
      { level: 'warn', option: '--ws-path', without: 'a ;ws listener' },
      { level: 'warn', option: `"ws-origin" in ${path}`, without: 'a ;ws listener' },
    ]);
    const tls = resolveConfig(
      ['--user', 'a:b', '--tls-key', 'key.pem'],
      { MSRP_RELAY_TLS_CERT: 'cert.pem' },
      () => '{}',
    );
    expect(tls?.ignored).toEqual([
      { option: 'MSRP_RELAY_TLS_CERT', without: 'an msrps listener' },
      { option: '--tls-key', without: 'an msrps listener' },
    ]);
    // With their listener, nothing to say.
    const listened = resolveConfig(
      ['--user', 'a:b', '--listen', 'msrp://127.0.0.1:0;ws', '--ws-path', '/ws'],
      {},
      () => '{}',
    );
    expect(listened?.ignored).toBeUndefined();
  }, 20_000);
});
