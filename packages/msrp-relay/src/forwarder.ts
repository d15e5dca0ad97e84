import type { RequestHead, ResponseHead } from '@msrp-ts/msrp-core';
import { type FrameTarget, atEnd, encodeFrame, TransactionIds } from '@msrp-ts/msrp-core/internal';
import { failureReport } from './failure-report.js';
import { Hop, type PendingForward } from './hop.js';
import type { HopRegistry } from './hop-registry.js';
import type { ResolvedLimits } from './relay-options.js';
import { RelayStats } from './relay-stats.js';
import type { ForwardRoute } from './router.js';
import { StreamedForward, chunkTooLarge, type StreamContext } from './streamed-forward.js';
import { WholeForward } from './whole-forward.js';

/** Answers a request on the hop it came from (see `Relay`); nothing for a REPORT. */
export type Responder = (hop: Hop, request: RequestHead, status: number, comment?: string) => void;

/** What a {@link Forwarder} needs from its relay. */
export interface ForwarderContext {
  readonly hops: HopRegistry;
  readonly limits: ResolvedLimits;
  readonly stats: RelayStats;
  /** Milliseconds to wait for a next hop's response (RFC 4975 §7.1). */
  readonly transactionTimeout: number;
  readonly respond: Responder;
}

/**
 * Forwards requests to their next hop as their bodies arrive (cut-through, RFC 4976 §7),
 * answers SEND chunks hop by hop, and settles what it forwarded: responses from the next
 * hop, their timeouts (408) and lost connections, each turned into a failure REPORT or, for
 * other methods, the response sent back (RFC 4976 §7.2). A next hop slow to answer holds its
 * senders back (`maxPendingTransactions`).
 */
export class Forwarder {
  readonly #context: ForwarderContext;
  /** What each request forwarded as its body arrives needs (see {@link StreamedForward}). */
  readonly #streams: StreamContext;
  /**
   * Transaction ids of forwarded requests: 64 random bits drawn once, then a counter
   * (RFC 4975 §7.1, see `TransactionIds`); drawing 96 bits per request was 3.7 % of the
   * relay's CPU per small message (issue 13).
   */
  readonly #ids = new TransactionIds();

  constructor(context: ForwarderContext) {
    this.#context = context;
    this.#streams = {
      ...context,
      giveUp: (pending, status, comment) => this.#giveUp(pending, status, comment),
    };
  }

  /** Takes a request that arrived on `hop` and goes where `route` says. */
  forward(hop: Hop, request: RequestHead, route: ForwardRoute): FrameTarget {
    const { to, toPath, fromPath } = route;
    const { maxChunkSize } = this.#context.limits;
    if (request.method === 'SEND' && refusedAtHead(hop, request, maxChunkSize)) {
      // Refused before a byte of it goes on, where the next hop would get its first
      // maxChunkSize bytes cut off with # (see StreamedForward.body), or the chunks after it.
      if (request.messageId !== undefined) hop.refuse(request.messageId);
      const refuse = (): void =>
        this.#context.respond(hop, request, 413, chunkTooLarge(maxChunkSize));
      return atEnd(refuse);
    }
    const target = to instanceof Hop ? to : this.#context.hops.outbound(to);
    if (!hop.trusted) hop.trust();
    if (target.awaitsTooMany(this.#context.limits.maxPendingTransactions)) {
      // The next hop is slow to answer: stop reading this sender until it catches up.
      target.blocked.add(hop);
      hop.pauseAfterHead = true;
      this.#context.stats.sendersHeldBack++;
    }
    const forwarded = hop.forwardTemplate.forward(request, this.nextId(), toPath, fromPath);
    if (!hop.pauseAfterHead && WholeForward.fits(request, forwarded, target, this.#context.limits))
      return new WholeForward(this.#streams, hop, request, forwarded, target);
    return new StreamedForward(this.#streams, hop, request, forwarded, target);
  }

  /** A new transaction id for a forwarded request. */
  nextId(): string {
    return this.#ids.next();
  }

  /** A response from a next hop: settles the request we forwarded there. */
  response(hop: Hop, response: ResponseHead): void {
    const pending = hop.pending.take(response.transactionId);
    if (!pending) return;
    // Room in its window of chunks awaiting responses (`maxPendingBytes`): it may write more.
    hop.scheduler.wake();
    if (pending.kind === 'report' && response.statusCode === 200) hop.fast?.learnResponse(response);
    this.#unblock(hop, false);
    if (pending.kind === 'relay') {
      const { method } = pending.request;
      if (method === 'AUTH' && response.statusCode === 200 && response.expires !== undefined)
        hop.grantedUntil = Math.max(hop.grantedUntil, Date.now() + response.expires * 1000);
      // Not a chunk: the response (401 with a challenge, 200 with Use-Path...) goes back
      // one hop, addressed as RFC 4975 §7.2 says.
      const back: ResponseHead = {
        ...response,
        transactionId: pending.request.transactionId,
        toPath: [pending.request.fromPath[0]!],
        fromPath: [pending.request.toPath[0]!],
      };
      pending.origin.scheduler.send(encodeFrame(back));
      return;
    }
    if (response.statusCode !== 200) this.#giveUp(pending, response.statusCode, response.comment);
  }

  /** No response came in time on `hop` (RFC 4975 §7.1: 408). */
  expired(hop: Hop, pending: PendingForward): void {
    hop.scheduler.wake();
    this.#giveUp(pending, 408, 'No response from the next hop');
    this.#unblock(hop, false);
  }

  /**
   * Closing `hop` is decided: what it was to carry fails, what was forwarded on it is
   * reported lost, and what it had forwarded elsewhere stops holding those hops.
   */
  closed(hop: Hop): void {
    if (hop.pendingCount > 0)
      for (const [, pending] of hop.pending.clear())
        this.#giveUp(pending, 408, 'Next hop went away');
    this.#unblock(hop, true);
    this.#release(hop);
  }

  /**
   * A forwarded request failed further on. A chunk already answered with 200 is reported
   * lost with a REPORT when its Failure-Report asks for one (RFC 4975 §7.1.2, RFC 4976 §7.2);
   * a relayed request of another method gets the failure as its response.
   */
  #giveUp(pending: PendingForward, status: number, comment?: string): void {
    const { origin, request } = pending;
    if (pending.kind === 'relay') {
      this.#context.respond(origin, request, status, comment);
      return;
    }
    const report = failureReport(pending, status, comment);
    if (!report) return;
    RelayStats.bump(this.#context.stats.errors, status);
    origin.scheduler.send(encodeFrame(report));
  }

  /**
   * `origin` went away: the requests it had forwarded stop holding their next hops' pending
   * slots (nobody is left to report to), so a dead sender never keeps a receiver full.
   */
  #release(origin: Hop): void {
    for (const target of origin.awaiting) {
      for (const [tid, pending] of target.pending)
        if (pending.origin === origin) target.pending.delete(tid);
      target.scheduler.wake();
      this.#unblock(target, false);
    }
    origin.clearAwaiting();
  }

  #unblock(hop: Hop, all: boolean): void {
    if (!hop.blocking) return;
    if (!all && hop.pending.awaited > this.#context.limits.maxPendingTransactions / 2) return;
    const blocked = [...hop.blocked];
    hop.blocked.clear();
    // Once the read at hand is done: a sender resumed hands over its held reads at once, and
    // read inside another connection's read they re-entered its parser or fast path.
    queueMicrotask(() => {
      for (const sender of blocked) sender.resume();
    });
  }
}

/**
 * Whether a SEND chunk is refused at its head: its Byte-Range says it is over the limit, or
 * an earlier chunk of its message was refused 413 on the same connection.
 */
function refusedAtHead(
  hop: Hop,
  { byteRange, messageId }: RequestHead,
  maxChunkSize: number,
): boolean {
  if (byteRange && byteRange.end !== '*' && byteRange.end - byteRange.start + 1 > maxChunkSize)
    return true;
  return messageId !== undefined && hop.refused(messageId);
}
