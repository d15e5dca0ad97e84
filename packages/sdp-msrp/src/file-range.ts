import type { FileRange } from './file-description.js';

// RFC 5547 §6: `a=file-range:<start-offset>-<stop-offset>` names the octets of the file that
// the transfer carries, 1-based and inclusive; `*` as stop-offset means "to the end of the
// file"; no attribute at all means the whole file, as `1-*` would. The MSRP message then
// carries just those octets: its own Byte-Range counts from 1 again, within that portion.

/** The whole file, as an absent `a=file-range` means (RFC 5547 §6). */
const WHOLE: FileRange = { start: 1, stop: '*' };

/**
 * Why `range` cannot be a part of a file of `size` octets, or undefined when it can (or when
 * the size is unknown, so there is nothing to check it against but itself).
 */
export function rangeProblem(
  range: FileRange | undefined,
  size: number | undefined,
): string | undefined {
  if (range === undefined) return undefined;
  const { start, stop } = range;
  // What parseFileRange reads: an offer we write must be one we (and the peer) can read.
  if (
    !Number.isSafeInteger(start) ||
    start < 1 ||
    (stop !== '*' && (!Number.isSafeInteger(stop) || stop < start))
  ) {
    return `the file-range ${formatRange(range)}: it must be <start>-<stop> with 1 <= start <= stop, or <start>-*`;
  }
  if (size === undefined) return undefined;
  if (range.start > size) {
    return `the file-range ${formatRange(range)} starts after the end of the file of ${size} octets`;
  }
  if (range.stop !== '*' && range.stop > size) {
    return `the file-range ${formatRange(range)} ends after the end of the file of ${size} octets`;
  }
  return undefined;
}

/** `start-stop`, as `a=file-range` writes it. */
export function formatRange(range: FileRange): string {
  return `${range.start}-${range.stop}`;
}

/** The range with `stop` a number when the file's size says where `*` ends, else as given. */
function resolved(range: FileRange | undefined, size: number | undefined): FileRange {
  const r = range ?? WHOLE;
  return r.stop === '*' && size !== undefined ? { start: r.start, stop: size } : r;
}

/**
 * Whether two `a=file-range` values (either absent) name the same octets of a file of `size`
 * octets: absent is `1-*`, and `*` is the last octet when the size is known.
 */
export function sameRange(
  a: FileRange | undefined,
  b: FileRange | undefined,
  size: number | undefined,
): boolean {
  const x = resolved(a, size);
  const y = resolved(b, size);
  return x.start === y.start && x.stop === y.stop;
}

/** Whether the range (absent meaning the whole file) covers every octet of the file. */
export function isWholeFile(range: FileRange | undefined, size: number | undefined): boolean {
  return sameRange(range, WHOLE, size);
}

/**
 * The number of octets the range carries, i.e. the size of the MSRP message that carries
 * them, when it is known (a numeric stop, or `*` with a known file size).
 */
export function rangeLength(
  range: FileRange | undefined,
  size: number | undefined,
): number | undefined {
  const r = resolved(range, size);
  return r.stop === '*' ? undefined : r.stop - r.start + 1;
}
