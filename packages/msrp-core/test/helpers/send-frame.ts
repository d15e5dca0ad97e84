import { encodeFrame, newMessageId, newTransactionId, parseUri } from '../../src/index.js';

/** A whole SEND frame (head, body, end-line) with `size` body bytes of 'a', to us from them. */
export function sendFrame(size: number): Uint8Array[] {
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
    new Uint8Array(size).fill(0x61),
  );
}
