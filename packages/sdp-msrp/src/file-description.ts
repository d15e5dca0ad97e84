import { SdpError } from './errors.js';
import type { FileSelector } from './file-selector.js';

/** `a=file-date` (RFC 5547 §6): RFC 5322 date-times, verbatim, e.g. `Mon, 15 May 2006 15:01:31 +0300`. */
export interface FileDate {
  readonly creation?: string;
  readonly modification?: string;
  readonly read?: string;
}

/** `a=file-range` (RFC 5547 §6): the octets to transfer, 1-based and inclusive. */
export interface FileRange {
  readonly start: number;
  /** Last octet, or `*` for "to the end of the file". */
  readonly stop: number | '*';
}

/**
 * Everything RFC 5547 says about the file of a file-transfer media section: the selector
 * and the optional attributes that go with it.
 */
export interface FileDescription {
  /** `a=file-selector`: which file. */
  readonly selector: FileSelector;
  /**
   * `a=file-transfer-id`: tells a new transfer from a re-offer of the same one (RFC 5547 §6:
   * a token, random and unique per transfer).
   */
  readonly transferId?: string;
  /** `a=file-disposition`: `render`, `attachment`... (RFC 2183 tokens). */
  readonly disposition?: string;
  /** `a=file-date`. */
  readonly date?: FileDate;
  /** `a=file-icon`: a `cid:` URL of a thumbnail sent in the SIP body (RFC 2392). */
  readonly icon?: string;
  /** `a=file-range`. */
  readonly range?: FileRange;
}

const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z|~]+$/;
const DATE_PARAM = /^(creation|modification|read):"([^"\r\n]*)"$/i;

/** Whether `text` is an RFC 4566 token, as `a=file-transfer-id` and `a=file-disposition` must be. */
export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

/**
 * Parses `a=file-date` values: `creation:"..." modification:"..." read:"..."` (RFC 5547 §6).
 * @throws {SdpError} `SDP_ERR_BAD_ATTRIBUTE` for an unknown or repeated parameter.
 */
export function parseFileDate(value: string): FileDate {
  const date: { creation?: string; modification?: string; read?: string } = {};
  // The date-times contain spaces, so split at the spaces that precede a parameter name.
  for (const param of value.trim().split(/ (?=(?:creation|modification|read):")/i)) {
    const m = DATE_PARAM.exec(param);
    const kind = m?.[1]!.toLowerCase() as keyof FileDate | undefined;
    if (!m || kind === undefined || date[kind] !== undefined) {
      throw new SdpError(
        'SDP_ERR_BAD_ATTRIBUTE',
        `Invalid file-date "${value}": expected creation:"...", modification:"..." or read:"..." once each`,
      );
    }
    date[kind] = m[2]!;
  }
  return date;
}

/** Formats a {@link FileDate} for `a=file-date:`. */
export function formatFileDate(date: FileDate): string {
  const parts: string[] = [];
  for (const kind of ['creation', 'modification', 'read'] as const) {
    const value = date[kind];
    if (value === undefined) continue;
    if (/["\r\n]/.test(value)) {
      throw new SdpError('SDP_ERR_INVALID_ARGUMENT', `Invalid file ${kind} date "${value}"`);
    }
    parts.push(`${kind}:"${value}"`);
  }
  return parts.join(' ');
}

/**
 * Parses `a=file-range`: `<start>-<stop>`, `stop` a number or `*` (RFC 5547 §6).
 * @throws {SdpError} `SDP_ERR_BAD_ATTRIBUTE` when it is not that, or stop < start.
 */
export function parseFileRange(value: string): FileRange {
  const m = /^(\d{1,16})-(\d{1,16}|\*)$/.exec(value.trim());
  const start = Number(m?.[1]);
  const stop = m?.[2] === '*' ? '*' : Number(m?.[2]);
  // Offsets past 2^53 would lose octets silently in a JavaScript number.
  const exact = Number.isSafeInteger(start) && (stop === '*' || Number.isSafeInteger(stop));
  if (!m || !exact || start < 1 || (stop !== '*' && stop < start)) {
    throw new SdpError(
      'SDP_ERR_BAD_ATTRIBUTE',
      `Invalid file-range "${value}": expected <start>-<stop> with 1 <= start <= stop < 2^53, or <start>-*`,
    );
  }
  return { start, stop };
}
