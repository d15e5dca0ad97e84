import type { RequestHead } from '../wire/head.js';
import { newTransactionId } from '../wire/ids.js';
import { ChunkHeadTemplate, encodeFrame } from '../wire/serializer.js';
import type { MsrpUri } from '../wire/uri.js';

const OK = { namespace: '000', code: 200, reason: 'OK' } as const;

/**
 * The success REPORTs of a session's incoming messages (RFC 4975 §7.1.2), one per message that
 * asked for one: they repeat one head but for the transaction id, Message-ID and Byte-Range,
 * so the head is formatted once, as a template, while the paths stay the same objects (as
 * the parser's template gives them, for a run of chunks).
 */
export class SuccessReports {
  #template: ChunkHeadTemplate | undefined;
  /** The SEND's From-Path (the REPORT's To-Path) and our From-Path the template was made for. */
  #to: readonly MsrpUri[] | undefined;
  #from: readonly MsrpUri[] | undefined;

  /**
   * The frame of the success REPORT of the message of `request`, complete with `bytes` bytes,
   * from `fromPath`: to the SEND's From-Path, its Message-ID, Byte-Range 1-bytes/bytes and
   * Status 000 200 OK (RFC 4975 §7.1.2), the bytes {@link encodeFrame} gives for that head.
   */
  frame(request: RequestHead, fromPath: readonly MsrpUri[], bytes: number): Uint8Array[] {
    const transactionId = newTransactionId();
    const messageId = request.messageId!;
    const head = (): RequestHead => ({
      kind: 'request',
      method: 'REPORT',
      transactionId,
      toPath: [...request.fromPath],
      fromPath,
      messageId,
      byteRange: { start: 1, end: bytes, total: bytes },
      status: { ...OK },
    });
    if (request.fromPath !== this.#to || fromPath !== this.#from) {
      // New paths (or the same read anew: heads the parser read in full have paths of their
      // own): formatted in full, as the template is made only for paths seen twice in a row.
      this.#template = undefined;
      this.#to = request.fromPath;
      this.#from = fromPath;
      return encodeFrame(head());
    }
    // The Message-ID is the request's, an ident the parser checked (RFC 4975 §9).
    this.#template ??= new ChunkHeadTemplate(head());
    const frame = this.#template.encodeBodiless(transactionId, 1, bytes, bytes, messageId, '$');
    return frame ? [frame] : encodeFrame(head());
  }
}
