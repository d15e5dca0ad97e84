import { MsrpError } from '../errors.js';
import type { RequestHead } from '../wire/head.js';
import { newMessageId, newTransactionId } from '../wire/ids.js';
import type { MsrpUri } from '../wire/uri.js';
import { abortable } from './abortable.js';
import type { SessionPort } from './session-link.js';

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

/**
 * The active side's first SEND on its connection (RFC 4975 §5.4), which binds the session;
 * resolves on the peer's 200.
 * @throws {MsrpError} `MSRP_ERR_REMOTE` with the status of any other answer;
 * `MSRP_ERR_ABORTED` when `signal` aborts first.
 */
export async function bindingSend(
  port: SessionPort,
  toPath: readonly MsrpUri[],
  fromPath: readonly MsrpUri[],
  signal: AbortSignal,
): Promise<void> {
  const response = await abortable(port.request(bodilessSend(toPath, fromPath)), signal, 'connect');
  if (response.statusCode !== 200) {
    throw new MsrpError(
      'MSRP_ERR_REMOTE',
      `Peer refused the session: ${response.statusCode} ${response.comment ?? ''}`.trim(),
      { status: response.statusCode },
    );
  }
}
