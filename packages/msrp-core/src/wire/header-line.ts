import { MsrpError } from '../errors.js';
import { parseByteRange } from './byte-range.js';
import { parseContentType, type ContentType } from './content-type.js';
import { parseAuthHeader, parseAuthParams } from './digest.js';
import { IDENT } from './grammar.js';
import type { Head, HeaderField, MsrpHeaders } from './head.js';
import { parseUseNickname } from './nickname.js';
import { parseStatusHeader } from './status-header.js';
import { parseUri, type MsrpUri } from './uri.js';

// Header lines of a frame (RFC 4975 §9, RFC 4976 §10): parsed, cached by their text, and
// added to a head.

const HNAME = /^[A-Za-z][!#-'*+\-.0-9A-Z^-~]*$/;
const DIGITS = /^\d{1,10}$/;
// utf8text (RFC 4975 §9): HTAB, printable ASCII and anything non-ASCII; no other controls.
const UTF8TEXT = /^[\t\x20-\x7e\u0080-\uffff]*$/;

function badHeader(name: string, value: string, transactionId: string, cause?: unknown): MsrpError {
  return new MsrpError(
    'MSRP_ERR_BAD_HEADER',
    `Invalid ${name} header: ${JSON.stringify(value.slice(0, 128))}`,
    {
      status: 400,
      transactionId,
      cause,
    },
  );
}

function parsePath(value: string): readonly MsrpUri[] {
  // RFC 4975 §9: MSRP-URI *( SP MSRP-URI )
  return Object.freeze(value.split(' ').map(parseUri));
}

function parseSeconds(value: string): number | undefined {
  return DIGITS.test(value) ? Number(value) : undefined;
}

function parseEnum<T extends string>(values: readonly T[]): (value: string) => T | undefined {
  // ABNF quoted strings are case-insensitive (RFC 5234 §2.3).
  return (value) => values.find((v) => v === value.toLowerCase());
}

/** How a known header field is parsed and where it goes in a head. */
export interface HeaderRule {
  readonly field: keyof MsrpHeaders;
  readonly parse: (value: string) => unknown;
  /** The value differs from frame to frame (Byte-Range): not worth remembering. */
  readonly volatile?: boolean;
  /** May appear more than once; values are collected in an array. */
  readonly repeats?: boolean;
  /** A value it cannot parse is kept as an extension header for the receiver to answer. */
  readonly keepMalformed?: boolean;
}

const RULES: Record<string, HeaderRule | undefined> = {
  'to-path': { field: 'toPath', parse: parsePath },
  'from-path': { field: 'fromPath', parse: parsePath },
  'message-id': { field: 'messageId', parse: (v) => (IDENT.test(v) ? v : undefined) },
  'success-report': { field: 'successReport', parse: parseEnum(['yes', 'no']) },
  'failure-report': { field: 'failureReport', parse: parseEnum(['yes', 'no', 'partial']) },
  'byte-range': { field: 'byteRange', parse: parseByteRange, volatile: true },
  status: { field: 'status', parse: parseStatusHeader },
  expires: { field: 'expires', parse: parseSeconds },
  'min-expires': { field: 'minExpires', parse: parseSeconds },
  'max-expires': { field: 'maxExpires', parse: parseSeconds },
  'use-path': { field: 'usePath', parse: parsePath },
  // RFC 7616 §3.7: one challenge per algorithm, each in its own header. The Digest lines
  // carry a fresh nonce (or response) each time: not worth remembering, and a connection's
  // cache would keep its last AUTH's lines as long as it lives.
  'www-authenticate': {
    field: 'wwwAuthenticate',
    parse: parseAuthHeader,
    repeats: true,
    volatile: true,
  },
  authorization: { field: 'authorization', parse: parseAuthHeader, volatile: true },
  'authentication-info': { field: 'authenticationInfo', parse: parseAuthParams, volatile: true },
  // RFC 7701 §7.1: a malformed nickname is the focus's to refuse (424), not a broken frame.
  'use-nickname': { field: 'useNickname', parse: parseUseNickname, keepMalformed: true },
  'content-type': { field: 'contentType', parse: parseContentType },
};

/** A header line already parsed: its rule and value, shared (frozen) between frames. */
export interface KnownLine {
  readonly rule: HeaderRule;
  readonly value: unknown;
}

/**
 * Header lines a connection has parsed before, by their text: the To-Path, From-Path,
 * Message-ID and Content-Type of a session repeat on every chunk. Values in it are frozen.
 */
export type HeaderCache = Map<string, KnownLine>;

const HEADER_CACHE_SIZE = 64;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Parses one header line (without CRLF) into `head`. `cache` remembers parsed lines;
 * `checked` says the caller already made sure the line has no control characters.
 * @throws {MsrpError} `MSRP_ERR_BAD_HEADER` or `MSRP_ERR_DUPLICATE_HEADER`, status 400.
 */
export function parseHeaderLine(
  head: Head,
  line: string,
  cache?: HeaderCache,
  checked = false,
): void {
  readHeaderLine(head, line, cache, checked);
}

/**
 * {@link parseHeaderLine}, returning the parsed line, which {@link addKnownLine} can add to a
 * later head.
 */
export function readHeaderLine(
  head: Head,
  line: string,
  cache: HeaderCache | undefined,
  checked: boolean,
): KnownLine {
  const known = cache?.get(line) ?? parseLine(head.transactionId, line, cache, checked);
  if (!addKnownLine(head, known)) {
    const name = line.slice(0, line.indexOf(':'));
    throw new MsrpError('MSRP_ERR_DUPLICATE_HEADER', `Header ${name} appears more than once`, {
      status: 400,
      transactionId: head.transactionId,
    });
  }
  return known;
}

/**
 * Adds a parsed header line to `head`; false when its field is already set and may not
 * repeat (the caller reports the duplicate).
 */
export function addKnownLine(head: Head, known: KnownLine): boolean {
  const field = known.rule.field;
  // The fields of every frame by name: a store to a named property is much cheaper than
  // one by a computed key.
  if (field === 'toPath') {
    if (head.toPath.length > 0) return false;
    head.toPath = known.value as readonly MsrpUri[];
    return true;
  }
  if (field === 'fromPath') {
    if (head.fromPath.length > 0) return false;
    head.fromPath = known.value as readonly MsrpUri[];
    return true;
  }
  if (field === 'contentType') {
    if (head.contentType !== undefined) return false;
    head.contentType = known.value as ContentType;
    return true;
  }
  const fields = head as unknown as Record<string, unknown>;
  if (field === 'extensions' || field === 'contentHeaders') {
    fields[field] = [...((fields[field] as HeaderField[] | undefined) ?? []), known.value];
    return true;
  }
  const current = fields[field];
  if (known.rule.repeats) {
    fields[field] = [...((current as unknown[] | undefined) ?? []), known.value];
  } else if (current === undefined || (Array.isArray(current) && current.length === 0)) {
    // toPath and fromPath start out empty, meaning "not seen yet".
    fields[field] = known.value;
  } else {
    return false;
  }
  return true;
}

const EXTENSION: HeaderRule = { field: 'extensions', parse: () => undefined };
const CONTENT_HEADER: HeaderRule = { field: 'contentHeaders', parse: () => undefined };

function parseLine(
  transactionId: string,
  line: string,
  cache: HeaderCache | undefined,
  checked: boolean,
): KnownLine {
  const colon = line.indexOf(':');
  const name = colon < 0 ? line : line.slice(0, colon);
  const rule = colon < 0 ? undefined : RULES[name.toLowerCase()];
  // Known names are valid by construction; only others need the grammar check.
  if (colon < 0 || (!rule && !HNAME.test(name))) {
    throw new MsrpError(
      'MSRP_ERR_BAD_HEADER',
      `Malformed header line ${JSON.stringify(line.slice(0, 64))}`,
      {
        status: 400,
        transactionId,
      },
    );
  }
  let start = colon + 1;
  while (line.charCodeAt(start) === 0x20 || line.charCodeAt(start) === 0x09) start++;
  const value = line.slice(start);
  if (!checked && !UTF8TEXT.test(value)) throw badHeader(name, value, transactionId);
  let known: KnownLine;
  if (!rule) {
    const content = name.length > 8 && name.slice(0, 8).toLowerCase() === 'content-';
    known = { rule: content ? CONTENT_HEADER : EXTENSION, value: Object.freeze({ name, value }) };
  } else {
    let parsed: unknown;
    try {
      parsed = rule.parse(value);
    } catch (e) {
      throw badHeader(name, value, transactionId, e);
    }
    if (parsed !== undefined) known = { rule, value: rule.volatile ? parsed : deepFreeze(parsed) };
    else if (rule.keepMalformed) known = { rule: EXTENSION, value: Object.freeze({ name, value }) };
    else throw badHeader(name, value, transactionId);
  }
  if (cache && !rule?.volatile) {
    if (cache.size >= HEADER_CACHE_SIZE) cache.clear();
    cache.set(line, known);
  }
  return known;
}
