// Web Crypto's getRandomValues (global in Node 20 and browsers) rather than the uuid package:
// an ident (RFC 4975 §9) is at most 32 characters from a narrow alphabet, which a
// 36-character UUID does not fit, and hex from a pooled CSPRNG buffer is both simpler and
// cheaper per id.
const pool = new Uint8Array(4096);
let offset = pool.length;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    crypto.getRandomValues(pool);
    offset = 0;
  }
  let hex = '';
  for (let k = offset; k < offset + bytes; k++) hex += HEX[pool[k]!]!;
  offset += bytes;
  return hex;
}

/**
 * A new transaction id: 96 random bits as 24 hex digits.
 * RFC 4975 §7.1: the transaction identifier MUST contain at least 64 bits of randomness.
 */
export function newTransactionId(): string {
  return randomHex(12);
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
