import { MsrpError } from '../errors.js';
import { formatByteRange, type ByteRange } from './byte-range.js';
import { formatContentType, type ContentType } from './content-type.js';
import { formatAuthHeader, formatAuthParams, type AuthHeader } from './digest.js';
import { IDENT, type Param } from './grammar.js';
import { formatUseNickname } from './nickname.js';
import { formatStatusHeader, type StatusHeader } from './status-header.js';
import { formatUri, type MsrpUri } from './uri.js';

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
  /**
   * Use-Nickname of a NICKNAME request (RFC 7701 §7.1): the nickname, unquoted. A value that
   * is no quoted-string is left in `extensions`, for the focus to answer 424.
   */
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

export {
  addKnownLine,
  parseHeaderLine,
  readHeaderLine,
  type HeaderCache,
  type HeaderRule,
  type KnownLine,
} from './header-line.js';

const METHOD = /^[A-Z]+$/;
const HNAME = /^[A-Za-z][!#-'*+\-.0-9A-Z^-~]*$/;
// utf8text (RFC 4975 §9): HTAB, printable ASCII and anything non-ASCII; no other controls.
const UTF8TEXT = /^[\t\x20-\x7e\u0080-\uffff]*$/;
const CR_OR_LF = /[\r\n]/;

// Errors are built by module-level functions, not closures: this code runs for every frame.
function badStartLine(transactionId: string, why: string): MsrpError {
  return new MsrpError('MSRP_ERR_BAD_START_LINE', why, { status: 400, transactionId });
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
 * What is wrong with a header field a caller gave, or undefined: a name that is no token
 * (RFC 4975 §9 hname), or a CR or LF in its value, which would forge a header or a frame.
 */
export function headerFieldProblem(field: HeaderField): string | undefined {
  const { name, value } = (field ?? {}) as Partial<HeaderField>;
  if (typeof name !== 'string' || typeof value !== 'string') {
    return `A header field is { name, value } of strings, not ${JSON.stringify(field)}`;
  }
  if (!HNAME.test(name)) return `Invalid header name ${JSON.stringify(name)}`;
  if (CR_OR_LF.test(value)) {
    return `Header ${name} contains CR or LF: ${JSON.stringify(value.slice(0, 64))}`;
  }
  return undefined;
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
  const addField = (field: HeaderField): void => {
    const problem = headerFieldProblem(field);
    if (problem !== undefined) throw invalid(problem);
    add(field.name, field.value);
  };
  for (const field of head.extensions ?? []) addField(field);
  // RFC 4975 §9: Content-Type MUST be the last MIME header field.
  for (const field of head.contentHeaders ?? []) addField(field);
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
