import type { FileOffer } from './create-offer.js';
import { SdpError } from './errors.js';
import type { FileRange } from './file-description.js';
import type { FileHash } from './file-selector.js';

/** A run of octets of a file, 1-based and inclusive, as MSRP Byte-Range and `a=file-range` count. */
export interface OctetSpan {
  /** First octet, 1 for the first octet of the file. */
  readonly start: number;
  /** Last octet, inclusive. */
  readonly end: number;
}

/**
 * What a receiver keeps beside a partial file so that the transfer can be resumed
 * (RFC 5547 §6, `a=file-range`): which octets it holds and which file they belong to. Plain
 * data, to store as JSON next to the partial file.
 */
export interface PartialFileRecord {
  /** `a=file-transfer-id` of the interrupted transfer; a resume offer must use a new one. */
  readonly transferId: string;
  /** The file's hash, from its `a=file-selector`: what tells the same file when it comes again. */
  readonly hash: FileHash;
  /** The whole file's size in octets. */
  readonly size: number;
  /** The octets held (confirmed and written), in any order; they may overlap. */
  readonly received: readonly OctetSpan[];
  /** The file's name, from its selector, when it had one. */
  readonly name?: string;
  /** The file's media type, from its selector, when it had one. */
  readonly type?: string;
}

function checkSpan(span: OctetSpan, size: number): void {
  const ok =
    Number.isSafeInteger(span.start) &&
    Number.isSafeInteger(span.end) &&
    span.start >= 1 &&
    span.end >= span.start &&
    span.end <= size;
  if (!ok) {
    throw new SdpError(
      'SDP_ERR_INVALID_ARGUMENT',
      `Invalid received span ${span.start}-${span.end} of a file of ${size} octets (1-based, inclusive)`,
    );
  }
}

/**
 * The runs of octets of a file of `size` octets that `received` does not cover, in order
 * (gaps between held spans, and what follows the last one).
 * @throws {SdpError} `SDP_ERR_INVALID_ARGUMENT` for a size that is not a whole number, or a
 * span that is not 1-based and inclusive within the file.
 */
export function missingRanges(size: number, received: readonly OctetSpan[]): OctetSpan[] {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new SdpError('SDP_ERR_INVALID_ARGUMENT', `Invalid file size ${size}`);
  }
  for (const span of received) checkSpan(span, size);
  const sorted = [...received].sort((a, b) => a.start - b.start);
  const missing: OctetSpan[] = [];
  let next = 1; // the first octet not yet known to be held
  for (const span of sorted) {
    if (span.start > next) missing.push({ start: next, end: span.start - 1 });
    next = Math.max(next, span.end + 1);
  }
  if (next <= size) missing.push({ start: next, end: size });
  return missing;
}

/**
 * The `a=file-range` a resume asks for (RFC 5547 §6): from the first octet the record does
 * not hold to the last one it does not hold, which is the file's size unless the end of the
 * file arrived before a gap. One range can name only one run: when octets are held inside it
 * (gaps), they travel again; {@link missingRanges} lists the gaps for one resume each.
 * @returns the range, or undefined when the record holds the whole file.
 * @throws {SdpError} `SDP_ERR_INVALID_ARGUMENT` for a record whose spans do not fit the size.
 */
export function resumeRange(
  record: Pick<PartialFileRecord, 'size' | 'received'>,
): FileRange | undefined {
  const missing = missingRanges(record.size, record.received);
  if (missing.length === 0) return undefined;
  return { start: missing[0]!.start, stop: missing.at(-1)!.end };
}

/**
 * The file of a resume offer (RFC 5547 §6 and §8): the same file by its hash and size (and
 * name and type when the record has them), the range still missing, and a note of the
 * interrupted transfer so that `createOffer` writes a new `a=file-transfer-id`. `pull`
 * is for the receiver that holds the partial file (it asks the sender for the rest);
 * `push` for a sender that knows what the receiver holds.
 * @returns the file to put in `createOffer({ file })`, or undefined when nothing is missing.
 */
export function resumeOffer(
  record: PartialFileRecord,
  mode: 'push' | 'pull',
): FileOffer | undefined {
  const range = resumeRange(record);
  if (!range) return undefined;
  return {
    mode,
    selector: {
      ...(record.name !== undefined && { name: record.name }),
      ...(record.type !== undefined && { type: record.type }),
      size: record.size,
      hash: record.hash,
    },
    range,
    resumes: record.transferId,
  };
}
