import type { ContinuationFlag, MsrpError, RequestHead } from '@msrp-ts/msrp-core';
import type { FrameTarget } from '@msrp-ts/msrp-core/internal';
import type { ForwardHead } from './forward-template.js';
import type { ForwardedRequest, ForwardEvents } from './forwarded-request.js';
import type { ForwarderContext } from './forwarder.js';
import type { Hop, PendingForward } from './hop.js';
import { messageOffset } from './report-basis.js';

/**
 * RFC 4975 §7.1: non-SEND request bodies MUST NOT be larger than 10240 octets. Such requests
 * cannot be cut, so toward a WebSocket peer each is held whole until its end: this bounds it.
 */
const MAX_NON_SEND_BODY = 10240;

/** The comment of the 413 refusing a chunk over `maxChunkSize`: it names the limit. */
export const chunkTooLarge = (maxChunkSize: number): string =>
  `Chunk too large for this relay (at most ${maxChunkSize} bytes)`;

/** What a {@link StreamedForward} needs from its `Forwarder`. */
export interface StreamContext extends Pick<
  ForwarderContext,
  'limits' | 'stats' | 'transactionTimeout' | 'respond'
> {
  /** A forwarded request failed further on: a failure REPORT, or the failure as response. */
  giveUp(pending: PendingForward, status: number, comment?: string): void;
}

/**
 * One request forwarded as its body arrives (cut-through, RFC 4976 §7): the target of its
 * sender's frame, and the listener of its next hop's scheduler. One object per request, its
 * state in fields: a chat line through the relay used to cost a dozen closures and their
 * context (issue 13: relay allocation per message).
 */
export class StreamedForward implements FrameTarget, ForwardEvents {
  readonly #context: StreamContext;
  readonly #origin: Hop;
  readonly #request: RequestHead;
  readonly #target: Hop;
  readonly #isSend: boolean;
  /** RFC 4975 §7.1.2: REPORTs get no response; Failure-Report "no" asks for none either. */
  readonly #awaitResponse: boolean;
  readonly #forward: ForwardedRequest;
  #received = 0;
  #ended = false;
  #paused = false;
  #failed: { status: number; comment: string } | undefined;
  #openTid: string | undefined;
  #openOffset = 0;
  #segments = 0;

  constructor(
    context: StreamContext,
    origin: Hop,
    request: RequestHead,
    forwarded: ForwardHead,
    target: Hop,
  ) {
    this.#context = context;
    this.#origin = origin;
    this.#request = request;
    this.#target = target;
    const isSend = request.method === 'SEND';
    this.#isSend = isSend;
    this.#awaitResponse =
      request.method === 'REPORT' ? false : isSend ? request.failureReport !== 'no' : true;
    this.#forward = target.scheduler.forward(forwarded.head, this, forwarded.template);
    if (this.#forward.held) {
      // The next hop's queue has no room for this sender's read: read nothing more of it
      // until there is (`resume`), so the bytes queued there stay bounded.
      this.#paused = true;
      origin.pauseAfterHead = true;
    }
  }

  get #kind(): PendingForward['kind'] {
    return this.#isSend ? 'report' : 'relay';
  }

  segment(tid: string, offset: number): void {
    this.#openTid = tid;
    this.#openOffset = offset;
    this.#segments++;
    const origin = this.#origin;
    // A dead sender's segment (its `#` end) awaits nothing: nobody is left to report to.
    if (!this.#awaitResponse || origin.retired) return;
    // Armed with the timeout once its end-line is written (segmentEnd).
    const kind = this.#kind;
    // A SEND chunk holds its message's shared head, not its own (see ReportBasis).
    const request = kind === 'report' ? origin.reportBasis.of(this.#request) : this.#request;
    const at = kind === 'report' ? messageOffset(this.#request) + offset : offset;
    this.#target.pending.set(tid, { origin, request, offset: at, bytes: 0, kind });
    origin.awaitOn(this.#target);
  }

  segmentEnd(tid: string, bytes: number, flag: ContinuationFlag): void {
    this.#openTid = undefined;
    const { stats } = this.#context;
    const target = this.#target;
    stats.requestsForwarded++;
    if (flag === '+' && !(this.#ended && this.#forward.sent >= this.#received)) {
      stats.chunksInterrupted++;
      // Its first cut toward a WebSocket peer: one more chunk re-chunked there.
      if (this.#segments === 1 && target.connection?.messageFramed) stats.chunksRechunked++;
    }
    target.pending.arm(tid, this.#context.transactionTimeout, bytes);
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#origin.resume();
  }

  failed(error: MsrpError): void {
    if (!this.#ended) {
      // Answer the chunk with the failure once its end arrives; read and drop the rest.
      // (An eviction by the next hop's queue is this sender's own slowness.)
      const evicted = error.code === 'MSRP_ERR_LIMIT';
      this.#failed = {
        status: error.status ?? 408,
        comment: evicted ? error.message : `Next hop failed: ${error.message}`,
      };
      this.resume();
      return;
    }
    // What was not written (from the open segment on) is reported lost.
    let from = this.#forward.sent;
    const open = this.#openTid;
    if (open !== undefined) {
      this.#target.pending.delete(open);
      from = this.#openOffset;
    }
    const received = this.#received;
    if (from < received || this.#segments === 0 || open !== undefined)
      this.#context.giveUp(
        {
          origin: this.#origin,
          request: this.#request,
          offset: from,
          bytes: received - from,
          kind: this.#kind,
        },
        408,
        `Next hop failed: ${error.message}`,
      );
  }

  body(part: Uint8Array): boolean {
    if (this.#failed) return true;
    const received = (this.#received += part.length);
    const { limits, stats } = this.#context;
    const target = this.#target;
    if (received > (this.#isSend ? limits.maxChunkSize : MAX_NON_SEND_BODY)) {
      this.#failed = {
        status: 413,
        comment: this.#isSend ? chunkTooLarge(limits.maxChunkSize) : 'Body too large',
      };
      target.scheduler.abort(this.#forward);
      if (this.#isSend && this.#request.messageId !== undefined)
        this.#origin.refuse(this.#request.messageId);
      return true;
    }
    stats.bytesForwarded += part.length;
    if (target.scheduler.push(this.#forward, part)) return true;
    this.#paused = true;
    return false;
  }

  end(flag: ContinuationFlag): void {
    this.#ended = true;
    // Nothing more to read for it: a later resume must not wake the sender.
    this.#paused = false;
    const origin = this.#origin;
    const request = this.#request;
    const failed = this.#failed;
    if (failed) {
      this.#context.respond(origin, request, failed.status, failed.comment);
      return;
    }
    this.#target.scheduler.end(this.#forward, flag);
    // Hop by hop (RFC 4976 §7.2): the relay answers the chunk itself.
    if (!this.#isSend) return;
    const ok = origin.forwardTemplate.ok(request);
    if (ok) origin.scheduler.send(ok);
  }

  abort(): void {
    this.#target.scheduler.abort(this.#forward);
  }
}
