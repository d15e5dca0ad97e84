// The options naming the PostgreSQL subscriber table, shared by `msrp-relay` and
// `msrp-relay users`.
import { badTableName, type SubscriberColumns } from '../subscriber-table.js';
import { UsageError, type OptionReader } from './option-reader.js';

export const USERS_DB_OPTIONS = {
  'users-db': { type: 'string' },
  'users-db-table': { type: 'string' },
  'users-db-column': { type: 'string', multiple: true },
  'users-db-plain-passwords': { type: 'boolean' },
} as const;

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
 * @throws {UsageError} for a table or column given wrong.
 */
export function usersDbConfig(read: OptionReader): UsersDbConfig | undefined {
  const url = read.one('users-db');
  if (url === undefined) {
    // Else ignored: relay.json naming the table while the URL, kept in relay.env, is missing
    // gave a relay without the database, its users unknown, and nothing said why.
    const orphan = [
      read.one('users-db-table') !== undefined && 'users-db-table',
      read.many('users-db-column').length > 0 && 'users-db-column',
      read.flag('users-db-plain-passwords') && 'users-db-plain-passwords',
    ].find((name) => name !== false);
    if (orphan)
      throw new UsageError(
        `${read.source(orphan)} is given without --users-db (MSRP_RELAY_USERS_DB), the database it is for`,
      );
    return undefined;
  }
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new UsageError(`--users-db must be a postgres:// URL, not "${redactUrl(url)}"`);
  // Else the relay starts, and every AUTH gets 500 "Invalid URL" for as long as it runs.
  if (!pgCanParse(url))
    throw new UsageError(
      `--users-db "${redactUrl(url)}" is not a URL (a port above 65535? a / # ? or @ in the password must be %-encoded)`,
    );
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
  // Checked here, not at the table's first use: a usage error, not a stack trace.
  if (columns.username === '')
    throw new UsageError('--users-db-column username= cannot be empty: users are found by it');
  const table = read.one('users-db-table');
  const badTable = table === undefined ? undefined : badTableName(table);
  if (badTable) throw new UsageError(`--users-db-table ${badTable}`);
  return {
    url,
    ...(table !== undefined && { table }),
    columns,
    plainPasswords: read.flag('users-db-plain-passwords'),
  };
}

/**
 * `url` with its password replaced by `***`, to be shown: a usage error goes to the journal,
 * which more people read than relay.env (mode 0600). The userinfo is taken to end at the last
 * `@` (an unescaped `@`, `/` or `#` in the password is a likely reason for the error), so a
 * later `@` hides more than the password, never less; a `password=` parameter is hidden too.
 */
export function redactUrl(url: string): string {
  const scheme = url.indexOf('://');
  const colon = url.indexOf(':', scheme < 0 ? 0 : scheme + 3);
  const at = url.lastIndexOf('@');
  const hidden = colon >= 0 && colon < at ? `${url.slice(0, colon + 1)}***${url.slice(at)}` : url;
  return hidden.replace(/([?&]password=)[^&]*/gi, '$1***');
}

/**
 * Whether pg can read `url` as a connection string: pg-connection-string (pg 8) parses it as a
 * WHATWG URL, spaces and stray `%` encoded first, and again with a host put in where it has
 * none (`postgres://msrp@/kamailio?host=/run/postgresql`).
 */
function pgCanParse(url: string): boolean {
  let text = url;
  if (/ |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(url)) {
    try {
      text = encodeURI(url).replace(/%25(\d\d)/g, '%$1');
    } catch {
      return false; // A lone surrogate: pg's encodeURI throws too.
    }
  }
  return URL.canParse(text) || URL.canParse(text.replace('@/', '@___DUMMY___/'));
}
