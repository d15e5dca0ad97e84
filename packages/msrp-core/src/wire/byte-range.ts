/**
 * The Byte-Range header (RFC 4975 §7.1.1): the 1-based, inclusive byte positions of a chunk
 * within its message, and the message's total size. `'*'` means not known yet.
 */
export interface ByteRange {
  /** First byte of the chunk, counting from 1. */
  readonly start: number;
  /** Last byte of the chunk, or `'*'` when the chunk may be interrupted. */
  readonly end: number | '*';
  /** Total size of the message, or `'*'` when the sender does not know it. */
  readonly total: number | '*';
}

const BYTE_RANGE = /^(\d{1,16})-(\d{1,16}|\*)\/(\d{1,16}|\*)$/;

/** Parses `start-end/total`; returns undefined when malformed or inconsistent. */
export function parseByteRange(text: string): ByteRange | undefined {
  const m = BYTE_RANGE.exec(text);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === '*' ? '*' : Number(m[2]);
  const total = m[3] === '*' ? '*' : Number(m[3]);
  if (!Number.isSafeInteger(start) || start < 1) return undefined;
  // `1-0/0` is how an empty message is described, so end may be start - 1.
  if (end !== '*' && (!Number.isSafeInteger(end) || end < start - 1)) return undefined;
  if (total !== '*' && !Number.isSafeInteger(total)) return undefined;
  if (total !== '*' && end !== '*' && end > total) return undefined;
  return { start, end, total };
}

/** Formats a {@link ByteRange} as `start-end/total`. */
export function formatByteRange(range: ByteRange): string {
  return `${range.start}-${range.end}/${range.total}`;
}
