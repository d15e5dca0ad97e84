// The PostgreSQL users database going down under a running relay and coming back, as an
// operator meets it: sessions granted stay, new AUTHs get 500, then succeed again.
import { readFile } from 'node:fs/promises';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUri } from '@msrp-ts/msrp-core';
import { answerChallenge } from '@msrp-ts/msrp-core/internal';
import { startPostgres, type PostgresServer } from '../../../test/helpers/postgres.js';
import { authRequest, clientOf, next, rawClient, sessionPair, transact } from './helpers.js';
import { runningRelay } from './ops-relay.js';
import { runRelay } from './relay-command.js';

const REALM = 'example.net';
const NOT_USABLE = "credential database not usable (its users' AUTHs get 500)";
let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
  const admin = new Pool({ connectionString: server.url, max: 1 });
  admin.on('error', () => undefined);
  await admin.query(
    await readFile(new URL('../sql/subscriber-postgres.sql', import.meta.url), 'utf8'),
  );
  await admin.end();
  for (const [name, password] of [
    ['alice', 'alice-secret'],
    ['bob', 'bob-secret'],
  ]) {
    const added = await runRelay(['users', 'add', name!, password!, '--realm', REALM], {
      env: { MSRP_RELAY_USERS_DB: server.url },
    });
    expect(added.code, added.stderr).toBe(0);
  }
}, 60_000);
afterAll(() => server?.close());

describe('the users database down and back', () => {
  it('sessions up keep forwarding, new AUTHs get 500 while it is down and succeed once it is back', async () => {
    const relay = await runningRelay(
      ['--listen', 'msrp://127.0.0.1:0;tcp', '--metrics', '127.0.0.1:0', '--realm', REALM],
      { MSRP_RELAY_USERS_DB: server.url },
    );
    const uri = relay.uris[0]!;
    const alice = await clientOf('alice', [uri]);
    const bob = await clientOf('bob', [uri]);
    const { a, b } = await sessionPair(alice, bob);
    const inbox = b[Symbol.asyncIterator]();

    await server.stop();
    // SIGHUP empties the cache: every lookup now needs the database.
    await relay.sighup();
    const peer = await rawClient(uri.port!);
    const challenge = await transact(peer, authRequest(peer, uri));
    expect(challenge.statusCode).toBe(401);
    const authorization = answerChallenge(
      challenge.wwwAuthenticate ?? [],
      { username: 'bob', password: 'bob-secret' },
      formatUri(uri),
    );
    const refused = await transact(peer, authRequest(peer, uri, { authorization }));
    expect(refused.statusCode).toBe(500);
    await a.send('while the database is down');
    expect((await next(inbox)).text()).toBe('while the database is down');
    const health = await fetch(`${relay.metrics}/health`);
    expect(health.status).toBe(200);

    await server.start();
    // The same client, once more: the next AUTH is checked against the database again.
    await clientOf('bob', [uri]);
    const metrics = await (await fetch(`${relay.metrics}/metrics`)).text();
    expect(metrics).toMatch(/^msrp_relay_credential_errors_total [1-9]/m);

    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    expect(relay.stderr()).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('says at start whether the database can be read: up, a wrong table or column, down', async () => {
    const start = (args: string[] = []): ReturnType<typeof runningRelay> =>
      runningRelay(['--listen', 'msrp://127.0.0.1:0;tcp', '--realm', REALM, ...args], {
        MSRP_RELAY_USERS_DB: server.url,
      });
    const up = await start();
    expect(await up.logged('credential database ready', 1)).toContain('"table":"subscriber"');
    const wrongTable = await start(['--users-db-table', 'subscribers']);
    expect(await wrongTable.logged(NOT_USABLE, 1)).toContain(
      'relation \\"subscribers\\" does not exist',
    );
    const wrongColumn = await start(['--users-db-column', 'ha1=hash']);
    expect(await wrongColumn.logged(NOT_USABLE, 1)).toContain('column \\"hash\\" does not exist');
    await server.stop();
    try {
      const down = await start();
      expect(await down.logged(NOT_USABLE, 1)).toMatch(/"error":"credential database: [^"]+"/);
      expect(down.count('credential database ready')).toBe(0);
    } finally {
      await server.start();
    }
  }, 60_000);

  it('stops at once on SIGTERM while the database is down', async () => {
    await server.stop();
    try {
      const relay = await runningRelay(['--listen', 'msrp://127.0.0.1:0;tcp', '--realm', REALM], {
        MSRP_RELAY_USERS_DB: server.url,
      });
      const uri = relay.uris[0]!;
      const peer = await rawClient(uri.port!);
      const challenge = await transact(peer, authRequest(peer, uri));
      const authorization = answerChallenge(
        challenge.wwwAuthenticate ?? [],
        { username: 'bob', password: 'bob-secret' },
        formatUri(uri),
      );
      expect((await transact(peer, authRequest(peer, uri, { authorization }))).statusCode).toBe(
        500,
      );
      const t0 = Date.now();
      relay.child.kill('SIGTERM');
      expect(await relay.exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(3000);
    } finally {
      await server.start();
    }
  }, 60_000);
});
