import type { DigestAlgorithm } from '@msrp-ts/msrp-core';
import { digestHa1 } from '@msrp-ts/msrp-core/internal';

/**
 * Where the relay looks up the secrets of its users. Shaped after the subscriber tables SIP
 * servers keep (username, realm, HA1 per algorithm), so that a store backed by such a
 * database is one small class: the relay never needs a plain password.
 */
export interface CredentialStore {
  /**
   * `H(username:realm:password)` for `algorithm`, as lowercase hex, or undefined when the
   * user is unknown in that realm (or has no secret for that algorithm).
   */
  ha1(username: string, realm: string, algorithm: DigestAlgorithm): Promise<string | undefined>;
  /**
   * The algorithms this store can give an HA1 for, preferred first; the relay challenges
   * with these only (a store of MD5 HA1s alone cannot check a SHA-256 answer). Default:
   * all the relay supports.
   */
  readonly algorithms?: readonly DigestAlgorithm[];
}

/** One user of a {@link StaticCredentialStore}: a plain password, or precomputed HA1s. */
export type UserCredential =
  | { readonly username: string; readonly password: string }
  | {
      readonly username: string;
      readonly realm: string;
      readonly ha1: Partial<Readonly<Record<DigestAlgorithm, string>>>;
    };

/**
 * A credential store held in memory: what `--user NAME:PASSWORD` and the users file give.
 * A plain password serves every realm; an HA1 only the realm it was computed for.
 */
export class StaticCredentialStore implements CredentialStore {
  readonly #passwords = new Map<string, string>();
  readonly #ha1 = new Map<string, Partial<Record<DigestAlgorithm, string>>>();

  constructor(users: Iterable<UserCredential> = []) {
    for (const user of users) this.add(user);
  }

  /** Number of users. */
  get size(): number {
    return new Set([...this.#passwords.keys(), ...[...this.#ha1.keys()].map(userOf)]).size;
  }

  /** Adds or replaces a user. */
  add(user: UserCredential): void {
    if ('password' in user) {
      this.#passwords.set(user.username, user.password);
      return;
    }
    const key = `${user.realm}\0${user.username}`;
    this.#ha1.set(key, { ...this.#ha1.get(key), ...lowercase(user.ha1) });
  }

  ha1(username: string, realm: string, algorithm: DigestAlgorithm): Promise<string | undefined> {
    const stored = this.#ha1.get(`${realm}\0${username}`)?.[algorithm];
    if (stored !== undefined) return Promise.resolve(stored);
    const password = this.#passwords.get(username);
    return Promise.resolve(
      password === undefined ? undefined : digestHa1(algorithm, username, realm, password),
    );
  }
}

function userOf(key: string): string {
  return key.slice(key.indexOf('\0') + 1);
}

function lowercase(
  ha1: Partial<Readonly<Record<DigestAlgorithm, string>>>,
): Partial<Record<DigestAlgorithm, string>> {
  const out: Partial<Record<DigestAlgorithm, string>> = {};
  for (const [algorithm, value] of Object.entries(ha1) as [DigestAlgorithm, string][]) {
    out[algorithm] = value.toLowerCase();
  }
  return out;
}
