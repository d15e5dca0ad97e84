import type { ContinuationFlag, RequestHead } from '@msrp-ts/msrp-core';
import {
  encodeEndLine,
  lendRead,
  returnRead,
  returnReads,
  type FrameTarget,
} from '@msrp-ts/msrp-core/internal';
import type { ForwardHead } from './forward-template.js';
import type { Hop } from './hop.js';
import { messageOffset } from './report-basis.js';
import type { ResolvedLimits } from './relay-options.js';
import { StreamedForward, type StreamContext } from './streamed-forward.js';

/** Body bytes of a SEND forwarded whole: what `ChunkHeadTemplate.encodeSmallChunk` writes. */
export const WHOLE_BODY = 1024;

/** The body bytes of a SEND forwarded whole, at most: {@link WHOLE_BODY} within `maxChunkSize`. */
export function wholeBodyLimit(limits: Pick<ResolvedLimits, 'maxChunkSize'>): number {
  return Math.min(WHOLE_BODY, limits.maxChunkSize);
}

/**
 * Counts `request`, forwarded whole to `target` as `tid` with `bytes` of body, and makes a
 * SEND await its response there, as the relay reports a failure back to its sender
 * (`WholeForward` and the byte-level `FastPath` alike).
 */
export function forwardedWhole(
  context: Pick<StreamContext, 'stats' | 'transactionTimeout'>,
  origin: Hop,
  request: RequestHead,
  target: Hop,
  tid: string,
  bytes: number,
): void {
  // RFC 4975 §7.1.2: REPORTs get no response; Failure-Report "no" asks for none either.
  // A dead sender's request awaits nothing: nobody is left to report to.
  if (request.method === 'SEND' && request.failureReport !== 'no' && !origin.retired) {
    // The message's shared head, not the request's own (see ReportBasis).
    const pending = {
      origin,
      request: origin.reportBasis.of(request),
      offset: messageOffset(request),
      bytes,
      kind: 'report',
    } as const;
    target.pending.set(tid, pending, context.transactionTimeout);
    origin.awaitOn(target);
  }
  const { stats } = context;
  stats.requestsForwarded++;
  stats.requestsForwardedWhole++;
  stats.bytesForwarded += bytes;
}

/**
 * A small request forwarded whole (issue 13: small messages through the relay): a SEND whose
 * Byte-Range says it is a whole message of at most 1 KiB (a chat line), or a bodiless
 * REPORT, going to a next hop that has nothing queued. Its body is held (views, at most what
 * its Byte-Range declares) until its end-line, then it goes out as one frame ahead of nothing,
 * answered with a 200 as a {@link StreamedForward} would, without a `ForwardedRequest`, the
 * scheduler's steps and a write per piece.
 *
 * Whatever does not fit (more body than declared, an empty one, a next hop that got busy
 * meanwhile) becomes a {@link StreamedForward} at that point, given the body held: the same
 * checks, answers and order as every other request.
 */
export class WholeForward implements FrameTarget {
  readonly #context: StreamContext;
  readonly #origin: Hop;
  readonly #request: RequestHead;
  readonly #forwarded: ForwardHead;
  readonly #target: Hop;
  /** Body bytes it may hold: what the Byte-Range declares. */
  readonly #limit: number;
  #first: Uint8Array | undefined;
  #more: Uint8Array[] | undefined;
  #received = 0;
  #streamed: StreamedForward | undefined;

  /**
   * Whether `request`, forwarded with `forwarded` to `target`, goes whole: a SEND of a whole
   * message of 1 to 1024 bytes within `maxChunkSize`, or a bodiless REPORT, with a template
   * head, to a next hop with nothing queued.
   */
  static fits(
    request: RequestHead,
    forwarded: ForwardHead,
    target: Hop,
    limits: ResolvedLimits,
  ): boolean {
    if (forwarded.template === undefined || !target.scheduler.quiet) return false;
    if (request.method === 'REPORT') return request.contentType === undefined;
    const range = request.byteRange;
    return (
      request.method === 'SEND' &&
      request.contentType !== undefined &&
      range !== undefined &&
      range.start === 1 &&
      range.end === range.total &&
      typeof range.total === 'number' &&
      range.total >= 1 &&
      range.total <= wholeBodyLimit(limits)
    );
  }

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
    this.#forwarded = forwarded;
    this.#target = target;
    const total = request.byteRange?.total;
    this.#limit = typeof total === 'number' ? total : 0;
  }

  body(part: Uint8Array): boolean {
    if (this.#streamed) return this.#streamed.body(part);
    const received = this.#received + part.length;
    if (received > this.#limit) {
      const go = this.#stream();
      return this.#streamed!.body(part) && go;
    }
    this.#received = received;
    // Held past this read (the body may end in the next): lent until written or handed on.
    lendRead(part);
    if (this.#first === undefined) this.#first = part;
    else (this.#more ??= []).push(part);
    return true;
  }

  end(flag: ContinuationFlag): void {
    if (!this.#streamed && this.#whole(flag)) return;
    // The sender's end-line is in: whether it would pause makes no difference now.
    if (!this.#streamed) this.#stream();
    this.#streamed!.end(flag);
  }

  abort(): void {
    // Nothing of it was written unless it became streamed.
    if (this.#streamed) this.#streamed.abort();
    else this.#giveBack();
  }

  /** Gives back the pieces held (`lendRead`): copied into a frame, queued, or dropped. */
  #giveBack(): void {
    const first = this.#first;
    if (first === undefined) return;
    returnRead(first);
    if (this.#more) returnReads(this.#more);
    this.#first = this.#more = undefined;
  }

  /** Writes it as one frame, with its 200; false when it cannot go so now. */
  #whole(flag: ContinuationFlag): boolean {
    const target = this.#target;
    if (!target.scheduler.quiet) return false;
    const request = this.#request;
    const { head, template } = this.#forwarded;
    const tid = head.transactionId;
    const range = head.byteRange!;
    const isSend = request.method === 'SEND';
    let frame: Uint8Array[];
    if (isSend) {
      const first = this.#first;
      if (first === undefined) return false;
      const body = this.#more ? Buffer.concat([first, ...this.#more]) : first;
      const whole = template!.encodeWhole(tid, range, body, flag);
      if (whole === undefined) return false;
      frame = [whole];
    } else {
      frame = [template!.encode(tid, range), encodeEndLine(tid, flag, false)];
    }
    const origin = this.#origin;
    forwardedWhole(this.#context, origin, request, target, tid, this.#received);
    target.scheduler.send(frame);
    this.#giveBack();
    origin.fast?.learn(request, head, target);
    // Hop by hop (RFC 4976 §7.2): the relay answers the chunk itself.
    if (isSend) {
      const ok = origin.forwardTemplate.ok(request);
      if (ok) origin.scheduler.send(ok);
    }
    return true;
  }

  /**
   * Goes on as a {@link StreamedForward}, given the body held so far. Returns false when the
   * sender is to pause (its next hop's queue has no room for it).
   */
  #stream(): boolean {
    const origin = this.#origin;
    const pauseAfterHead = origin.pauseAfterHead;
    const streamed = new StreamedForward(
      this.#context,
      origin,
      this.#request,
      this.#forwarded,
      this.#target,
    );
    this.#streamed = streamed;
    // Held: past its head now, the sender pauses by what body() returns (pushes are kept).
    origin.pauseAfterHead = pauseAfterHead;
    let go = true;
    if (this.#first !== undefined) go = streamed.body(this.#first) && go;
    for (const part of this.#more ?? []) go = streamed.body(part) && go;
    // The scheduler lent what it queued of them.
    this.#giveBack();
    return go;
  }
}
