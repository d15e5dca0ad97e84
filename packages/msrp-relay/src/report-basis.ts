import type { RequestHead } from '@msrp-ts/msrp-core';

/**
 * What a failure REPORT of a SEND chunk needs of its request (RFC 4975 §7.1.2: its paths,
 * Message-ID, Failure-Report and the message's total size), as one head shared by the chunks
 * of a message: a chunk awaiting its next hop's response holds this, not its own parsed head.
 *
 * Why: a chunk waits for that response while everything queued ahead of it drains (the
 * relay's queue, two sockets, the receiver), longer than V8's young generation keeps an
 * object; its head, Byte-Range and transaction id were promoted per chunk and grew the old
 * generation by its 8 MiB steps (issue 13: the relay's peak RSS).
 *
 * The parser hands the chunks of one message the same field values (see `ForwardTemplate`),
 * so sameness is a comparison of references.
 */
export class ReportBasis {
  #last: RequestHead | undefined;

  /**
   * The shared head for `request`; its Byte-Range starts at 1, so a pending chunk's offset
   * counts from the message's first byte ({@link messageOffset}).
   */
  of(request: RequestHead): RequestHead {
    const total = request.byteRange?.total ?? '*';
    const last = this.#last;
    if (
      last !== undefined &&
      last.fromPath === request.fromPath &&
      last.toPath === request.toPath &&
      last.messageId === request.messageId &&
      last.failureReport === request.failureReport &&
      last.byteRange!.total === total
    )
      return last;
    const basis: RequestHead = {
      kind: 'request',
      method: request.method,
      transactionId: '',
      toPath: request.toPath,
      fromPath: request.fromPath,
      byteRange: { start: 1, end: '*', total },
    };
    if (request.messageId !== undefined) basis.messageId = request.messageId;
    if (request.failureReport !== undefined) basis.failureReport = request.failureReport;
    return (this.#last = basis);
  }
}

/** Body bytes of the message before `request`'s chunk, by its Byte-Range (none: 0). */
export function messageOffset(request: RequestHead): number {
  return (request.byteRange?.start ?? 1) - 1;
}
