import type { DigestAlgorithm } from '@msrp-ts/msrp-core';
import { DIGEST_ALGORITHMS, parseDigestAlgorithm, MsrpError } from '@msrp-ts/msrp-core/internal';
import {
  StaticCredentialStore,
  type CredentialStore,
  type UserCredential,
} from './credential-store.js';

const HEX_LENGTH: Record<DigestAlgorithm, number> = { MD5: 32, 'SHA-256': 64 };
/** What follows NAME: in an HA1 line, whatever its algorithm: REALM:ALGORITHM:HA1. */
const HA1_SHAPE = /^[^:]*:([^:]*):(?:[0-9a-f]{32}|[0-9a-f]{64})$/i;

/** One line of a users file: a password (any realm), or an HA1 of `realm` by `algorithm`. */
export type UsersFileLine =
  | { username: string; realm?: undefined; algorithm?: undefined; secret: string }
  | { username: string; realm: string; algorithm: DigestAlgorithm; secret: string };

/**
 * Splits one line of a users file into its fields (see {@link parseUsersFile}), unchecked
 * (a line without `:` has an empty `username`); undefined for a blank or comment line.
 */
export function splitUsersFileLine(raw: string): UsersFileLine | undefined {
  const line = raw.replace(/(^|\s)#.*$/, '').trim();
  if (line === '') return undefined;
  const fields = line.split(':');
  if (fields.length < 2) return { username: '', secret: line };
  const username = fields[0]!;
  const algorithm = fields.length === 4 ? parseDigestAlgorithm(fields[2]) : undefined;
  return algorithm
    ? { username, realm: fields[1]!, algorithm, secret: fields[3]! }
    : { username, secret: line.slice(username.length + 1) };
}

/**
 * Parses the users file: one user per line, `#` starts a comment.
 *
 * ```text
 * alice:wonderland                      # NAME:PASSWORD, any realm
 * bob:example.net:MD5:<32 hex digits>   # NAME:REALM:ALGORITHM:HA1 (no password on disk)
 * bob:example.net:SHA-256:<64 hex digits>
 * ```
 * A password may hold `:`, but not be `REALM:WORD:<32 or 64 hex digits>`: that is an HA1 line
 * whose algorithm is misspelt, refused. A user's password, or HA1 of one realm and algorithm,
 * is given once, and a user has a password or HA1s, not both.
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` naming the line that is wrong.
 */
export function parseUsersFile(text: string, source = 'users file'): UserCredential[] {
  const users: UserCredential[] = [];
  /** The line number of each user's password and HA1 of a realm and algorithm. */
  const seen = new Map<string, number>();
  /** The first line giving each user's password, and the first giving one of its HA1s. */
  const firstOfKind = new Map<string, { password?: number; ha1?: number }>();
  // A password serves every realm, an HA1 its own: bob's answer in realm r would be checked
  // against one or the other depending on the algorithm his client picks.
  const oneKind = (line: UsersFileLine, number: number): void => {
    const kind = line.algorithm ? 'ha1' : 'password';
    const kinds = firstOfKind.get(line.username) ?? {};
    const other = kinds[kind === 'ha1' ? 'password' : 'ha1'];
    if (other !== undefined)
      throw new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        `${source}, lines ${other} and ${number}: ${line.username} is given both a password and HA1s; keep one or the other`,
      );
    kinds[kind] ??= number;
    firstOfKind.set(line.username, kinds);
  };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = splitUsersFileLine(raw);
    if (line === undefined) return;
    const bad = (why: string): MsrpError =>
      new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `${source}, line ${index + 1}: ${why}`);
    if (line.username === '') throw bad('expected NAME:PASSWORD');
    // The last would win, silently: an edit appended below the old line, or a stale copy.
    const key = [line.username, line.realm ?? '', line.algorithm ?? ''].join('\0');
    const first = seen.get(key);
    if (first !== undefined) {
      const what = line.algorithm ? `${line.algorithm} HA1 for ${line.realm}` : 'password';
      throw new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        `${source}, lines ${first} and ${index + 1}: both give ${line.username}'s ${what}`,
      );
    }
    seen.set(key, index + 1);
    if (line.algorithm === undefined) {
      // `users add` refuses it too: anyone naming the user would get in.
      if (line.secret === '') throw bad(`${line.username} has an empty password`);
      // `bob:example.net:SHA256:<hex>` is an HA1 line misspelt, not bob's password.
      const algorithm = HA1_SHAPE.exec(line.secret)?.[1];
      if (algorithm !== undefined)
        throw bad(`"${algorithm}" is not MD5 or SHA-256 (NAME:REALM:MD5|SHA-256:HA1)`);
      oneKind(line, index + 1);
      users.push({ username: line.username, password: line.secret });
      return;
    }
    const { algorithm, secret: ha1 } = line;
    if (!new RegExp(`^[0-9a-fA-F]{${HEX_LENGTH[algorithm]}}$`).test(ha1)) {
      throw bad(`${algorithm} HA1 must be ${HEX_LENGTH[algorithm]} hex digits`);
    }
    oneKind(line, index + 1);
    users.push({ username: line.username, realm: line.realm, ha1: { [algorithm]: ha1 } });
  });
  return users;
}

/**
 * The default credential store of `msrp-relay`: the users file (see {@link parseUsersFile}),
 * read at start and again on {@link reload} (the command reloads it on SIGHUP).
 */
export class FileCredentialStore implements CredentialStore {
  readonly path: string;
  #store = new StaticCredentialStore();

  private constructor(path: string) {
    this.path = path;
  }

  /**
   * Reads the file.
   * @throws {MsrpError} `MSRP_ERR_FILE` when it cannot be read (the fs error as `cause`),
   * `MSRP_ERR_INVALID_ARGUMENT` when it cannot be parsed.
   */
  static async open(path: string): Promise<FileCredentialStore> {
    const store = new FileCredentialStore(path);
    await store.reload();
    return store;
  }

  /** Number of users. */
  get size(): number {
    return this.#store.size;
  }

  /** The algorithms every user of the file can answer (see {@link StaticCredentialStore.algorithms}). */
  get algorithms(): readonly DigestAlgorithm[] | undefined {
    return this.#store.algorithms;
  }

  /** See {@link StaticCredentialStore.outsideRealm}. */
  outsideRealm(realm: string): string[] {
    return this.#store.outsideRealm(realm);
  }

  /** Reads the file again; on error the users read before stay in force. */
  async reload(): Promise<void> {
    let text: string;
    try {
      // Loaded on first use: a relay with no users file never loads node:fs/promises.
      text = await process.getBuiltinModule('node:fs/promises').readFile(this.path, 'utf8');
    } catch (e) {
      throw new MsrpError('MSRP_ERR_FILE', `cannot read ${this.path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const store = new StaticCredentialStore(parseUsersFile(text, this.path));
    // The relay challenges with the algorithms every user given by HA1s can answer (see
    // StaticCredentialStore.algorithms): there must be one. Else, for each, a user without it.
    const lacking = DIGEST_ALGORITHMS.map((a) => store.lacking(a));
    if (lacking.every((user) => user !== undefined)) {
      const who = lacking.map((user, k) => `${user} has no ${DIGEST_ALGORITHMS[k]} HA1`);
      throw new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        `${this.path}: no digest algorithm serves every user (${who.join(', ')}); give each user an HA1 of the same algorithm, or a password`,
      );
    }
    this.#store = store;
  }

  ha1(username: string, realm: string, algorithm: DigestAlgorithm): Promise<string | undefined> {
    return this.#store.ha1(username, realm, algorithm);
  }
}
