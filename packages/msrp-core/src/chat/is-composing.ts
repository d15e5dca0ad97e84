// The is-composing status document (RFC 3994 §4): `application/im-iscomposing+xml` in the
// `urn:ietf:params:xml:ns:im-iscomposing` namespace, sent bare or wrapped in CPIM.
import { MsrpError } from '../errors.js';
import { parseCpimDateTime } from './cpim-datetime.js';
import { xmlError, type XmlLimits } from './xml-limits.js';
import { buildXmlDocument, childText, parseXmlDocument } from './xml-tree.js';

/** The XML namespace of the is-composing document (RFC 3994 §4). */
export const IS_COMPOSING_XML_NAMESPACE = 'urn:ietf:params:xml:ns:im-iscomposing';
/** The content type of an is-composing status message (RFC 3994 §4). */
export const IS_COMPOSING_CONTENT_TYPE = 'application/im-iscomposing+xml';

/** Composing state of the peer that sends the status (RFC 3994 §3). */
export type ComposingState = 'active' | 'idle';

/** An is-composing status message. */
export interface IsComposing {
  /** `active` while composing, `idle` otherwise. */
  state: ComposingState;
  /** When the composer was last active (sent with `idle`, usually). */
  lastactive?: Date;
  /** The type of what is being composed, e.g. `text/plain`, `audio`. */
  contenttype?: string;
  /**
   * With `active`: seconds within which the composer refreshes the state; without a refresh
   * the receiver falls back to idle (RFC 3994 §3.3).
   */
  refresh?: number;
}

/** The largest `refresh` read or written: nine digits (some 31 years of seconds). */
const MAX_REFRESH = 999_999_999;

/** Options of {@link parseIsComposing}. */
export type ParseIsComposingOptions = XmlLimits;

/**
 * Parses an `application/im-iscomposing+xml` body. Any namespace prefix is accepted,
 * whitespace around values is trimmed, `state` is compared case-insensitively, and elements
 * of other namespaces are ignored.
 *
 * @throws {MsrpError} `MSRP_ERR_XML` when the body is over the limits, unsafe or not
 * well-formed, the root is not `isComposing` in {@link IS_COMPOSING_XML_NAMESPACE}, `state`
 * is missing or neither active nor idle, `lastactive` is no date or `refresh` no positive
 * integer.
 */
export function parseIsComposing(
  bytes: Uint8Array,
  options: ParseIsComposingOptions = {},
): IsComposing {
  const root = parseXmlDocument(bytes, options);
  const ns = IS_COMPOSING_XML_NAMESPACE;
  if (root.ns !== ns || root.name !== 'isComposing') {
    throw xmlError(`not an isComposing: root <${root.name}> in namespace ${root.ns ?? '(none)'}`);
  }
  const state = childText(root, ns, 'state')?.toLowerCase();
  if (state !== 'active' && state !== 'idle') {
    throw xmlError(`isComposing <state> is ${state === undefined ? 'missing' : `'${state}'`}`);
  }
  const result: IsComposing = { state };
  const lastactive = childText(root, ns, 'lastactive');
  if (lastactive !== undefined) result.lastactive = lastActiveDate(lastactive);
  const contenttype = childText(root, ns, 'contenttype');
  if (contenttype) result.contenttype = contenttype;
  const refresh = childText(root, ns, 'refresh');
  if (refresh !== undefined) {
    // RFC 3994 §4 schema: refresh is an xs:positiveInteger.
    if (!/^\+?[0-9]{1,9}$/.test(refresh) || Number(refresh) === 0) {
      throw xmlError(`isComposing <refresh> '${refresh}' is not a positive integer`);
    }
    result.refresh = Number(refresh);
  }
  return result;
}

/**
 * RFC 3994 §4 schema: lastactive is an xs:dateTime, read as RFC 3339 (`new Date` takes "1" for
 * a date). One without a time zone is taken in UTC: xs:dateTime leaves its zone to the reader
 * (XML Schema 1.1 Part 2 §3.3.7), and the machine's own would make it mean different instants.
 */
function lastActiveDate(text: string): Date {
  const zoned = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?$/.test(text) ? `${text}Z` : text;
  try {
    return parseCpimDateTime(zoned).date;
  } catch (e) {
    throw xmlError(`isComposing <lastactive> '${text}' is no dateTime`, 400, e);
  }
}

/**
 * Writes an is-composing status as a UTF-8 `application/im-iscomposing+xml` document, in the
 * schema's element order; `lastactive` in UTC (`toISOString`).
 *
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` for a state other than active or idle, an
 * invalid `lastactive` date or one outside years 0000 to 9999, a `refresh` that is not an
 * integer from 1 to 999,999,999, or a `contenttype` holding a character XML cannot carry.
 */
export function formatIsComposing(status: IsComposing): Uint8Array {
  const { state, lastactive, contenttype, refresh } = status;
  if (state !== 'active' && state !== 'idle') {
    throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `isComposing state '${String(state)}'`);
  }
  const doc: Record<string, unknown> = { '@xmlns': IS_COMPOSING_XML_NAMESPACE, state };
  if (lastactive !== undefined) {
    // toISOString writes a year past 9999 or before 0 with six digits and a sign, which
    // neither xs:dateTime nor parseIsComposing reads.
    const year = lastactive.getUTCFullYear();
    if (Number.isNaN(year) || year < 0 || year > 9999) {
      throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'isComposing lastactive is an invalid date');
    }
    doc.lastactive = lastactive.toISOString();
  }
  if (contenttype !== undefined) doc.contenttype = contenttype;
  if (refresh !== undefined) {
    // What parseIsComposing (ours, the peer's) reads back: 1 to MAX_REFRESH.
    if (!Number.isSafeInteger(refresh) || refresh <= 0 || refresh > MAX_REFRESH) {
      throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `isComposing refresh ${refresh}`);
    }
    doc.refresh = String(refresh);
  }
  return buildXmlDocument({ isComposing: doc });
}
