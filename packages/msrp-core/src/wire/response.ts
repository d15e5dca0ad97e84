import { MsrpError } from '../errors.js';
import { encodeUtf8ForWire } from './bytes.js';
import type { RequestHead } from './head.js';
import { formatUri } from './uri.js';

/** Reason phrases for the status codes of RFC 4975 §10, RFC 4976 §6 and RFC 7701 §10.3. */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: "Failure to resolve recipient's URI",
  408: 'Request Timeout',
  413: 'Stop Sending Message',
  415: 'Unsupported Media Type',
  423: 'Interval Out-of-Bounds',
  424: 'Malformed nickname',
  425: 'Nickname reserved or already in use',
  428: 'Private messages not supported',
  481: 'Session Does Not Exist',
  501: 'Not Implemented',
  506: 'Session Already In Use',
};

/**
 * Whether a response with `status` may be sent to `request`. RFC 4975 §7.1.2: REPORTs are
 * never answered. §7.1: a SEND's Failure-Report "no" wants no response and "partial" only
 * failures; other requests are always answered.
 */
export function wantsResponse(request: RequestHead, status: number): boolean {
  if (request.method === 'REPORT') return false;
  if (request.method !== 'SEND') return true;
  const failureReport = request.failureReport ?? 'yes';
  return failureReport === 'yes' || (failureReport === 'partial' && status !== 200);
}

/**
 * The request a peer fault can still be answered on: its head, when the parser read both
 * paths before the fault and the fault has a status to send.
 */
export function answerableRequest(error: MsrpError): RequestHead | undefined {
  const head = error.head;
  return head?.kind === 'request' &&
    error.status &&
    head.toPath.length > 0 &&
    head.fromPath.length > 0
    ? head
    : undefined;
}

/**
 * A comment for a status line (RFC 4975 §9: `comment` is on the status line, so it holds no
 * CR or LF): each run of CR and LF becomes one space. The one rule for every response built.
 */
export function oneLineComment(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/**
 * Serializes the response to a request (RFC 4975 §7.2): it goes back one hop, so its To-Path
 * is the first URI of the request's From-Path and its From-Path the first URI of the
 * request's To-Path. `comment` is kept on one line ({@link oneLineComment}). Written
 * directly, not through {@link formatHead}: a receiver sends one per chunk; a response with
 * more headers (`responseFrame` with `headers`) takes the general serializer.
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` for a status code outside 100–999.
 */
export function encodeResponse(
  request: RequestHead,
  statusCode: number,
  comment?: string,
): Uint8Array {
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 999) {
    throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `Invalid status code ${statusCode}`);
  }
  const tid = request.transactionId;
  const text = comment ? ` ${oneLineComment(comment)}` : '';
  return encodeUtf8ForWire(
    `MSRP ${tid} ${statusCode}${text}\r\nTo-Path: ${formatUri(request.fromPath[0]!)}\r\n` +
      `From-Path: ${formatUri(request.toPath[0]!)}\r\n-------${tid}$\r\n`,
  );
}
