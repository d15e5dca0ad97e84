import type { DigestAlgorithm } from '@msrp-ts/msrp-core';
import { MsrpError } from '@msrp-ts/msrp-core/internal';
import type { Pool } from 'pg';
import { CredentialCache, type CredentialCacheOptions } from './credential-cache.js';
import { loadPg } from './pg-module.js';
import type { CredentialStore } from './credential-store.js';
import { silentLogger, type RelayLogger } from './relay-options.js';
import {
  SubscriberTable,
  subscriberHa1,
  type SubscriberColumns,
  type SubscriberSecrets,
} from './subscriber-table.js';

/** Options of a {@link PgCredentialStore}. */
export interface PgCredentialStoreOptions {
  /**
   * Where the database is: `postgres://user:password@host:port/database` (libpq's URI;
   * `?host=/run/postgresql` for a Unix socket). Ignored when `pool` is given.
   */
  connectionString?: string;
  /** A pool of your own (then {@link PgCredentialStore.close} leaves it open). */
  pool?: Pool;
  /** The subscriber table. Default `subscriber`. */
  table?: string;
  /** Its column names. Default Kamailio's (see {@link SubscriberColumns}). */
  columns?: SubscriberColumns;
  /**
   * Compute HA1s from the plain password column instead of reading stored HA1s (Kamailio's
   * `calculate_ha1=1`). Default false: the relay never reads a plain password.
   */
  plainPasswords?: boolean;
  /** The lookup cache. Default: 30 s for users found, 5 s for names not found, 10 000 entries. */
  cache?: CredentialCacheOptions;
  /** Milliseconds to wait for a connection to the database. Default 5 000. */
  connectTimeout?: number;
  /** Milliseconds a lookup may take. Default 5 000. */
  queryTimeout?: number;
  /** Connections at most. Default 10. */
  poolSize?: number;
  /** Where connection errors are logged. Default: nowhere. */
  logger?: RelayLogger;
}

/** Running totals of a {@link PgCredentialStore}. */
export interface CredentialStoreStats {
  /** Lookups asked of the store. */
  lookups: number;
  /** Queries sent to the database. */
  queries: number;
  /** Lookups answered from the cache (or by a query already in flight). */
  cacheHits: number;
  /** Lookups that failed because the database could not answer. */
  errors: number;
}

/**
 * Credentials in the SIP `subscriber` table of PostgreSQL that Kamailio (`auth_db`) or
 * OpenSIPS use, so that the relay shares its users with the SIP servers, and several relay
 * nodes share one database. Lookups go through a short cache with negative caching.
 *
 * When the database cannot answer, {@link ha1} rejects with `MSRP_ERR_CONNECTION` (the
 * relay answers that AUTH with 500); the pool connects again by itself for the next one.
 */
export class PgCredentialStore implements CredentialStore {
  /** The table read. */
  readonly table: SubscriberTable;
  /**
   * SHA-256 and MD5 with plain passwords or a SHA-256 HA1 column, else MD5 alone: the relay
   * challenges with these only.
   */
  readonly algorithms: readonly DigestAlgorithm[];
  /** Lookups, queries, cache hits and errors since the store was made. */
  readonly stats: CredentialStoreStats = { lookups: 0, queries: 0, cacheHits: 0, errors: 0 };
  readonly #pool: Pool;
  readonly #ownPool: boolean;
  readonly #plain: boolean;
  readonly #cache: CredentialCache<SubscriberSecrets>;
  readonly #log: RelayLogger;

  /** @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` for a bad table name or neither URL nor pool. */
  constructor(options: PgCredentialStoreOptions) {
    this.table = new SubscriberTable(options.table, options.columns);
    this.#plain = options.plainPasswords ?? false;
    this.#log = options.logger ?? silentLogger;
    this.#cache = new CredentialCache(options.cache);
    // Without plain passwords, SHA-256 needs its own HA1 column: offer only what can succeed.
    this.algorithms =
      this.#plain || this.table.columns.ha1Sha256 !== '' ? ['SHA-256', 'MD5'] : ['MD5'];
    if (options.pool) {
      this.#pool = options.pool;
      this.#ownPool = false;
    } else {
      if (options.connectionString === undefined)
        throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'PgCredentialStore needs a URL or a pool');
      this.#pool = new (loadPg().Pool)({
        connectionString: options.connectionString,
        max: options.poolSize ?? 10,
        connectionTimeoutMillis: options.connectTimeout ?? 5_000,
        query_timeout: options.queryTimeout ?? 5_000,
        application_name: 'msrp-relay',
      });
      this.#ownPool = true;
    }
    // An idle connection the server dropped (a restart) emits 'error' on the pool; unheard,
    // it would end the process. The pool discards that connection and opens a new one later.
    this.#pool.on('error', (e) => {
      this.#log.warn({ error: e.message }, 'credential database connection lost');
    });
  }

  /** The pool queries go through (for `msrp-relay users` and tests). */
  get pool(): Pool {
    return this.#pool;
  }

  async ha1(
    username: string,
    realm: string,
    algorithm: DigestAlgorithm,
  ): Promise<string | undefined> {
    this.stats.lookups++;
    // Kamailio's auth_db: a digest username `user@domain` is the subscriber `user`.
    const at = username.indexOf('@');
    const user = at < 0 ? username : username.slice(0, at);
    const secrets = await this.#cache.get(
      `${realm}\0${user}`,
      () => this.#query(user, realm),
      () => this.stats.cacheHits++,
    );
    return secrets && subscriberHa1(secrets, username, realm, algorithm, this.#plain);
  }

  /**
   * Checks that the database answers and has the table and columns configured, so that a
   * relay can say so at start rather than at its first AUTH.
   * @throws {MsrpError} `MSRP_ERR_CONNECTION` with the database's reason.
   */
  async check(): Promise<void> {
    try {
      await this.table.check(this.#pool);
    } catch (e) {
      throw databaseError(e);
    }
  }

  /** Forgets what the cache holds (users changed and should count at once). */
  clearCache(): void {
    this.#cache.clear();
  }

  /** Closes the pool, if the store opened it. */
  async close(): Promise<void> {
    if (this.#ownPool) await this.#pool.end();
  }

  async #query(user: string, realm: string): Promise<SubscriberSecrets | undefined> {
    this.stats.queries++;
    try {
      return await this.table.secrets(this.#pool, user, realm);
    } catch (e) {
      this.stats.errors++;
      const error = (e as Error).message;
      this.#log.error({ error, table: this.table.name }, 'credential lookup failed');
      throw databaseError(e);
    }
  }
}

/** `MSRP_ERR_CONNECTION` with the database's reason, its error as the cause. */
function databaseError(e: unknown): MsrpError {
  return new MsrpError('MSRP_ERR_CONNECTION', `credential database: ${(e as Error).message}`, {
    cause: e,
  });
}
