import { encodeLatin1 } from './bytes.js';
import { containsEndLine } from './serializer.js';

// Web Crypto's getRandomValues (global in Node 20 and browsers) rather than the uuid package:
// an ident (RFC 4975 §9) is at most 32 characters from a narrow alphabet, which a
// 36-character UUID does not fit, and hex from a pooled CSPRNG buffer is both simpler and
// cheaper per id.
const pool = new Uint8Array(4096);
let offset = pool.length;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * Node's native hex encoder, when present: one flat string, where a loop of `+=` builds a
 * chain of 12 pieces that a Map must flatten before it can hash the id.
 */
const nativeBuffer = (
  globalThis as {
    Buffer?: { prototype: { hexSlice(this: Uint8Array, start: number, end: number): string } };
  }
).Buffer;

/** The digits of base 36, as `toString(36)` writes them. */
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    crypto.getRandomValues(pool);
    offset = 0;
  }
  const from = offset;
  offset += bytes;
  if (nativeBuffer) return nativeBuffer.prototype.hexSlice.call(pool, from, offset);
  let hex = '';
  for (let k = from; k < offset; k++) hex += HEX[pool[k]!]!;
  return hex;
}

/**
 * A new transaction id: 96 random bits as 24 hex digits.
 * RFC 4975 §7.1: the transaction identifier MUST contain at least 64 bits of randomness.
 */
export function newTransactionId(): string {
  return randomHex(12);
}

/**
 * Ids of one sender (a session): a prefix of 64 random bits, drawn once, then a counter, so
 * that each id carries those 64 bits and the counter keeps this sender's ids apart without
 * drawing them again per chunk or message. An id is at most 16 + 11 characters of an ident
 * (RFC 4975 §9: 32). As a session's Message-IDs: RFC 4975 §7.1.1 asks that a new one be highly
 * unlikely to be repeated by another endpoint instance, or by the same instance in the
 * future; another session draws a prefix of its own, and this one never repeats its counter
 * (96 random bits drawn per message were ~4 % of a small-message sender's CPU, issue 12).
 */
export class IdSequence {
  readonly #prefix: string;
  #count = 0;
  /** The prefix and the counter's digits but the last: renewed once every 36 ids. */
  #head = '';

  constructor(prefix = randomHex(8)) {
    this.#prefix = prefix;
  }

  /** The random part every id given here begins with. */
  get prefix(): string {
    return this.#prefix;
  }

  /** The next id: never one this object gave before. */
  next(): string {
    const n = this.#count++;
    const last = n % 36;
    // The counter in base 36, as toString(36) writes it, which runs once every 36 ids: per
    // id it was ~2 % of a small-message sender's instructions (issue 12).
    if (last === 0) this.#head = n === 0 ? this.#prefix : this.#prefix + (n / 36).toString(36);
    return this.#head + BASE36[last]!;
  }
}

/**
 * Transaction ids for the requests of one sender (a session), as {@link IdSequence} counts
 * them. RFC 4975 §7.1: the transaction identifier MUST contain at least 64 bits of
 * randomness, so that it does not collide with others on the connection.
 */
export class TransactionIds extends IdSequence {
  /** `CRLF "-------"` and the prefix: how the end-line of every id given here begins. */
  readonly #startOfEndLine: Uint8Array;

  constructor() {
    // Upper-case: the search for an end-line's start with the prefix ({@link occursIn}) skips
    // ahead by the body byte under the needle's end, less far when that byte is in the
    // needle; lower-case hex letters are frequent in text (and in the bench's bodies of 'a').
    const prefix = randomHex(8).toUpperCase();
    super(prefix);
    this.#startOfEndLine = encodeLatin1(`\r\n-------${prefix}`);
  }

  /**
   * Whether the end-line of `transactionId` occurs in `body` (see {@link containsEndLine}),
   * so that the id cannot frame it (RFC 4975 §7.1). For an id given here, the search is for
   * its end-line's start with the prefix: a longer needle, found faster than the prefix-less
   * `CRLF "-------"` (issue 12: that search was ~6 % of a sender's CPU with 8 KiB chunks).
   */
  occursIn(body: Uint8Array, transactionId: string): boolean {
    return transactionId.startsWith(this.prefix)
      ? containsEndLine(body, transactionId, this.#startOfEndLine)
      : containsEndLine(body, transactionId);
  }
}

/** A new Message-ID: 96 random bits as 24 hex digits, unique per message (RFC 4975 §7.1.1). */
export function newMessageId(): string {
  return randomHex(12);
}

/**
 * A new session-id for an MSRP URI: 96 random bits as 24 hex digits.
 * RFC 4975 §14.1: the session-id MUST contain at least 80 bits of randomness.
 */
export function newSessionId(): string {
  return randomHex(12);
}
