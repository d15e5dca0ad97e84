// The --users-db options as an operator gets them wrong: each mistake must be one line on
// stderr and exit 2 ("Exit codes: 0 after a clean shutdown, 2 usage error, 3 cannot listen"),
// and the database password in the URL must never be printed. No database is needed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/cli/config.js';
import { redactUrl } from '../src/cli/users-db-options.js';
import { runRelay, runToExit } from './relay-command.js';

const LISTEN = ['--listen', 'msrp://127.0.0.1:0;tcp'];
const DB = 'postgres://msrp:db-topsecret@127.0.0.1:1/kamailio';

describe('msrp-relay --users-db mistakes', () => {
  // A bad --users-db-table or --users-db-column gave a stack trace and exit 1.
  it('a bad --users-db-table or --users-db-column: one line on stderr, exit 2, no stack trace', async () => {
    const results = await Promise.all([
      runToExit([...LISTEN, '--users-db', DB, '--users-db-table', 'a.b.c']),
      runToExit([...LISTEN, '--users-db', DB, '--users-db-table=']),
      runToExit([...LISTEN, '--users-db', DB, '--users-db-column', 'username=']),
      // `users` refused them only once connected, with exit 1.
      runRelay(['users', 'list', '--users-db', DB, '--users-db-table', 'sip.']),
    ]);
    for (const result of results) {
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stderr).toMatch(/^msrp-relay( users)?: --users-db-(table|column)[^\n]+\n$/);
      expect(result.code, result.stderr).toBe(2);
    }
  }, 20_000);

  // docs/operators.md: the URL "holds the database password": keep it in relay.env, mode 0600.
  // A usage error goes to the journal (readable by the adm group): it must not repeat it.
  it('refusing a --users-db URL of the wrong scheme does not print its password', async () => {
    const url = 'postgresql+psycopg://msrp:db-topsecret@db.example.net/kamailio';
    const [relay, users] = await Promise.all([
      runToExit([...LISTEN, '--users-db', url]),
      runRelay(['users', 'list', '--users-db', url]),
    ]);
    for (const result of [relay, users]) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^msrp-relay( users)?: --users-db[^\n]*\n$/);
      expect(result.stderr).not.toContain('db-topsecret');
    }
    expect(relay.stderr).toContain('"postgresql+psycopg://msrp:***@db.example.net/kamailio"');
  }, 20_000);

  // A URL no client library can parse (port 99999) is a usage error (exit 2), as
  // `--metrics 127.0.0.1:99999` and `--listen msrp://127.0.0.1:99999;tcp` are; the relay
  // started and answered every AUTH 500 ("credential database: Invalid URL") for ever.
  it('a --users-db URL that cannot be parsed is refused at start', async () => {
    const url = 'postgres://msrp:db-topsecret@127.0.0.1:99999/kamailio';
    const [relay, users] = await Promise.all([
      runToExit([...LISTEN, '--users-db', url]),
      runRelay(['users', 'list', '--users-db', url]),
    ]);
    expect(relay.started, relay.stderr).toBe(false);
    for (const result of [relay, users]) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^msrp-relay( users)?: --users-db[^\n]*\n$/);
      expect(result.stderr).not.toContain('db-topsecret');
    }
    // What pg reads stays accepted: a Unix socket given as host=, no host at all.
    for (const good of [
      'postgres://msrp@/kamailio?host=/run/postgresql',
      'postgresql:///kamailio',
      'postgres://msrp:pass word@db.example.net:5432/kamailio?sslmode=require',
    ]) {
      const config = resolveConfig(['--users-db', good], {}, () => '{}');
      expect(config?.usersDb?.url).toBe(good);
    }
  }, 20_000);

  it('hides the password of the URL, wherever it stands', () => {
    for (const [url, shown] of [
      ['x://msrp:db-topsecret@db/k', 'x://msrp:***@db/k'],
      // Unescaped, it ends the userinfo early for a URL parser: all up to the last @ goes.
      ['x://msrp:db/top#secret@db:5432/k', 'x://msrp:***@db:5432/k'],
      [
        'x://db/k?user=msrp&password=db-topsecret&sslmode=require',
        'x://db/k?user=msrp&password=***&sslmode=require',
      ],
      ['x://msrp@db:5432/k', 'x://msrp@db:5432/k'],
      // The scheme forgotten.
      ['msrp:db-topsecret@db/k', 'msrp:***@db/k'],
    ]) {
      expect(redactUrl(url!)).toBe(shown);
    }
  });

  // docs/operators.md puts the URL in relay.env and the table in relay.json: with relay.env
  // missing, the relay started with its users file alone, the table silently unused, and the
  // database's users got 401s with nothing in the log saying why.
  it('an option of the database without --users-db is refused, naming where it was given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ops-users-db-'));
    try {
      const json = join(dir, 'relay.json');
      await writeFile(json, JSON.stringify({ 'users-db-table': 'sip.accounts', user: ['a:b'] }));
      const users = join(dir, 'users');
      await writeFile(users, 'bob:b\n');
      const [file, flag, env, switched, usersCommand] = await Promise.all([
        runToExit([...LISTEN, '--config', json]),
        runToExit([...LISTEN, '--user', 'a:b', '--users-db-column', 'domain=']),
        runToExit([...LISTEN, '--user', 'a:b'], {
          env: { MSRP_RELAY_USERS_DB_PLAIN_PASSWORDS: 'true' },
        }),
        runToExit([...LISTEN, '--user', 'a:b', '--users-db-plain-passwords']),
        runRelay(['users', 'list', '--users', users, '--users-db-table', 'sip.accounts']),
      ]);
      for (const result of [file, flag, env, switched]) {
        expect(result.started, result.stderr).toBe(false);
        expect(result.code, result.stderr).toBe(2);
      }
      expect(usersCommand.code, usersCommand.stderr).toBe(2);
      const without = 'is given without --users-db';
      expect(file.stderr).toMatch(
        new RegExp(`^msrp-relay: "users-db-table" in ${json} ${without}[^\n]*\n$`),
      );
      expect(flag.stderr).toMatch(new RegExp(`^msrp-relay: --users-db-column ${without}`));
      expect(env.stderr).toMatch(
        new RegExp(`^msrp-relay: MSRP_RELAY_USERS_DB_PLAIN_PASSWORDS ${without}`),
      );
      expect(switched.stderr).toMatch(
        new RegExp(`^msrp-relay: --users-db-plain-passwords ${without}`),
      );
      expect(usersCommand.stderr).toMatch(
        new RegExp(`^msrp-relay users: --users-db-table ${without}[^\n]*\n$`),
      );
      // Switched off, as relay.example.json has it, the switch asks for nothing.
      expect(
        resolveConfig(
          ['--user', 'a:b', '--config', 'relay.json'],
          {},
          () => '{"users-db-plain-passwords": false}',
        )?.usersDb,
      ).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
