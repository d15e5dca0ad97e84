// Credentials in PostgreSQL (issue 13): a relay reading Kamailio's subscriber table on a real
// PostgreSQL server (test/helpers/postgres.ts), its cache, and the database going away.
import { readFile } from 'node:fs/promises';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestHa1, type DigestAlgorithm } from '@msrp-ts/msrp-core';
import { startPostgres, type PostgresServer } from '../../../test/helpers/postgres.js';
import {
  createRelayMetrics,
  PgCredentialStore,
  SubscriberTable,
  type CredentialStore,
  type PgCredentialStoreOptions,
} from '../src/index.js';
import { clientOf, endpoint, next, onCleanup, startRelay, USERS, sessionPair } from './helpers.js';

const REALM = 'example.net';
const SCHEMA_SQL = new URL('../sql/subscriber-postgres.sql', import.meta.url);

let server: PostgresServer;
let admin: Pool;
let schemas = 0;

beforeAll(async () => {
  server = await startPostgres();
  admin = new Pool({ connectionString: server.url, max: 2 });
  // Its connections may still be closing when the server stops: postgres's FATAL
  // admin_shutdown to them then is no failure of the test.
  admin.on('error', () => undefined);
}, 60_000);

afterAll(async () => {
  await admin?.end();
  await server?.close();
});

/** A fresh schema holding the repository's subscriber table; its qualified table name. */
async function subscriberTable(pool: Pool = admin): Promise<string> {
  const schema = `t${++schemas}`;
  const sql = await readFile(SCHEMA_SQL, 'utf8');
  await pool.query(
    `CREATE SCHEMA ${schema}; SET search_path TO ${schema}; ${sql}; RESET search_path`,
  );
  return `${schema}.subscriber`;
}

/** A store on `table` (closed after the test). */
function store(options: Partial<PgCredentialStoreOptions>, url = server.url): PgCredentialStore {
  const s = new PgCredentialStore({ connectionString: url, ...options });
  onCleanup(() => s.close());
  return s;
}

/** `store`, recording the algorithm of each lookup. */
function recording(s: CredentialStore, seen: DigestAlgorithm[]): CredentialStore {
  return {
    ...(s.algorithms && { algorithms: s.algorithms }),
    ha1: (username, realm, algorithm) => {
      seen.push(algorithm);
      return s.ha1(username, realm, algorithm);
    },
  };
}

/** alice and bob in `table`, HA1s only, SHA-256 too. */
async function addUsers(table: string, pool: Pool = admin): Promise<void> {
  const t = new SubscriberTable(table, { ha1Sha256: 'ha1_sha256' });
  for (const { username, password } of USERS)
    await t.put(pool, { username, domain: REALM, password });
}

describe('PgCredentialStore', () => {
  it('authenticates alice with MD5 from the ha1 column, and refuses a wrong password', async () => {
    const table = await subscriberTable();
    await addUsers(table);
    const s = store({ table });
    expect(s.algorithms).toEqual(['MD5']);
    const seen: DigestAlgorithm[] = [];
    const { uri } = await startRelay({ realm: REALM, credentials: recording(s, seen) });
    const alice = await clientOf('alice', [uri]);
    expect(alice.usePath).toHaveLength(1);
    expect(seen).toEqual(['MD5']);
    const wrong = endpoint({ relays: [{ uri, username: 'alice', password: 'nope' }] });
    await expect(wrong.authenticate()).rejects.toThrow(/refused the credentials/);
    const nobody = endpoint({ relays: [{ uri, username: 'mallory', password: 'x' }] });
    await expect(nobody.authenticate()).rejects.toThrow(/refused the credentials/);
    // No plain password was written.
    const { rows } = await admin.query<{ password: string }>(`SELECT password FROM ${table}`);
    expect(rows.map((r) => r.password)).toEqual(['', '']);
  });

  it('authenticates with SHA-256 from the ha1_sha256 column (OpenSIPS)', async () => {
    const table = await subscriberTable();
    await addUsers(table);
    const s = store({ table, columns: { ha1Sha256: 'ha1_sha256' } });
    expect(s.algorithms).toEqual(['SHA-256', 'MD5']);
    const seen: DigestAlgorithm[] = [];
    const { uri } = await startRelay({ realm: REALM, credentials: recording(s, seen) });
    await clientOf('bob', [uri]);
    expect(seen).toEqual(['SHA-256']);
    const wrong = endpoint({ relays: [{ uri, username: 'bob', password: 'alice-secret' }] });
    await expect(wrong.authenticate()).rejects.toThrow(/refused the credentials/);
  });

  it('uses ha1b for user@domain, and plain passwords only when told to', async () => {
    const table = await subscriberTable();
    const t = new SubscriberTable(table);
    await t.put(admin, { username: 'alice', domain: REALM, password: 'pw', storePassword: true });
    const hashed = store({ table });
    expect(await hashed.ha1('alice@example.net', REALM, 'MD5')).toBe(
      digestHa1('MD5', 'alice@example.net', REALM, 'pw'),
    );
    expect(await hashed.ha1('alice', REALM, 'MD5')).toBe(digestHa1('MD5', 'alice', REALM, 'pw'));
    // No SHA-256 column and no plain passwords: no SHA-256 secret.
    expect(await hashed.ha1('alice', REALM, 'SHA-256')).toBeUndefined();
    // Another domain is another user.
    expect(await hashed.ha1('alice', 'other.net', 'MD5')).toBeUndefined();

    const plain = store({ table, plainPasswords: true });
    expect(plain.algorithms).toEqual(['SHA-256', 'MD5']);
    expect(await plain.ha1('alice', REALM, 'SHA-256')).toBe(
      digestHa1('SHA-256', 'alice', REALM, 'pw'),
    );
    // A row whose HA1 is not hex of the right length is no secret at all.
    await admin.query(`UPDATE ${table} SET ha1 = 'not-a-hash'`);
    expect(await store({ table }).ha1('alice', REALM, 'MD5')).toBeUndefined();
  });

  it('reads a table and columns of other names, with or without a domain column', async () => {
    await admin.query(
      `CREATE TABLE "Accounts" (login TEXT PRIMARY KEY, realm TEXT, md5 TEXT, sha TEXT)`,
    );
    onCleanup(() => admin.query(`DROP TABLE "Accounts"`));
    const columns = {
      username: 'login',
      domain: 'realm',
      password: '',
      ha1: 'md5',
      ha1b: '',
      ha1Sha256: 'sha',
    };
    const t = new SubscriberTable('Accounts', columns);
    expect(await t.put(admin, { username: 'alice', domain: REALM, password: 'alice-secret' })).toBe(
      true,
    );
    expect(await t.put(admin, { username: 'alice', domain: REALM, password: 'alice-secret' })).toBe(
      false,
    );
    const { rows } = await admin.query<Record<string, string>>(`SELECT * FROM "Accounts"`);
    expect(rows).toEqual([
      {
        login: 'alice',
        realm: REALM,
        md5: digestHa1('MD5', 'alice', REALM, 'alice-secret'),
        sha: digestHa1('SHA-256', 'alice', REALM, 'alice-secret'),
      },
    ]);
    const { uri } = await startRelay({
      realm: REALM,
      credentials: store({ table: 'Accounts', columns }),
    });
    await clientOf('alice', [uri]);

    // Without a domain column users are looked up by name alone (Kamailio's use_domain=0).
    const byName = store({ table: 'Accounts', columns: { ...columns, domain: '' } });
    expect(await byName.ha1('alice', REALM, 'MD5')).toBe(
      digestHa1('MD5', 'alice', REALM, 'alice-secret'),
    );
    expect(await t.list(admin)).toEqual([
      { username: 'alice', domain: REALM, secrets: ['ha1', 'ha1Sha256'] },
    ]);
    expect(await t.remove(admin, 'alice', REALM)).toBe(true);
    expect(await t.remove(admin, 'alice', REALM)).toBe(false);
  });

  it('asks the database once for a flood of AUTHs for one user, and once for an unknown one', async () => {
    const table = await subscriberTable();
    await addUsers(table);
    const s = store({ table });
    const { uri } = await startRelay({ realm: REALM, credentials: s });
    await Promise.all(Array.from({ length: 10 }, () => clientOf('alice', [uri])));
    expect(s.stats).toMatchObject({ lookups: 10, queries: 1, cacheHits: 9, errors: 0 });
    const strangers = Array.from({ length: 10 }, () =>
      endpoint({ relays: [{ uri, username: 'mallory', password: 'guess' }] }).authenticate(),
    );
    for (const result of await Promise.allSettled(strangers))
      expect(result.status).toBe('rejected');
    expect(s.stats).toMatchObject({ lookups: 20, queries: 2, cacheHits: 18 });
    // Negative entries expire: a user added since is found after negativeTtl.
    const quick = store({ table, cache: { negativeTtl: 1 } });
    expect(await quick.ha1('carol', REALM, 'MD5')).toBeUndefined();
    await new SubscriberTable(table).put(admin, {
      username: 'carol',
      domain: REALM,
      password: 'c',
    });
    // The next lookup after negativeTtl asks again: poll, bounded.
    const deadline = Date.now() + 5000;
    while ((await quick.ha1('carol', REALM, 'MD5')) === undefined) {
      if (Date.now() > deadline) throw new Error('carol still cached as unknown after 5 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await quick.ha1('carol', REALM, 'MD5')).toBe(digestHa1('MD5', 'carol', REALM, 'c'));
  });
});

describe('PgCredentialStore when the database goes away', () => {
  it('answers AUTH with 500, counts it, keeps sessions working, and recovers when it is back', async () => {
    const db = await startPostgres();
    onCleanup(() => db.close());
    const pool = new Pool({ connectionString: db.url, max: 1 });
    pool.on('error', () => undefined);
    const table = await subscriberTable(pool);
    await addUsers(table, pool);
    await new SubscriberTable(table).put(pool, { username: 'carol', domain: REALM, password: 'c' });
    await pool.end();
    const s = store({ table, connectTimeout: 2000 }, db.url);
    const { relay, uri } = await startRelay({ realm: REALM, credentials: s });
    const registry = createRelayMetrics(relay, { processMetrics: false });
    const alice = await clientOf('alice', [uri]);
    const bob = await clientOf('bob', [uri]);

    await db.stop();
    const carol = (): Promise<unknown> =>
      endpoint({ relays: [{ uri, username: 'carol', password: 'c' }] }).authenticate();
    await expect(carol()).rejects.toMatchObject({ status: 500 });
    expect(s.stats.errors).toBe(1);
    expect(await registry.metrics()).toMatch(
      /^msrp_relay_auth_failures_total\{reason="unavailable"\} 1$/m,
    );
    // Sessions granted before need no database.
    const { a, b } = await sessionPair(alice, bob);
    await a.send('still here');
    expect((await next(b[Symbol.asyncIterator]())).text()).toBe('still here');

    await db.start();
    // The pool connects again by itself: no restart of the relay or the store.
    await carol();
    expect(s.stats.errors).toBe(1);
  });
});
