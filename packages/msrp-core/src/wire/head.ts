import { MsrpError } from '../errors.js';
import { formatByteRange, parseByteRange, type ByteRange } from './byte-range.js';
import { formatContentType, parseContentType, type ContentType } from './content-type.js';
import {
  formatAuthHeader,
  formatAuthParams,
  parseAuthHeader,
  parseAuthParams,
  type AuthHeader,
} from './digest.js';
import { IDENT, type Param } from './grammar.js';
import { formatUseNickname, parseUseNickname } from './nickname.js';
import { formatStatusHeader, parseStatusHeader, type StatusHeader } from './status-header.js';
import { formatUri, parseUri, type MsrpUri } from './uri.js';

/** A header field kept as text: extension headers and MIME headers of the body. */
export interface HeaderField {
  readonly name: string;
  readonly value: string;
}

/**
 * The header fields of an MSRP frame (RFC 4975 §9, RFC 4976 §10), parsed. Serialization
 * writes them in the order listed here, which is the order of the RFC examples.
 */
export interface MsrpHeaders {
  /** To-Path: the URIs still to visit, next hop first. */
  toPath: readonly MsrpUri[];
  /** From-Path: the URIs visited, the last hop first. */
  fromPath: readonly MsrpUri[];
  messageId?: string;
  successReport?: 'yes' | 'no';
  failureReport?: 'yes' | 'no' | 'partial';
  byteRange?: ByteRange;
  /** The Status header of a REPORT. */
  status?: StatusHeader;
  /** Expires, in seconds (RFC 4976 §5). */
  expires?: number;
  minExpires?: number;
  maxExpires?: number;
  /** Use-Path: the relay URIs an AUTH response hands out (RFC 4976 §5). */
  usePath?: readonly MsrpUri[];
  /** WWW-Authenticate challenges; one per offered algorithm (RFC 7616 §3.7). */
  wwwAuthenticate?: readonly AuthHeader[];
  authorization?: AuthHeader;
  authenticationInfo?: readonly Param[];
  /** Use-Nickname of a NICKNAME request (RFC 7701 §7.1): the nickname, unquoted. */
  useNickname?: string;
  /** Unknown extension headers, in the order they came. */
  extensions?: readonly HeaderField[];
  /** Other MIME headers of the body (Content-ID, Content-Description, Content-Disposition...). */
  contentHeaders?: readonly HeaderField[];
  /** Content-Type; present exactly when the frame carries a body (RFC 4975 §7.1). */
  contentType?: ContentType;
}

/** Head of a request: `MSRP <transact-id> <METHOD>` and its headers. */
export interface RequestHead extends MsrpHeaders {
  kind: 'request';
  transactionId: string;
  /** SEND, REPORT, AUTH, NICKNAME or any other upper-case method (unknown ones get 501 upstream). */
  method: string;
}

/** Head of a response: `MSRP <transact-id> <code> [comment]` and its headers. */
export interface ResponseHead extends MsrpHeaders {
  kind: 'response';
  transactionId: string;
  statusCode: number;
  comment?: string;
}

/** Start line and headers of an MSRP frame. */
export type Head = RequestHead | ResponseHead;

const METHOD = /^[A-Z]+$/;
const HNAME = /^[A-Za-z][!#-'*+\-.0-9A-Z^-~]*$/;
const DIGITS = /^\d{1,10}$/;
// utf8text (RFC 4975 §9): HTAB, printable ASCII and anything non-ASCII; no other controls.
const UTF8TEXT = /^[\t\x20-\x7e\u0080-\uffff]*$/;
const CR_OR_LF = /[\r\n]/;
/** A whole header block whose lines hold nothing but utf8text, separated by CRLF. */
export const UTF8TEXT_LINES = /^(?:[\t\x20-\x7e\u0080-\uffff]|\r\n)*$/;

// Errors are built by module-level functions, not closures: this code runs for every frame.
function badStartLine(transactionId: string, why: string): MsrpError {
  return new MsrpError('MSRP_ERR_BAD_START_LINE', why, { status: 400, transactionId });
}

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

/**
 * Parses a start line (without CRLF) into an empty head.
 * @throws {MsrpError} `MSRP_ERR_BAD_START_LINE`, status 400 once the transaction id is known.
 */
export function parseStartLine(line: string): Head {
  if (!line.startsWith('MSRP ')) {
    throw new MsrpError(
      'MSRP_ERR_BAD_START_LINE',
      `Start line must begin with "MSRP ": ${JSON.stringify(line.slice(0, 64))}`,
    );
  }
  const sp = line.indexOf(' ', 5);
  const transactionId = sp < 0 ? line.slice(5) : line.slice(5, sp);
  if (!IDENT.test(transactionId)) {
    throw new MsrpError(
      'MSRP_ERR_BAD_START_LINE',
      `Invalid transaction id ${JSON.stringify(transactionId)}`,
    );
  }
  if (sp < 0) throw badStartLine(transactionId, 'Start line has no method or status code');
  const rest = line.slice(sp + 1);
  if (METHOD.test(rest))
    return { kind: 'request', transactionId, method: rest, toPath: [], fromPath: [] };
  const code = rest.slice(0, 3);
  if (/^\d{3}$/.test(code) && (rest.length === 3 || rest[3] === ' ')) {
    const head: ResponseHead = {
      kind: 'response',
      transactionId,
      statusCode: Number(code),
      toPath: [],
      fromPath: [],
    };
    if (rest.length > 3) {
      const comment = rest.slice(4);
      if (!UTF8TEXT.test(comment))
        throw badStartLine(transactionId, 'Response comment contains control characters');
      head.comment = comment;
    }
    return head;
  }
  throw badStartLine(
    transactionId,
    `Invalid method or status code ${JSON.stringify(rest.slice(0, 32))}`,
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
  // RFC 7616 §3.7: one challenge per algorithm, each in its own header.
  'www-authenticate': { field: 'wwwAuthenticate', parse: parseAuthHeader, repeats: true },
  authorization: { field: 'authorization', parse: parseAuthHeader },
  'authentication-info': { field: 'authenticationInfo', parse: parseAuthParams },
  'use-nickname': { field: 'useNickname', parse: parseUseNickname },
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
 * Returns the parsed line, which {@link addKnownLine} can add to a later head.
 * @throws {MsrpError} `MSRP_ERR_BAD_HEADER` or `MSRP_ERR_DUPLICATE_HEADER`, status 400.
 */
export function parseHeaderLine(
  head: Head,
  line: string,
  cache?: HeaderCache,
  checked = false,
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
    if (parsed === undefined) throw badHeader(name, value, transactionId);
    known = { rule, value: rule.volatile ? parsed : deepFreeze(parsed) };
  }
  if (cache && !rule?.volatile) {
    if (cache.size >= HEADER_CACHE_SIZE) cache.clear();
    cache.set(line, known);
  }
  return known;
}

/**
 * Checks what RFC 4975 §9 requires of every frame once its headers are complete.
 * @throws {MsrpError} `MSRP_ERR_MISSING_HEADER`, status 400.
 */
export function checkHead(head: Head): void {
  // RFC 4975 §9: headers = To-Path CRLF From-Path CRLF ...; both are mandatory.
  const missing =
    head.toPath.length === 0 ? 'To-Path' : head.fromPath.length === 0 ? 'From-Path' : undefined;
  if (missing) {
    throw new MsrpError('MSRP_ERR_MISSING_HEADER', `Missing ${missing} header`, {
      status: 400,
      transactionId: head.transactionId,
    });
  }
}

function formatPath(path: readonly MsrpUri[]): string {
  return path.length === 1 ? formatUri(path[0]!) : path.map(formatUri).join(' ');
}

function invalid(what: string): MsrpError {
  return new MsrpError('MSRP_ERR_INVALID_ARGUMENT', what);
}

/**
 * Serializes the start line and headers, ending with the blank line that precedes a body
 * when `contentType` is set.
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` when a field cannot be put on the wire.
 */
export function formatHead(head: Head): string {
  if (!IDENT.test(head.transactionId))
    throw invalid(`Invalid transaction id ${JSON.stringify(head.transactionId)}`);
  let start: string;
  if (head.kind === 'request') {
    if (!METHOD.test(head.method)) throw invalid(`Invalid method ${JSON.stringify(head.method)}`);
    start = `MSRP ${head.transactionId} ${head.method}`;
  } else {
    if (!Number.isInteger(head.statusCode) || head.statusCode < 0 || head.statusCode > 999) {
      throw invalid(`Invalid status code ${head.statusCode}`);
    }
    start = `MSRP ${head.transactionId} ${String(head.statusCode).padStart(3, '0')}`;
    if (head.comment !== undefined) start += ` ${head.comment}`;
  }
  if (head.toPath.length === 0 || head.fromPath.length === 0)
    throw invalid('To-Path and From-Path must not be empty');
  if (head.messageId !== undefined && !IDENT.test(head.messageId)) {
    throw invalid(`Invalid Message-ID ${JSON.stringify(head.messageId)}`);
  }
  const lines = [
    start,
    `To-Path: ${formatPath(head.toPath)}`,
    `From-Path: ${formatPath(head.fromPath)}`,
  ];
  const add = (name: string, value: string | number | undefined): void => {
    if (value !== undefined) lines.push(`${name}: ${value}`);
  };
  add('Message-ID', head.messageId);
  add('Success-Report', head.successReport);
  add('Failure-Report', head.failureReport);
  add('Byte-Range', head.byteRange && formatByteRange(head.byteRange));
  add('Status', head.status && formatStatusHeader(head.status));
  add('Expires', head.expires);
  add('Min-Expires', head.minExpires);
  add('Max-Expires', head.maxExpires);
  add('Use-Path', head.usePath && formatPath(head.usePath));
  for (const challenge of head.wwwAuthenticate ?? [])
    add('WWW-Authenticate', formatAuthHeader(challenge));
  add('Authorization', head.authorization && formatAuthHeader(head.authorization));
  add('Authentication-Info', head.authenticationInfo && formatAuthParams(head.authenticationInfo));
  add(
    'Use-Nickname',
    head.useNickname === undefined ? undefined : formatUseNickname(head.useNickname),
  );
  for (const field of head.extensions ?? []) {
    if (!HNAME.test(field.name)) throw invalid(`Invalid header name ${JSON.stringify(field.name)}`);
    add(field.name, field.value);
  }
  // RFC 4975 §9: Content-Type MUST be the last MIME header field.
  for (const field of head.contentHeaders ?? []) {
    if (!HNAME.test(field.name)) throw invalid(`Invalid header name ${JSON.stringify(field.name)}`);
    add(field.name, field.value);
  }
  add('Content-Type', head.contentType && formatContentType(head.contentType));
  // Values come from the caller: a CR or LF inside one would forge a header or a frame.
  for (const line of lines) {
    if (CR_OR_LF.test(line))
      throw invalid(`Header line contains CR or LF: ${JSON.stringify(line.slice(0, 64))}`);
  }
  const text = lines.join('\r\n');
  // With a body the header block ends in a blank line (RFC 4975 §9 content-stuff).
  return text + (head.contentType ? '\r\n\r\n' : '\r\n');
}
