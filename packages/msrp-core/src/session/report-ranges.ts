import type { ByteRange } from '../wire/byte-range.js';
import type { OutgoingMessage } from './outgoing-message.js';

/**
 * Most disjoint ranges kept per message. REPORTs in order merge into one range, and a peer
 * reporting out of order leaves a few gaps; a peer sending thousands of disjoint ranges must
 * not grow the list without limit. Past it, a REPORT that would add one more range is not
 * counted: the message waits for REPORTs that fill the gaps (or times out), and never counts
 * bytes that no REPORT covered.
 */
export const MAX_REPORTED_RANGES = 16;

/**
 * The bytes of one outgoing message that its success REPORTs covered so far. RFC 4975 §7.1.2:
 * a receiver may send incremental success REPORTs, one per chunk; §7.3.2: the sender
 * correlates them by Message-ID and Byte-Range, so the message is reported once together
 * they cover it, whatever total each one gives.
 */
export class ReportedRanges {
  /** Sorted, disjoint and not adjacent, flat: `[start0, end0, start1, end1, ...]`. */
  readonly #bounds: number[] = [];
  /** A REPORT without Byte-Range, or ending in `*`, covers the whole message. */
  #whole = false;

  /** Takes the Byte-Range of a success REPORT. */
  add(range: ByteRange | undefined): void {
    if (range === undefined || range.end === '*') this.#whole = true;
    else if (!this.#whole && range.end >= range.start) this.#addRange(range.start, range.end);
  }

  /** Whether the REPORTs together cover bytes `from` to `to` (1-based, inclusive). */
  covers(from: number, to: number): boolean {
    if (this.#whole || to < from) return true;
    const b = this.#bounds;
    // The ranges neither overlap nor touch: only the one holding `from` can reach `to`.
    for (let i = 0; i < b.length && b[i]! <= from; i += 2) {
      if (b[i + 1]! >= from) return b[i + 1]! >= to;
    }
    return false;
  }

  #addRange(start: number, end: number): void {
    const b = this.#bounds;
    // The first range that touches [start, end] or lies after it...
    let i = 0;
    while (i < b.length && b[i + 1]! < start - 1) i += 2;
    // ...and those from there that touch it: [i, j) merge with it into one.
    let j = i;
    while (j < b.length && b[j]! <= end + 1) j += 2;
    if (i === j) {
      if (b.length < 2 * MAX_REPORTED_RANGES) b.splice(i, 0, start, end);
      return;
    }
    b.splice(i, j - i, Math.min(start, b[i]!), Math.max(end, b[j - 1]!));
  }
}

/**
 * Whether `reported` (none: no success REPORT yet) covers `message`, once every byte of it was
 * sent: to its size, or to what was sent when the size was not known; the bytes before a
 * resume's offset are the peer's already.
 */
export function coversMessage(
  reported: ReportedRanges | undefined,
  message: Pick<OutgoingMessage, 'offset' | 'size' | 'sent'>,
): boolean {
  return reported?.covers(message.offset + 1, message.size ?? message.sent) === true;
}
