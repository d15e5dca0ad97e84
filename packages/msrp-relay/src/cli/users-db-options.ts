// The options naming the PostgreSQL subscriber table, shared by `msrp-relay` and
// `msrp-relay users`.
import type { SubscriberColumns } from '../subscriber-table.js';
import { UsageError, type OptionReader } from './option-reader.js';

export const USERS_DB_OPTIONS = {
  'users-db': { type: 'string' },
  'users-db-table': { type: 'string' },
  'users-db-column': { type: 'string', multiple: true },
  'users-db-plain-passwords': { type: 'boolean' },
} as const;

export const USERS_DB_HELP = `  --users-db URL            users in PostgreSQL: the SIP subscriber table Kamailio and
                            OpenSIPS use, e.g. postgres://msrp:secret@db.example.net/kamailio
                            (the realm must be the users' domain). Schema:
                            packages/msrp-relay/sql/subscriber-postgres.sql
  --users-db-table NAME     the subscriber table (schema.table allowed). Default subscriber
  --users-db-column KEY=NAME   a column of another name (repeatable), KEY one of username,
                            domain, password, ha1, ha1b, ha1-sha256; empty NAME: no such
                            column (domain= looks users up by name only). SHA-256 digest
                            needs ha1-sha256=ha1_sha256 (OpenSIPS) or plain passwords
  --users-db-plain-passwords   compute HA1s from the password column (Kamailio's
                            calculate_ha1) instead of reading the ha1 columns`;

/** Where the users are in PostgreSQL. */
export interface UsersDbConfig {
  url: string;
  table?: string;
  columns: SubscriberColumns;
  plainPasswords: boolean;
}

const COLUMN_KEYS: Record<string, keyof SubscriberColumns> = {
  username: 'username',
  domain: 'domain',
  password: 'password',
  ha1: 'ha1',
  ha1b: 'ha1b',
  'ha1-sha256': 'ha1Sha256',
};

/**
 * The database options, or undefined without --users-db.
 * @throws {UsageError} for a column given wrong.
 */
export function usersDbConfig(read: OptionReader): UsersDbConfig | undefined {
  const url = read.one('users-db');
  if (url === undefined) return undefined;
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new UsageError(`--users-db must be a postgres:// URL, not "${url}"`);
  const columns: SubscriberColumns = {};
  for (const text of read.many('users-db-column')) {
    const eq = text.indexOf('=');
    const key = COLUMN_KEYS[text.slice(0, Math.max(0, eq))];
    if (eq < 0 || key === undefined)
      throw new UsageError(
        `--users-db-column must be KEY=NAME, KEY one of ${Object.keys(COLUMN_KEYS).join(', ')}; not "${text}"`,
      );
    columns[key] = text.slice(eq + 1);
  }
  const table = read.one('users-db-table');
  return {
    url,
    ...(table !== undefined && { table }),
    columns,
    plainPasswords: read.flag('users-db-plain-passwords'),
  };
}
