// `msrp-relay --users-db` and `msrp-relay users add|remove|list` (issue 13), against a real
// PostgreSQL server (test/helpers/postgres.ts).
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestHa1, parseUri } from '@msrp-ts/msrp-core';
import { paramValue } from '@msrp-ts/msrp-core/internal';
import { startPostgres, type PostgresServer } from '../../../test/helpers/postgres.js';
import { resolveConfig } from '../src/cli/config.js';
import { HELP } from '../src/cli/help.js';
import {
  authRequest,
  clientOf,
  endpoint,
  next,
  onCleanup,
  rawClient,
  transact,
  sessionPair,
} from './helpers.js';
import { root, runRelay, tsx } from './relay-command.js';

const REALM = 'example.net';

describe('--users-db configuration', () => {
  const noFile = (): string => {
    throw new Error('no file');
  };

  it('comes from flags, environment or the config file, with table and columns', () => {
    const url = 'postgres://msrp@db/kamailio';
    const flags = resolveConfig(
      [
        ...['--users-db', url, '--users-db-table', 'sip.accounts'],
        ...['--users-db-column', 'ha1-sha256=ha1_sha256', '--users-db-column', 'domain='],
        '--users-db-plain-passwords',
      ],
      {},
      noFile,
    )!;
    expect(flags.usersDb).toEqual({
      url,
      table: 'sip.accounts',
      columns: { ha1Sha256: 'ha1_sha256', domain: '' },
      plainPasswords: true,
    });
    const env = resolveConfig(
      [],
      {
        MSRP_RELAY_USERS_DB: url,
        MSRP_RELAY_USERS_DB_COLUMN: 'username=login,ha1=md5',
        MSRP_RELAY_USERS_DB_PLAIN_PASSWORDS: 'no',
      },
      noFile,
    )!;
    expect(env.usersDb).toEqual({
      url,
      columns: { username: 'login', ha1: 'md5' },
      plainPasswords: false,
    });
    const file = resolveConfig(['--config', 'relay.json'], {}, () =>
      JSON.stringify({ 'users-db': url, 'users-db-plain-passwords': true }),
    )!;
    expect(file.usersDb).toMatchObject({ url, plainPasswords: true });
    expect(HELP).toContain('--users-db URL');
    for (const [args, message] of [
      [['--users-db', 'mysql://db/k'], /postgres:\/\/ URL/],
      [['--users-db', url, '--users-db-column', 'sha=x'], /KEY=NAME/],
    ] as const) {
      expect(() => resolveConfig(args, {}, noFile)).toThrow(message);
    }
    expect(() =>
      resolveConfig(
        [],
        { MSRP_RELAY_USERS_DB: url, MSRP_RELAY_USERS_DB_PLAIN_PASSWORDS: 'maybe' },
        noFile,
      ),
    ).toThrow(/switch/);
  });
});

describe('msrp-relay with --users-db', () => {
  let server: PostgresServer;
  let admin: Pool;

  beforeAll(async () => {
    server = await startPostgres();
    admin = new Pool({ connectionString: server.url, max: 1 });
    // Its connections may still be closing when the server stops: postgres's FATAL
    // admin_shutdown to them then is no failure of the test.
    admin.on('error', () => undefined);
    const sql = await readFile(new URL('../sql/subscriber-postgres.sql', import.meta.url), 'utf8');
    await admin.query(sql);
  }, 60_000);

  afterAll(async () => {
    await admin?.end();
    await server?.close();
  });

  /** Runs `msrp-relay users ...` with `stdin`, on the test's database. */
  const users = (args: string[], stdin?: string) =>
    runRelay(['users', ...args], {
      env: { MSRP_RELAY_USERS_DB: server.url },
      ...(stdin !== undefined && { stdin }),
    });

  it('manages users with `users add|remove|list`, and authenticates them with SHA-256', async () => {
    const [alice1, bob1, carol1] = await Promise.all([
      users(['add', 'alice', 'alice-secret', '--realm', REALM]),
      // The password from standard input, out of the process list.
      users(['add', 'bob', '--realm', REALM], 'bob-secret\n'),
      users(['add', 'carol', 'c', '--realm', REALM, '--store-password']),
    ]);
    expect(alice1).toEqual({ code: 0, stdout: `added alice@${REALM}\n`, stderr: '' });
    expect(bob1).toMatchObject({ code: 0, stdout: `added bob@${REALM}\n` });
    expect(carol1).toMatchObject({ code: 0 });
    expect(
      (await admin.query(`SELECT password FROM subscriber WHERE username = 'carol'`)).rows,
    ).toEqual([{ password: 'c' }]);
    expect(await users(['add', 'carol', 'c2', '--realm', REALM])).toMatchObject({
      stdout: `updated carol@${REALM}\n`,
    });
    const { rows } = await admin.query<Record<string, string>>(
      'SELECT username, domain, password, ha1, ha1b, ha1_sha256 FROM subscriber ORDER BY username',
    );
    expect(rows[0]).toEqual({
      username: 'alice',
      domain: REALM,
      password: '',
      ha1: digestHa1('MD5', 'alice', REALM, 'alice-secret'),
      ha1b: digestHa1('MD5', `alice@${REALM}`, REALM, 'alice-secret'),
      ha1_sha256: digestHa1('SHA-256', 'alice', REALM, 'alice-secret'),
    });
    expect(rows[1]!.ha1).toBe(digestHa1('MD5', 'bob', REALM, 'bob-secret'));
    // Updated without --store-password: the old plain password is gone.
    expect(rows[2]!.password).toBe('');
    // From the workspace root as the README says (the launcher runs the built dist/).
    const viaPnpm = await new Promise<string>((resolve, reject) =>
      execFile(
        'npx',
        ['-y', 'pnpm@10', '--silent', 'msrp-relay', 'users', 'list', '--users-db', server.url],
        { cwd: root },
        (error, stdout) => (error ? reject(new Error(error.message)) : resolve(stdout)),
      ),
    );
    expect(viaPnpm).toBe((await users(['list'])).stdout);
    expect((await users(['list'])).stdout).toBe(
      [`alice@${REALM}`, `bob@${REALM}`, `carol@${REALM}`]
        .map((u) => `${u}\tha1,ha1b,ha1_sha256\n`)
        .join(''),
    );
    expect(await users(['remove', 'carol', '--realm', REALM])).toMatchObject({
      code: 0,
      stdout: `removed carol@${REALM}\n`,
    });
    expect(await users(['remove', 'carol', '--realm', REALM])).toMatchObject({ code: 1 });
    // A user of no name (added before) let a client giving no name in.
    const mistakes = [
      ['frobnicate'],
      ['add'],
      ['list', 'extra'],
      ['add', 'x', '--bogus'],
      ['add', '', 'pw'],
    ];
    const results = await Promise.all(mistakes.map((args) => users(args)));
    for (const result of results) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^msrp-relay users: [^\n]+\n$/);
    }
    expect(results[4]!.stderr).toContain('NAME must be a user name, not ""');

    const child = spawn(
      tsx,
      [
        '--conditions=source',
        'packages/msrp-relay/src/cli/msrp-relay.ts',
        ...['--listen', 'msrp://127.0.0.1:0;tcp', '--metrics', '127.0.0.1:0', '--realm', REALM],
        ...['--users-db-column', 'ha1-sha256=ha1_sha256'],
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, MSRP_RELAY_USERS_DB: server.url },
      },
    );
    onCleanup(() => child.exitCode === null && child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const listening = (await lines.next()).value as string;
    const metricsUrl = ((await lines.next()).value as string).replace(/^metrics /, '');
    const uri = parseUri(listening.slice('listening '.length));
    // With the SHA-256 column named, the relay challenges with SHA-256 first, and clients
    // answer the strongest challenge: alice and bob authenticate with SHA-256.
    const peer = await rawClient(uri.port!);
    const challenge = await transact(peer, authRequest(peer, uri));
    expect(challenge.wwwAuthenticate?.map((c) => paramValue(c.params, 'algorithm'))).toEqual([
      'SHA-256',
      'MD5',
    ]);
    const alice = await clientOf('alice', [uri]);
    const bob = await clientOf('bob', [uri]);
    const { a, b } = await sessionPair(alice, bob);
    await a.send('users from PostgreSQL');
    expect((await next(b[Symbol.asyncIterator]())).text()).toBe('users from PostgreSQL');
    const wrong = endpoint({ relays: [{ uri, username: 'alice', password: 'bob-secret' }] });
    await expect(wrong.authenticate()).rejects.toThrow(/refused the credentials/);
    const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
    // alice and bob each looked up once; alice's second AUTH came from the cache.
    expect(metrics).toMatch(/^msrp_relay_credential_queries_total 2$/m);
    expect(metrics).toMatch(/^msrp_relay_credential_cache_hits_total 1$/m);
    expect(metrics).toMatch(/^msrp_relay_credential_errors_total 0$/m);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('"AUTH succeeded"');
  }, 90_000);
});
