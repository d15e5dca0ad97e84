import { encodeFrame, newMessageId, newTransactionId, parseUri } from '../../src/index.js';

/**
 * A whole SEND frame (head, body, end-line) to us from them, of `body`: its bytes, or that many
 * bytes of 'a'.
 */
export function sendFrame(body: number | Uint8Array): Uint8Array[] {
  const bytes = typeof body === 'number' ? new Uint8Array(body).fill(0x61) : body;
  const size = bytes.length;
  return encodeFrame(
    {
      kind: 'request',
      method: 'SEND',
      transactionId: newTransactionId(),
      toPath: [parseUri('msrp://127.0.0.1:1/us;tcp')],
      fromPath: [parseUri('msrp://127.0.0.1:2/them;tcp')],
      messageId: newMessageId(),
      byteRange: { start: 1, end: size, total: size },
      contentType: { type: 'application', subtype: 'octet-stream', params: [] },
    },
    bytes,
  );
}
