import type { DigestAlgorithm } from '@msrp-ts/msrp-core';
import { digestHa1, MsrpError } from '@msrp-ts/msrp-core/internal';
import type { Pool } from 'pg';
import { loadPg } from './pg-module.js';

/**
 * Column names of a SIP subscriber table. The defaults are Kamailio's `auth_db` layout
 * (`utils/kamctl/postgres/auth_db-create.sql`, and `sql/subscriber-postgres.sql` here);
 * an empty name means the table has no such column.
 */
export interface SubscriberColumns {
  /** User name. Default `username`. */
  username?: string;
  /**
   * SIP domain, matched against the relay's realm. Default `domain`; empty to look users
   * up by name alone (Kamailio's `use_domain=0`, for one-domain tables).
   */
  domain?: string;
  /** Plain password, read only with `plainPasswords` (Kamailio's `calculate_ha1`). Default `password`. */
  password?: string;
  /** MD5 of `username:realm:password`, hex. Default `ha1`. */
  ha1?: string;
  /** MD5 of `username@domain:realm:password`, for clients that send user@domain. Default `ha1b`. */
  ha1b?: string;
  /** SHA-256 of `username:realm:password`, hex, as OpenSIPS's `ha1_sha256`. Default: none. */
  ha1Sha256?: string;
}

/** One user's secrets as stored; empty columns are left out. */
export interface SubscriberSecrets {
  readonly password?: string;
  readonly ha1?: string;
  readonly ha1b?: string;
  readonly ha1Sha256?: string;
}

const HEX_LENGTH: Record<DigestAlgorithm, number> = { MD5: 32, 'SHA-256': 64 };
const SECRET_COLUMNS = ['password', 'ha1', 'ha1b', 'ha1Sha256'] as const;

/**
 * Why `name` cannot name a subscriber table ("must be ..."), or undefined when it can: an
 * empty part would be quoted as `""`, which PostgreSQL refuses at the first lookup.
 */
export function badTableName(name: string): string | undefined {
  const parts = name.split('.');
  return parts.length > 2 || parts.includes('')
    ? `must be TABLE or SCHEMA.TABLE, not ${JSON.stringify(name)}`
    : undefined;
}

/**
 * A subscriber table: its name and columns, quoted for SQL once, and the queries the relay
 * and `msrp-relay users` run on it. Names are quoted, so they are taken as written
 * (`Subscriber` is not `subscriber`); `schema.table` names a table in another schema.
 */
export class SubscriberTable {
  /** The table name as given. */
  readonly name: string;
  /** The column names, defaults filled in (empty: no such column). */
  readonly columns: Readonly<Required<SubscriberColumns>>;
  readonly #table: string;

  constructor(name = 'subscriber', columns: SubscriberColumns = {}) {
    const bad = badTableName(name);
    if (bad) throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `the table name ${bad}`);
    this.name = name;
    this.columns = {
      username: columns.username ?? 'username',
      domain: columns.domain ?? 'domain',
      password: columns.password ?? 'password',
      ha1: columns.ha1 ?? 'ha1',
      ha1b: columns.ha1b ?? 'ha1b',
      ha1Sha256: columns.ha1Sha256 ?? '',
    };
    if (this.columns.username === '')
      throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'the username column cannot be empty');
    this.#table = name.split('.').map(loadPg().escapeIdentifier).join('.');
  }

  /** The secrets of `username` in `domain`, or undefined when there is no such row. */
  async secrets(
    pool: Pool,
    username: string,
    domain: string,
  ): Promise<SubscriberSecrets | undefined> {
    const present = SECRET_COLUMNS.filter((key) => this.columns[key] !== '');
    if (present.length === 0) return {};
    const select = present.map((key) => `${this.#q(key)} AS "${key}"`).join(', ');
    const { rows } = await pool.query<Record<string, string | null>>(
      `SELECT ${select} FROM ${this.#table} WHERE ${this.#where()} LIMIT 1`,
      this.#keys(username, domain),
    );
    const row = rows[0];
    if (!row) return undefined;
    const secrets: Record<string, string> = {};
    for (const key of present) {
      const value = row[key];
      if (typeof value === 'string' && value !== '') secrets[key] = value;
    }
    return secrets;
  }

  /**
   * Adds `username` in `domain` or replaces its secrets: HA1 (MD5) always, ha1b and the
   * SHA-256 HA1 where the table has those columns, all for realm `domain`; the plain
   * password only when `storePassword` (else the column is left empty).
   * @returns whether the user was new.
   */
  async put(
    pool: Pool,
    user: { username: string; domain: string; password: string; storePassword?: boolean },
  ): Promise<boolean> {
    const { username, domain, password } = user;
    const values: [keyof SubscriberColumns, string][] = [
      ['password', user.storePassword ? password : ''],
      ['ha1', digestHa1('MD5', username, domain, password)],
      ['ha1b', digestHa1('MD5', `${username}@${domain}`, domain, password)],
      ['ha1Sha256', digestHa1('SHA-256', username, domain, password)],
    ];
    const set = values.filter(([key]) => this.columns[key] !== '');
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const keys = this.#keys(username, domain);
      const assignments = set.map(([key], i) => `${this.#q(key)} = $${keys.length + i + 1}`);
      const params = [...keys, ...set.map(([, value]) => value)];
      const updated = await client.query(
        `UPDATE ${this.#table} SET ${assignments.join(', ')} WHERE ${this.#where()}`,
        params,
      );
      const added = updated.rowCount === 0;
      if (added) {
        const names: (keyof SubscriberColumns)[] = ['username'];
        if (this.columns.domain !== '') names.push('domain');
        const all = [...names.map((n) => this.#q(n)), ...set.map(([key]) => this.#q(key))];
        await client.query(
          `INSERT INTO ${this.#table} (${all.join(', ')}) VALUES (${all.map((_, i) => `$${i + 1}`).join(', ')})`,
          params,
        );
      }
      await client.query('COMMIT');
      return added;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /**
   * Reads no row, but names the table and every column configured: throws the database's
   * error when any is missing, or the database cannot be reached or read.
   */
  async check(pool: Pool): Promise<void> {
    const keys = (['username', 'domain', ...SECRET_COLUMNS] as const).filter(
      (key) => this.columns[key] !== '',
    );
    await pool.query(
      `SELECT ${keys.map((key) => this.#q(key)).join(', ')} FROM ${this.#table} LIMIT 0`,
    );
  }

  /** Removes `username` in `domain`; whether there was such a user. */
  async remove(pool: Pool, username: string, domain: string): Promise<boolean> {
    const result = await pool.query(
      `DELETE FROM ${this.#table} WHERE ${this.#where()}`,
      this.#keys(username, domain),
    );
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * The users, sorted, with the domain (when the table has one) and the names of the
   * secrets each has (`password`, `ha1`, `ha1b`, `ha1Sha256`), never the secrets themselves.
   */
  async list(
    pool: Pool,
  ): Promise<{ username: string; domain?: string; secrets: (keyof SubscriberSecrets)[] }[]> {
    const present = SECRET_COLUMNS.filter((key) => this.columns[key] !== '');
    const hasDomain = this.columns.domain !== '';
    const flags = present.map((key) => `COALESCE(${this.#q(key)}, '') <> '' AS "${key}"`);
    const order = hasDomain ? `${this.#q('domain')}, ${this.#q('username')}` : this.#q('username');
    const { rows } = await pool.query<Record<string, string | boolean>>(
      `SELECT ${[`${this.#q('username')} AS "username"`, ...(hasDomain ? [`${this.#q('domain')} AS "domain"`] : []), ...flags].join(', ')} FROM ${this.#table} ORDER BY ${order}`,
    );
    return rows.map((row) => ({
      username: String(row.username),
      ...(hasDomain && { domain: String(row.domain) }),
      secrets: present.filter((key) => row[key] === true),
    }));
  }

  #q(key: keyof SubscriberColumns): string {
    return loadPg().escapeIdentifier(this.columns[key]);
  }

  #where(): string {
    const user = `${this.#q('username')} = $1`;
    return this.columns.domain === '' ? user : `${user} AND ${this.#q('domain')} = $2`;
  }

  #keys(username: string, domain: string): string[] {
    return this.columns.domain === '' ? [username] : [username, domain];
  }
}

/**
 * The HA1 for `algorithm` that a user's row gives, as lowercase hex, or undefined. With
 * `plainPasswords` (Kamailio's `calculate_ha1=1`) it is computed from the password column
 * for the whole digest username; otherwise it is read, as Kamailio's `auth_db` does: `ha1`
 * for a bare username, `ha1b` for one with `@domain` (MD5 only), the SHA-256 column for
 * SHA-256. A stored value that is not hex of the right length is treated as absent.
 */
export function subscriberHa1(
  secrets: SubscriberSecrets,
  digestUsername: string,
  realm: string,
  algorithm: DigestAlgorithm,
  plainPasswords: boolean,
): string | undefined {
  if (plainPasswords) {
    return secrets.password === undefined
      ? undefined
      : digestHa1(algorithm, digestUsername, realm, secrets.password);
  }
  const withDomain = digestUsername.includes('@');
  const stored =
    algorithm === 'MD5'
      ? withDomain
        ? secrets.ha1b
        : secrets.ha1
      : withDomain
        ? undefined
        : secrets.ha1Sha256;
  if (stored === undefined) return undefined;
  const hex = stored.trim().toLowerCase();
  return new RegExp(`^[0-9a-f]{${HEX_LENGTH[algorithm]}}$`).test(hex) ? hex : undefined;
}
