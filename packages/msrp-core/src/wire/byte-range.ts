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
  return checkRange(
    field(text, 0, dash, false),
    field(text, dash + 1, slash, true),
    field(text, slash + 1, text.length, true),
  );
}

/** {@link field} over bytes (ASCII): digits and `*` need no decoding. */
function fieldOfBytes(
  bytes: Uint8Array,
  from: number,
  to: number,
  star: boolean,
): number | '*' | undefined {
  if (star && to - from === 1 && bytes[from] === 0x2a) return '*';
  if (to - from < 1 || to - from > 16) return undefined;
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = bytes[i]! - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    n = n * 10 + digit;
  }
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * {@link parseByteRange} of the bytes `[from, to)`, without decoding them to a string: the
 * parser reads the Byte-Range of every chunk this way.
 */
export function parseByteRangeBytes(
  bytes: Uint8Array,
  from: number,
  to: number,
): ByteRange | undefined {
  // Byte loops: a range is a few bytes, where a call to indexOf costs more than the search.
  let dash = from;
  while (dash < to && bytes[dash] !== 0x2d) dash++;
  let slash = dash + 1;
  while (slash < to && bytes[slash] !== 0x2f) slash++;
  if (slash >= to) return undefined;
  return checkRange(
    fieldOfBytes(bytes, from, dash, false),
    fieldOfBytes(bytes, dash + 1, slash, true),
    fieldOfBytes(bytes, slash + 1, to, true),
  );
}

function checkRange(
  start: number | '*' | undefined,
  end: number | '*' | undefined,
  total: number | '*' | undefined,
): ByteRange | undefined {
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
