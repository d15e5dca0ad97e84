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

/** A number of 1 to 16 digits in `text[from, to)`, '*' when `star` allows it, else undefined. */
function field(text: string, from: number, to: number, star: boolean): number | '*' | undefined {
  if (star && to - from === 1 && text.charCodeAt(from) === 0x2a) return '*';
  if (to - from < 1 || to - from > 16) return undefined;
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    n = n * 10 + digit;
  }
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Parses `start-end/total` (RFC 4975 §9); returns undefined when malformed or inconsistent.
 * Hand-written rather than a regular expression: every chunk has one.
 */
export function parseByteRange(text: string): ByteRange | undefined {
  const dash = text.indexOf('-');
  const slash = text.indexOf('/', dash + 1);
  if (dash < 0 || slash < 0) return undefined;
  const start = field(text, 0, dash, false);
  const end = field(text, dash + 1, slash, true);
  const total = field(text, slash + 1, text.length, true);
  if (
    start === undefined ||
    start === '*' ||
    start < 1 ||
    end === undefined ||
    total === undefined
  ) {
    return undefined;
  }
  // `1-0/0` is how an empty message is described, so end may be start - 1.
  if (end !== '*' && end < start - 1) return undefined;
  if (total !== '*' && end !== '*' && end > total) return undefined;
  return { start, end, total };
}

/** Formats a {@link ByteRange} as `start-end/total`. */
export function formatByteRange(range: ByteRange): string {
  return `${range.start}-${range.end}/${range.total}`;
}
