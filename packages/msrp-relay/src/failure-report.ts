import type { RequestHead } from '@msrp-ts/msrp-core';
import { oneLineComment, newTransactionId } from '@msrp-ts/msrp-core/internal';
import type { PendingForward } from './hop.js';

/**
 * The failure REPORT for the part of a chunk that `pending` covers (RFC 4975 §7.1.2,
 * RFC 4976 §7.2), or undefined when its Failure-Report asks for none.
 */
export function failureReport(
  pending: PendingForward,
  status: number,
  comment?: string,
): RequestHead | undefined {
  const { request } = pending;
  if ((request.failureReport ?? 'yes') === 'no' || request.messageId === undefined) return;
  const range = request.byteRange ?? { start: 1, end: '*', total: '*' };
  const start = range.start + pending.offset;
  return {
    kind: 'request',
    method: 'REPORT',
    transactionId: newTransactionId(),
    // The REPORT goes back the way the request came, from this relay.
    toPath: request.fromPath,
    fromPath: [request.toPath[0]!],
    messageId: request.messageId,
    byteRange: { start, end: start + pending.bytes - 1, total: range.total },
    status: { namespace: '000', code: status, ...(comment && { reason: oneLineComment(comment) }) },
  };
}
