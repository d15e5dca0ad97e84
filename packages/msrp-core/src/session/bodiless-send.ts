import type { RequestHead } from '../wire/head.js';
import { newMessageId, newTransactionId } from '../wire/ids.js';
import type { MsrpUri } from '../wire/uri.js';

/**
 * A SEND without body or Content-Type (RFC 4975 §7.1.1): binds a session to its connection
 * (§5.4), or keeps that connection alive; the peer answers 200 and delivers nothing.
 */
export function bodilessSend(
  toPath: readonly MsrpUri[],
  fromPath: readonly MsrpUri[],
): RequestHead {
  return {
    kind: 'request',
    method: 'SEND',
    transactionId: newTransactionId(),
    toPath,
    fromPath,
    messageId: newMessageId(),
    byteRange: { start: 1, end: 0, total: 0 },
  };
}
