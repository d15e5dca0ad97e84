import type { MsrpHeaders, RequestHead, ResponseHead } from './head.js';
import { REASON_PHRASES, encodeResponse, oneLineComment, wantsResponse } from './response.js';
import { encodeFrame } from './serializer.js';

/**
 * The response to `request` (RFC 4975 §7.2: it goes back one hop, To-Path the first URI of
 * the request's From-Path, From-Path the first of its To-Path). `comment` defaults to the
 * reason phrase; CR and LF in it become spaces.
 */
export function responseHead(
  request: RequestHead,
  status: number,
  comment?: string,
  headers: Partial<MsrpHeaders> = {},
): ResponseHead {
  const text = oneLineComment(comment ?? REASON_PHRASES[status] ?? '');
  return {
    kind: 'response',
    transactionId: request.transactionId,
    statusCode: status,
    ...(text !== '' && { comment: text }),
    toPath: [request.fromPath[0]!],
    fromPath: [request.toPath[0]!],
    ...headers,
  };
}

/**
 * The frame answering `request` with `status`, ready for `Connection.write`, or undefined
 * when no response may be sent (RFC 4975 §7.1.2: REPORTs are never answered; §7.1: a
 * SEND's Failure-Report "no" wants none, "partial" only failures). With no extra headers
 * it takes the short path of {@link encodeResponse} (one per chunk received).
 */
export function responseFrame(
  request: RequestHead,
  status: number,
  comment?: string,
  headers?: Partial<MsrpHeaders>,
): Uint8Array[] | undefined {
  if (!wantsResponse(request, status)) return undefined;
  if (headers === undefined || Object.keys(headers).length === 0)
    return [encodeResponse(request, status, comment ?? REASON_PHRASES[status])];
  return encodeFrame(responseHead(request, status, comment, headers));
}
