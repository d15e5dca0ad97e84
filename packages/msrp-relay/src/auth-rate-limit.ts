import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { unmapIpv4 } from './ip-address.js';

/** What an AUTH rate limit is kept per: the client's address, or the username it names. */
export type AuthLimitKind = 'address' | 'username';

/** A token bucket's shape: `burst` tokens, regained at `rate` per minute. */
export interface BucketOptions {
  /** Tokens regained per minute. */
  readonly rate: number;
  /** Tokens a full bucket holds; 0 turns the limit off. */
  readonly burst: number;
}

/** Options of an {@link AuthRateLimiter}. */
export interface AuthRateLimitOptions {
  /** Failed AUTHs allowed per client address (an IPv6 client counts by its /64). */
  readonly perAddress: BucketOptions;
  /** Failed AUTHs allowed per username named in Authorization. */
  readonly perUsername: BucketOptions;
  /** Buckets kept of each kind; past it, the least recently used is forgotten. */
  readonly maxEntries: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

interface Bucket {
  /** Tokens, in 1/60 000ths (whole numbers for whole rates: no rounding drift). */
  level: number;
  /** When `level` was last brought up to date. */
  at: number;
}

/** A token in bucket units: a rate per minute times milliseconds gives whole units. */
const TOKEN = 60_000;

/**
 * Token buckets under string keys, in bounded memory: a peer chooses how many usernames it
 * tries, so at most `maxEntries` are kept, least recently used first out, and buckets that
 * filled up again (they hold nothing a new one would not) are dropped as they are met.
 */
class BucketTable {
  readonly #buckets = new Map<string, Bucket>();
  readonly #rate: number;
  readonly #full: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: BucketOptions, maxEntries: number, now: () => number) {
    this.#rate = options.rate;
    this.#full = options.burst * TOKEN;
    this.#maxEntries = Math.max(1, maxEntries);
    this.#now = now;
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Whether `key` has no token left. */
  empty(key: string): boolean {
    if (this.#full === 0) return false;
    const bucket = this.#buckets.get(key);
    return bucket !== undefined && this.#refill(bucket) < TOKEN;
  }

  /** Takes a token from `key`'s bucket; true when that left it empty. */
  take(key: string): boolean {
    if (this.#full === 0) return false;
    const now = this.#now();
    this.#sweep(now);
    let bucket = this.#buckets.get(key);
    if (bucket) {
      this.#refill(bucket);
      this.#buckets.delete(key); // re-inserted last: Map order is least recently used first
    } else {
      if (this.#buckets.size >= this.#maxEntries) {
        this.#buckets.delete(this.#buckets.keys().next().value!);
      }
      bucket = { level: this.#full, at: now };
    }
    // Below zero only when charged past an empty bucket (a connection let through by name,
    // see AuthHandler): then a refund gives back exactly what was taken.
    bucket.level = Math.max(-this.#full, bucket.level - TOKEN);
    this.#buckets.set(key, bucket);
    return bucket.level < TOKEN;
  }

  /** Gives back a token taken from `key`'s bucket (if it is still kept). */
  give(key: string): void {
    const bucket = this.#buckets.get(key);
    if (!bucket) return;
    this.#refill(bucket);
    bucket.level = Math.min(this.#full, bucket.level + TOKEN);
  }

  #refill(bucket: Bucket): number {
    const now = this.#now();
    bucket.level = Math.min(this.#full, bucket.level + (now - bucket.at) * this.#rate);
    bucket.at = now;
    return bucket.level;
  }

  /** Drops the two least recently used buckets if they are full again (amortised eviction). */
  #sweep(now: number): void {
    let looked = 0;
    for (const [key, bucket] of this.#buckets) {
      if (looked++ === 2) return;
      if (bucket.level + (now - bucket.at) * this.#rate < this.#full) return;
      this.#buckets.delete(key);
    }
  }
}

/**
 * Rate limits on failed AUTHs (password guessing), a token bucket per client address and
 * one per username: each failure takes a token from both (charged up front, refunded on
 * success); a bucket left empty refuses the AUTHs it covers until a token is regained, so
 * a guesser is held to `rate` guesses a minute after its first `burst`, whatever number of
 * connections it opens.
 */
export class AuthRateLimiter {
  readonly #tables: Record<AuthLimitKind, BucketTable>;

  constructor(options: AuthRateLimitOptions) {
    const now = options.now ?? Date.now;
    this.#tables = {
      address: new BucketTable(options.perAddress, options.maxEntries, now),
      username: new BucketTable(options.perUsername, options.maxEntries, now),
    };
  }

  /** Buckets kept, of both kinds. */
  get entries(): number {
    return this.#tables.address.size + this.#tables.username.size;
  }

  /**
   * Which limit refuses an AUTH from `address` (naming `username`, when it has credentials)
   * now, if any.
   */
  refuses(address: string, username?: string): AuthLimitKind | undefined {
    if (this.#tables.address.empty(addressKey(address))) return 'address';
    if (username !== undefined && this.#tables.username.empty(usernameKey(username)))
      return 'username';
    return undefined;
  }

  /**
   * Charges an AUTH with credentials to its address and username before they are checked,
   * as if it failed: AUTHs checked at the same time (a slow credential store) cannot slip
   * past an empty bucket. Returns the limit it exhausted, if any. {@link refund} when the
   * AUTH turns out not to be a failed guess.
   */
  charge(address: string, username?: string): AuthLimitKind | undefined {
    const byAddress = this.#tables.address.take(addressKey(address));
    const byUsername = username !== undefined && this.#tables.username.take(usernameKey(username));
    return byAddress ? 'address' : byUsername ? 'username' : undefined;
  }

  /** Gives back what {@link charge} took: the AUTH succeeded, or was not checked. */
  refund(address: string, username?: string): void {
    this.#tables.address.give(addressKey(address));
    if (username !== undefined) this.#tables.username.give(usernameKey(username));
  }
}

/**
 * The key an address is limited under: IPv4 as is (also when IPv4-mapped), IPv6 by its /64,
 * the block one subscriber usually holds whole (one bucket per address would let a guesser
 * go round 2^64 of them).
 */
export function addressKey(address: string): string {
  const plain = unmapIpv4(address.replace(/%.*$/, ''));
  if (!isIPv6(plain)) return plain;
  const [head = '', tail] = plain.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const gap = Math.max(0, 8 - left.length - right.length - (/\./.test(plain) ? 1 : 0));
  const groups = [...left, ...Array<string>(gap).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** Usernames as keys; a long one (any length fits a header) is kept as its hash. */
function usernameKey(username: string): string {
  return username.length <= 64
    ? username
    : `#${createHash('sha256').update(username).digest('base64')}`;
}
