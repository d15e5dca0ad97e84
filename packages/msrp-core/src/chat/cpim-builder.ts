// Builds message/cpim bodies the way the RFC writes them: one SP after each colon, CRLF line
// ends, §2.3 escapes in values (RFC 3862 §3.6, §2.3.1).
import { encodeUtf8 } from '../wire/bytes.js';
import { formatCpimDateTime, parseCpimDateTime } from './cpim-datetime.js';
import { escapeCpim } from './cpim-escape.js';
import { isCpimName, splitHeaderName, type CpimAddress } from './cpim-header.js';
import { CpimMessage, invalidCpim } from './cpim-message.js';
import type { CpimSubject } from './cpim-message.js';
import { parseMimeFields } from './cpim-mime.js';

/** An address for From/To/cc: a URI alone, or a display name and a URI. */
export type CpimAddressInit = string | CpimAddress;

/** An extension metadata header: `[name, value]`, the value unescaped text. */
export type CpimHeaderInit = readonly [name: string, value: string];

/** What {@link createCpim} builds a message from. */
export interface CpimInit {
  /** The From header. RCS one-to-one chats write `sip:anonymous@anonymous.invalid`. */
  from?: CpimAddressInit;
  /** One To header per address. */
  to?: CpimAddressInit | readonly CpimAddressInit[];
  /** One cc header per address. */
  cc?: CpimAddressInit | readonly CpimAddressInit[];
  /**
   * The DateTime header: a Date (written in UTC with milliseconds, years 0000 to 9999) or an
   * RFC 3339 string.
   */
  dateTime?: Date | string;
  /** Subject headers: a text, or several with their `;lang=`. */
  subject?: string | readonly CpimSubject[];
  /** NS declarations, prefix to namespace URI, e.g. `{ imdn: 'urn:ietf:params:imdn' }`. */
  ns?: Readonly<Record<string, string>>;
  /** Header names the receiver must understand (RFC 3862 §4.7), e.g. `['imdn.Message-ID']`. */
  require?: readonly string[];
  /** Further metadata headers, in order, after the standard ones, e.g. `['imdn.Message-ID', id]`. */
  headers?: readonly CpimHeaderInit[];
  /** The encapsulated Content-Type. Default `text/plain;charset=utf-8`. */
  contentType?: string;
  /** Further headers of the encapsulated object (Content-Disposition...), after Content-Type. */
  contentHeaders?: readonly CpimHeaderInit[];
  /** Write an inner Content-Length with the body's size. Default false. */
  contentLength?: boolean;
  /** Begin with the outer `Content-Type: message/cpim` block (not within MSRP). Default false. */
  mimeHeaders?: boolean;
  /** The encapsulated body: bytes as they are, or text encoded as UTF-8. */
  body: Uint8Array | string;
}

/**
 * Builds a `message/cpim` body; {@link formatCpim} gives its bytes. Values are escaped per
 * RFC 3862 §2.3, so a value can hold any text. Throws an MsrpError
 * `MSRP_ERR_INVALID_ARGUMENT` for a bad header name, a prefix without its `ns` entry, a
 * URI with spaces, angle brackets or control characters, a DateTime string that is not
 * exactly RFC 3339 or a Date outside years 0000 to 9999, or a content header value with a
 * line break.
 *
 * @example
 * ```ts
 * const m = createCpim({
 *   from: 'sip:anonymous@anonymous.invalid', to: 'sip:anonymous@anonymous.invalid',
 *   dateTime: new Date(), ns: { imdn: 'urn:ietf:params:imdn' },
 *   headers: [['imdn.Message-ID', id], ['imdn.Disposition-Notification', 'positive-delivery, display']],
 *   body: 'hello',
 * });
 * session.send(formatCpim(m), { contentType: 'message/cpim' });
 * ```
 */
export function createCpim(init: CpimInit): CpimMessage {
  const meta: string[] = [];
  const ns = init.ns ?? {};
  if (init.from !== undefined) meta.push(`From: ${address(init.from)}`);
  for (const a of list(init.to)) meta.push(`To: ${address(a)}`);
  for (const a of list(init.cc)) meta.push(`cc: ${address(a)}`);
  if (init.dateTime !== undefined) meta.push(`DateTime: ${dateTime(init.dateTime)}`);
  const subjects = typeof init.subject === 'string' ? [{ text: init.subject }] : init.subject;
  for (const s of subjects ?? []) {
    if (s.lang !== undefined && !/^[A-Za-z0-9-]+$/.test(s.lang)) {
      throw invalidCpim(`bad Subject lang ${JSON.stringify(s.lang)}`);
    }
    meta.push(`Subject:${s.lang === undefined ? '' : `;lang=${s.lang}`} ${headerValue(s.text)}`);
  }
  for (const [prefix, uri] of Object.entries(ns)) {
    if (!isCpimName(prefix)) throw invalidCpim(`bad NS prefix ${JSON.stringify(prefix)}`);
    meta.push(`NS: ${prefix} <${checkUri(uri)}>`);
  }
  if (init.require !== undefined && init.require.length > 0) {
    for (const name of init.require) checkName(name, ns);
    meta.push(`Require: ${init.require.join(',')}`);
  }
  for (const [name, value] of init.headers ?? []) {
    checkName(name, ns);
    meta.push(`${name}: ${headerValue(value)}`);
  }

  const body = typeof init.body === 'string' ? encodeUtf8(utf8Text(init.body, 'body')) : init.body;
  const content: string[] = [
    `Content-Type: ${mimeValue(init.contentType ?? 'text/plain;charset=utf-8')}`,
  ];
  for (const [name, value] of init.contentHeaders ?? []) {
    if (!/^[!-9;-~]+$/.test(name))
      throw invalidCpim(`bad content header name ${JSON.stringify(name)}`);
    content.push(`${name}: ${mimeValue(value)}`);
  }
  if (init.contentLength === true) content.push(`Content-Length: ${body.length}`);

  const lines = (texts: readonly string[]): Uint8Array[] =>
    texts.map((t) => encodeUtf8(utf8Text(t, 'header')));
  const mime = init.mimeHeaders === true ? ['Content-Type: message/cpim'] : [];
  return new CpimMessage(
    parseMimeFields(lines(mime), 'MIME header'),
    lines(meta),
    parseMimeFields(lines(content), 'content header'),
    body,
  );
}

/**
 * @internal `text`, unless it holds a lone surrogate: RFC 3629 §3 forbids encoding one in
 * UTF-8, and encoding it anyway would send U+FFFD in its place, silently changing the text.
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` naming `what` and the offset.
 */
export function utf8Text(text: string, what: string): string {
  // With the u flag, a surrogate class matches only a surrogate that is not part of a pair.
  const lone = /[\uD800-\uDFFF]/u.exec(text);
  if (lone !== null) {
    throw invalidCpim(
      `lone surrogate U+${lone[0].charCodeAt(0).toString(16).toUpperCase()} at ${lone.index} of the ${what}`,
    );
  }
  return text;
}

/** A value escaped per §2.3; a leading space too, which a reader would take for padding. */
function headerValue(text: string): string {
  const escaped = escapeCpim(text);
  return escaped.startsWith(' ') ? `\\u0020${escaped.slice(1)}` : escaped;
}

function list(value: CpimAddressInit | readonly CpimAddressInit[] | undefined): CpimAddressInit[] {
  if (value === undefined) return [];
  return typeof value === 'string' || !Array.isArray(value)
    ? [value as CpimAddressInit]
    : [...(value as readonly CpimAddressInit[])];
}

function address(a: CpimAddressInit): string {
  if (typeof a === 'string') return `<${checkUri(a)}>`;
  const uri = `<${checkUri(a.uri)}>`;
  // A quoted Formal-name can hold any text; §2.3 escapes its quotes and control characters.
  return a.name === undefined ? uri : `"${escapeCpim(a.name, true)}" ${uri}`;
}

/**
 * `uri`, unless empty or holding what cannot stand between `<` and `>` on one header line
 * (RFC 3862 §3: headers are lines; RFC 3986 §2 has no control characters in a URI): white
 * space, angle brackets, and C0 controls and DEL, of which CR and LF would end the header and
 * NUL cuts it short in many readers.
 */
function checkUri(uri: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  if (uri === '' || /[\s<>\x00-\x1f\x7f]/.test(uri))
    throw invalidCpim(`bad URI ${JSON.stringify(uri)}`);
  return uri;
}

function checkName(name: string, ns: Readonly<Record<string, string>>): void {
  const split = splitHeaderName(name);
  if (split === undefined) throw invalidCpim(`bad header name ${JSON.stringify(name)}`);
  const [prefix] = split;
  if (prefix !== undefined && !Object.hasOwn(ns, prefix)) {
    throw invalidCpim(`prefix ${prefix} of ${name} has no ns entry`);
  }
}

function dateTime(value: Date | string): string {
  if (typeof value !== 'string') {
    if (Number.isNaN(value.getTime())) throw invalidCpim('DateTime is an invalid Date');
    return formatCpimDateTime(value);
  }
  const bad = (): Error => invalidCpim(`DateTime ${JSON.stringify(value)} is not RFC 3339`);
  // The value is written as given, so checked as given (parseCpimDateTime trims): a line
  // break kept would end the metadata block (RFC 3862 §3.6: a header is one line).
  if (value.trim() !== value) throw bad();
  try {
    parseCpimDateTime(value);
  } catch {
    throw bad();
  }
  return value;
}

function mimeValue(value: string): string {
  if (/[\r\n]/.test(value))
    throw invalidCpim(`line break in content header ${JSON.stringify(value)}`);
  return value;
}
