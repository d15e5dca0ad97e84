// The in-band resume negotiation of `msrp send --file` and `msrp listen`: before the file,
// the sender describes it in RFC 5547 terms (a=file-selector, a=file-date, a=file-transfer-id)
// in a small MSRP message; the listener answers with the a=file-range it still misses
// (RFC 5547 §6, §8.3.2), and the file follows from there.
import {
  formatFileDate,
  formatFileSelector,
  parseFileDate,
  parseFileRange,
  parseFileSelector,
  type FileRange,
} from '@msrp-ts/sdp-msrp';

/** Content-Type of the sender's file description. */
export const FILE_OFFER_TYPE = 'application/x-msrp-file-offer';
/** Content-Type of the listener's answer: the range it misses. */
export const FILE_ANSWER_TYPE = 'application/x-msrp-file-answer';

/** What a sender says of the file it is about to send. */
export interface FileOfferBody {
  /** A new token per attempt (RFC 5547 §8.3.2: a resume is a new transfer of the same file). */
  readonly transferId: string;
  readonly name: string;
  readonly size: number;
  readonly type?: string | undefined;
  /**
   * The file's modification date (RFC 5322, as `a=file-date` writes it): with the name and
   * size, what tells the listener that a partial file it holds is of this file. The whole
   * file's hash, checked at the end, catches a file changed without these changing.
   */
  readonly modified: string;
}

/** What the listener answers: the octets to send, 1-based and inclusive. */
export interface FileAnswerBody {
  readonly transferId: string;
  readonly range: { readonly start: number; readonly stop: number };
}

function attributes(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^a=([a-z-]+):(.*)$/i.exec(line.trim());
    if (m && !found.has(m[1]!.toLowerCase())) found.set(m[1]!.toLowerCase(), m[2]!);
  }
  return found;
}

/** The offer's body: RFC 5547 media-level attribute lines. */
export function formatFileOffer(offer: FileOfferBody): string {
  const selector = formatFileSelector({
    name: offer.name,
    ...(offer.type !== undefined && { type: offer.type }),
    size: offer.size,
  });
  return [
    `a=file-selector:${selector}`,
    `a=file-transfer-id:${offer.transferId}`,
    `a=file-date:${formatFileDate({ modification: offer.modified })}`,
    '',
  ].join('\r\n');
}

/** Parses an offer's body; undefined when it lacks a name, size, date or transfer id. */
export function parseFileOffer(text: string): FileOfferBody | undefined {
  try {
    const a = attributes(text);
    const selector = parseFileSelector(a.get('file-selector') ?? '');
    const modified = parseFileDate(a.get('file-date') ?? '').modification;
    const transferId = a.get('file-transfer-id')?.trim();
    if (selector.name === undefined || selector.size === undefined) return undefined;
    if (modified === undefined || !transferId) return undefined;
    return {
      transferId,
      name: selector.name,
      size: selector.size,
      type: selector.type,
      modified,
    };
  } catch {
    return undefined;
  }
}

/** The answer's body: the transfer it answers and `a=file-range`. */
export function formatFileAnswer(answer: FileAnswerBody): string {
  return [
    `a=file-transfer-id:${answer.transferId}`,
    `a=file-range:${answer.range.start}-${answer.range.stop}`,
    '',
  ].join('\r\n');
}

/** Parses an answer's body; undefined when it is not one (or its range is open-ended). */
export function parseFileAnswer(text: string): FileAnswerBody | undefined {
  try {
    const a = attributes(text);
    const transferId = a.get('file-transfer-id')?.trim();
    const range: FileRange = parseFileRange(a.get('file-range') ?? '');
    if (!transferId || range.stop === '*') return undefined;
    return { transferId, range: { start: range.start, stop: range.stop } };
  } catch {
    return undefined;
  }
}
