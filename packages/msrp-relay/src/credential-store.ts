import type { DigestAlgorithm } from '@msrp-ts/msrp-core';
import { DIGEST_ALGORITHMS, digestHa1 } from '@msrp-ts/msrp-core/internal';

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
   * with these only (a store of MD5 HA1s alone cannot check a SHA-256 answer). Read at
   * each challenge, so a store may change them when its users change. Default: all the
   * relay supports.
   */
  readonly algorithms?: readonly DigestAlgorithm[] | undefined;
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
  /** How many users of #ha1 have an HA1 for each algorithm. */
  readonly #ha1Count = new Map<DigestAlgorithm, number>();

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
    const had = this.#ha1.get(key);
    const merged = { ...had, ...lowercase(user.ha1) };
    for (const algorithm of Object.keys(merged) as DigestAlgorithm[]) {
      if (had?.[algorithm] === undefined)
        this.#ha1Count.set(algorithm, (this.#ha1Count.get(algorithm) ?? 0) + 1);
    }
    this.#ha1.set(key, merged);
  }

  /**
   * The algorithms every user given by HA1s alone has one for, preferred first: a user with
   * only an MD5 HA1 cannot answer a SHA-256 challenge, and a client answers the first
   * challenge it supports (RFC 7616 §3.7). Undefined when every user can answer any (plain
   * passwords), or when no algorithm serves them all (then each is offered, and some users
   * cannot answer the one their client picks).
   */
  get algorithms(): readonly DigestAlgorithm[] | undefined {
    const users = this.#ha1.size;
    if (users === 0) return undefined;
    const all = DIGEST_ALGORITHMS.filter((a) => this.#ha1Count.get(a) === users);
    return all.length > 0 ? all : undefined;
  }

  /** A user given by HA1s alone who has none for `algorithm`, if any. */
  lacking(algorithm: DigestAlgorithm): string | undefined {
    if (this.#ha1Count.get(algorithm) === this.#ha1.size) return undefined;
    for (const [key, ha1] of this.#ha1) if (ha1[algorithm] === undefined) return userOf(key);
    return undefined;
  }

  /**
   * The users given by HA1s for other realms only (no password): with a relay of `realm`
   * they cannot authenticate, as an HA1 holds its realm.
   */
  outsideRealm(realm: string): string[] {
    const outside = new Set<string>();
    for (const key of this.#ha1.keys()) {
      const user = userOf(key);
      if (!this.#passwords.has(user) && !this.#ha1.has(`${realm}\0${user}`)) outside.add(user);
    }
    return [...outside];
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
