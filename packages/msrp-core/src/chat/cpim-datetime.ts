// The CPIM DateTime header (RFC 3862 §4.4): an RFC 3339 date-time.
import { MsrpError } from '../errors.js';
import { cpimError } from './cpim-lines.js';

/** A DateTime value: the instant, and the text as written (its offset and precision). */
export interface CpimDateTime {
  /** The instant, to the millisecond (finer fractions are truncated). */
  readonly date: Date;
  /** The value as written, e.g. `2000-12-13T13:40:00.123-08:00`. */
  readonly raw: string;
}

// RFC 3339 §5.6 date-time; `t`, `z` and a space for `T` are allowed by its §5.6 note, and an
// offset without its colon is tolerated because some clients write one.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/** Parses an RFC 3339 date-time, as CPIM's DateTime carries it. Throws MSRP_ERR_CPIM when malformed. */
export function parseCpimDateTime(raw: string): CpimDateTime {
  const m = DATE_TIME.exec(raw.trim());
  const bad = (): Error => cpimError(`bad DateTime ${JSON.stringify(raw)}: want RFC 3339`);
  if (m === null) throw bad();
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  // RFC 3339 §5.7 allows second 60 (a leap second); setUTCHours rolls it into the next minute.
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    throw bad();
  }
  const offsetHours = m[10] === undefined ? 0 : Number(m[10]);
  const offsetMinutes = m[11] === undefined ? 0 : Number(m[11]);
  if (offsetHours > 23 || offsetMinutes > 59) throw bad();
  const sign = m[9] === '-' ? -1 : 1;
  // setUTCFullYear, unlike Date.UTC, takes years 0-99 as they are.
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  // A day past the month's end (Feb 30) would roll over; refuse it instead.
  if (local.getUTCDate() !== day) throw bad();
  local.setUTCHours(hour, minute, second, millis);
  const date = new Date(local.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
  return { date, raw };
}

/**
 * Formats `date` as RFC 3339 in UTC with milliseconds, as RCS clients write it.
 *
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` for an invalid Date, or one outside years
 * 0000 to 9999: RFC 3339 §5.6 `date-fullyear = 4DIGIT`.
 */
export function formatCpimDateTime(date: Date): string {
  const year = date.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > 9999) {
    // toISOString would write "+010000-...", which no RFC 3339 reader takes.
    throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `DateTime year ${year} is not 4 digits`);
  }
  return date.toISOString();
}
