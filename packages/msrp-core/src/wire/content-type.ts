import { formatParam, parseParams, TOKEN, type Param } from './grammar.js';

/** A Content-Type value (RFC 4975 §9 `media-type`): `type/subtype *(;param)`. */
export interface ContentType {
  /** Top-level type, as written (compare case-insensitively). */
  readonly type: string;
  /** Subtype, as written. */
  readonly subtype: string;
  /** Parameters in order, e.g. `charset=utf-8`. */
  readonly params: readonly Param[];
}

/** Parses a media type; returns undefined when malformed. */
export function parseContentType(text: string): ContentType | undefined {
  const semi = text.indexOf(';');
  const mediaRange = (semi < 0 ? text : text.slice(0, semi)).trim();
  const slash = mediaRange.indexOf('/');
  if (slash < 0) return undefined;
  const type = mediaRange.slice(0, slash);
  const subtype = mediaRange.slice(slash + 1);
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  const params = semi < 0 ? [] : parseParams(text.slice(semi + 1), ';');
  if (params === undefined) return undefined;
  return { type, subtype, params };
}

/** Formats a {@link ContentType}. */
export function formatContentType(ct: ContentType): string {
  let s = `${ct.type}/${ct.subtype}`;
  for (const p of ct.params) s += `;${formatParam(p)}`;
  return s;
}

/** The bare `type/subtype` of a content type, lower-cased, for matching against accept-types. */
export function mediaTypeOf(ct: ContentType): string {
  return `${ct.type}/${ct.subtype}`.toLowerCase();
}
