// The --users-db options as an operator gets them wrong: each mistake must be one line on
// stderr and exit 2 ("Exit codes: 0 after a clean shutdown, 2 usage error, 3 cannot listen"),
// and the database password in the URL must never be printed. No database is needed.
import { describe, expect, it } from 'vitest';
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
});
