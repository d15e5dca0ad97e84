// SIGHUP: the command rereads what can change without a restart (users, TLS certificate).
import type { TlsServerOptions } from '@msrp-ts/msrp-core';
import type { FileCredentialStore } from '../file-credential-store.js';
import type { PgCredentialStore } from '../pg-credential-store.js';

/** The part of pino the reload logs with. */
interface ReloadLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** What a reload rereads: each part is optional. */
export interface Reloadable {
  readonly log: ReloadLog;
  /** `--realm`: the users file's HA1s must be of it. */
  readonly realm: string;
  /** `--users`: reread. */
  readonly fileStore?: FileCredentialStore | undefined;
  /** `--users-db`: its cache forgotten. */
  readonly dbStore?: PgCredentialStore | undefined;
  /** `--tls-cert`/`--tls-key`: reread and given to the listeners with `apply`. */
  readonly tls?: { cert: string; key: string; apply(tls: TlsServerOptions): number } | undefined;
}

/**
 * Rereads every part of `what`; a part that fails is logged as an error and keeps what it had
 * (the old users, the old certificate). Ends with one "reloaded" line naming what was reloaded
 * and what failed. Never throws.
 */
export async function reload(what: Reloadable): Promise<void> {
  const { log, fileStore, dbStore, tls } = what;
  const reloaded: string[] = [];
  const failed: string[] = [];
  if (dbStore) {
    dbStore.clearCache();
    reloaded.push('users-db cache');
  }
  if (fileStore) {
    try {
      const before = fileStore.size;
      await fileStore.reload();
      log.info({ users: fileStore.size }, 'users file reloaded');
      // Taken as it is (removing every user may be meant), but said: a file truncated by an
      // editor or a failed deploy locks every user of it out.
      if (fileStore.size === 0 && before > 0) {
        log.warn({ users: 0, before }, 'users file reloaded empty: none of its users can AUTH');
      }
      warnOutsideRealm(log, fileStore, what.realm);
      reloaded.push('users');
    } catch (e) {
      log.error({ error: (e as Error).message }, 'users file not reloaded');
      failed.push('users');
    }
  }
  if (tls) {
    try {
      const { readFile } = process.getBuiltinModule('node:fs/promises');
      const [cert, key] = await Promise.all([readFile(tls.cert), readFile(tls.key)]);
      const listeners = tls.apply({ cert, key });
      log.info({ cert: tls.cert, key: tls.key, listeners }, 'TLS certificate reloaded');
      reloaded.push('tls');
    } catch (e) {
      const error = (e as Error).message;
      log.error(
        { cert: tls.cert, key: tls.key, error },
        'TLS certificate not reloaded, old one kept',
      );
      failed.push('tls');
    }
  }
  log.info({ reloaded, failed }, 'reloaded');
}

/**
 * Logs the users of the file that no AUTH can authenticate: given by HA1s of another realm
 * than the relay's (an HA1 holds its realm; `--realm` was likely forgotten).
 */
export function warnOutsideRealm(log: ReloadLog, store: FileCredentialStore, realm: string): void {
  const users = store.outsideRealm(realm);
  if (users.length === 0) return;
  log.warn(
    { users: users.slice(0, 10), count: users.length, realm, file: store.path },
    "users file: these users' HA1s are of another realm than the relay's (--realm): they cannot authenticate",
  );
}
