/** Options of a {@link CredentialCache}. */
export interface CredentialCacheOptions {
  /** Milliseconds a user found stays cached. Default 30 000; 0 disables caching. */
  ttl?: number;
  /**
   * Milliseconds a user not found stays cached, so that AUTHs for a name that does not
   * exist do not each cost a query. Default 5 000 (a user just added can log in soon).
   */
  negativeTtl?: number;
  /** Entries kept at most, found and not found; the oldest go first. Default 10 000. */
  maxEntries?: number;
}

interface Entry<V> {
  readonly value: V | undefined;
  readonly expires: number;
}

/**
 * A bounded cache of credential lookups with a short TTL and negative caching, in front
 * of a database: a flood of AUTHs for one user (or for one unknown name) is one query per
 * TTL. Concurrent lookups of one key share the query in flight. Failed lookups are not
 * cached: the next AUTH asks again.
 */
export class CredentialCache<V> {
  readonly #ttl: number;
  readonly #negativeTtl: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry<V>>();
  readonly #pending = new Map<string, Promise<V | undefined>>();
  /** Bumped by {@link clear}: lookups begun before it are not cached. */
  #generation = 0;

  /** @param now The clock, in milliseconds. Default `Date.now`. */
  constructor(options: CredentialCacheOptions = {}, now: () => number = Date.now) {
    this.#ttl = options.ttl ?? 30_000;
    this.#negativeTtl = options.negativeTtl ?? 5_000;
    this.#maxEntries = Math.max(1, options.maxEntries ?? 10_000);
    this.#now = now;
  }

  /** Entries held now (expired ones included until they are looked up or pushed out). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The cached value of `key` (undefined for a cached miss), or `load()`'s, cached.
   * @param hit Called when the answer came from the cache or a lookup already in flight.
   */
  get(key: string, load: () => Promise<V | undefined>, hit?: () => void): Promise<V | undefined> {
    const entry = this.#entries.get(key);
    if (entry && entry.expires > this.#now()) {
      hit?.();
      return Promise.resolve(entry.value);
    }
    if (entry) this.#entries.delete(key);
    const pending = this.#pending.get(key);
    if (pending) {
      hit?.();
      return pending;
    }
    // A lookup begun before a clear() may answer what the users were before it: that answer
    // serves the AUTH that asked, but is neither cached nor shared after the clear.
    const generation = this.#generation;
    const settled = (): boolean => {
      if (generation !== this.#generation) return false;
      this.#pending.delete(key);
      return true;
    };
    const lookup = load().then(
      (value) => {
        if (settled()) this.#store(key, value);
        return value;
      },
      (e: unknown) => {
        settled();
        throw e;
      },
    );
    this.#pending.set(key, lookup);
    return lookup;
  }

  /** Forgets every entry (e.g. after the users were changed). */
  clear(): void {
    this.#entries.clear();
    this.#pending.clear();
    this.#generation++;
  }

  #store(key: string, value: V | undefined): void {
    const ttl = value === undefined ? this.#negativeTtl : this.#ttl;
    if (ttl <= 0) return;
    this.#entries.delete(key);
    // Map order is insertion order: the first entries are the oldest.
    while (this.#entries.size >= this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(key, { value, expires: this.#now() + ttl });
  }
}
