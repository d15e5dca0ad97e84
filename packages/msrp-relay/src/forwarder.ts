import type { RequestHead, ResponseHead } from '@msrp-ts/msrp-core';
import { type FrameTarget, encodeFrame, newTransactionId } from '@msrp-ts/msrp-core/internal';
import { failureReport } from './failure-report.js';
import type { ForwardHead } from './forward-template.js';
import { Hop, type PendingForward } from './hop.js';
import type { HopRegistry } from './hop-registry.js';
import type { ResolvedLimits } from './relay-options.js';
import { RelayStats } from './relay-stats.js';
import type { ForwardRoute } from './router.js';

/**
 * RFC 4975 §7.1: non-SEND request bodies MUST NOT be larger than 10240 octets. Such requests
 * cannot be cut, so toward a WebSocket peer each is held whole until its end: this bounds it.
 */
const MAX_NON_SEND_BODY = 10240;

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

  constructor(context: ForwarderContext) {
    this.#context = context;
  }

  /** Takes a request that arrived on `hop` and goes where `route` says. */
  forward(hop: Hop, request: RequestHead, route: ForwardRoute): FrameTarget {
    const { to, toPath, fromPath } = route;
    const target = to instanceof Hop ? to : this.#context.hops.outbound(to);
    if (!hop.trusted) hop.trust();
    if (target.pending.size >= this.#context.limits.maxPendingTransactions) {
      // The next hop is slow to answer: stop reading this sender until it catches up.
      target.blocked.add(hop);
      hop.pauseAfterHead = true;
      this.#context.stats.sendersHeldBack++;
    }
    const forwarded = hop.forwardTemplate.forward(request, newTransactionId(), toPath, fromPath);
    return this.#stream(hop, request, forwarded, target);
  }

  /** A response from a next hop: settles the request we forwarded there. */
  response(hop: Hop, response: ResponseHead): void {
    const pending = hop.pending.take(response.transactionId);
    if (!pending) return;
    this.#unblock(hop, false);
    if (pending.kind === 'relay') {
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

  /** Forwards a request's body as it arrives (cut-through) and answers it hop by hop. */
  #stream(origin: Hop, request: RequestHead, forwarded: ForwardHead, target: Hop): FrameTarget {
    const { stats, limits, transactionTimeout, respond } = this.#context;
    const isSend = request.method === 'SEND';
    const failureReport = request.failureReport ?? 'yes';
    // RFC 4975 §7.1.2: REPORTs get no response; Failure-Report "no" asks for none either.
    const awaitResponse =
      request.method === 'REPORT' ? false : isSend ? failureReport !== 'no' : true;
    const kind = isSend ? 'report' : 'relay';
    let received = 0;
    let ended = false;
    let paused = false;
    let failed: { status: number; comment: string } | undefined;
    let openTid: string | undefined;
    let openOffset = 0;
    let segments = 0;
    const forward = target.scheduler.forward(
      forwarded.head,
      {
        segment: (tid, offset) => {
          openTid = tid;
          openOffset = offset;
          segments++;
          // A dead sender's segment (its `#` end) awaits nothing: nobody is left to report to.
          if (!awaitResponse || origin.retired) return;
          // Armed with the timeout once its end-line is written (segmentEnd).
          target.pending.set(tid, { origin, request, offset, bytes: 0, kind });
          origin.awaitOn(target);
        },
        segmentEnd: (tid, bytes, flag) => {
          openTid = undefined;
          stats.requestsForwarded++;
          if (flag === '+' && !(ended && forward.sent >= received)) {
            stats.chunksInterrupted++;
            // Its first cut toward a WebSocket peer: one more chunk re-chunked there.
            if (segments === 1 && target.connection?.messageFramed) stats.chunksRechunked++;
          }
          const pending = target.pending.get(tid);
          if (pending) {
            pending.bytes = bytes;
            target.pending.arm(tid, transactionTimeout);
          }
        },
        resume: () => {
          if (!paused) return;
          paused = false;
          origin.resume();
        },
        failed: (error) => {
          if (!ended) {
            // Answer the chunk with the failure once its end arrives; read and drop the rest.
            // (An eviction by the next hop's queue is this sender's own slowness.)
            const evicted = error.code === 'MSRP_ERR_LIMIT';
            failed = {
              status: error.status ?? 408,
              comment: evicted ? error.message : `Next hop failed: ${error.message}`,
            };
            if (paused) {
              paused = false;
              origin.resume();
            }
            return;
          }
          // What was not written (from the open segment on) is reported lost.
          let from = forward.sent;
          if (openTid !== undefined) {
            target.pending.delete(openTid);
            from = openOffset;
          }
          if (from < received || segments === 0 || openTid !== undefined)
            this.#giveUp(
              { origin, request, offset: from, bytes: received - from, kind },
              408,
              `Next hop failed: ${error.message}`,
            );
        },
      },
      forwarded.template,
    );
    if (forward.held) {
      // The next hop's queue has no room for this sender's read: read nothing more of it
      // until there is (`resume`), so the bytes queued there stay bounded.
      paused = true;
      origin.pauseAfterHead = true;
    }
    return {
      body: (part) => {
        if (failed) return true;
        received += part.length;
        if (received > (isSend ? limits.maxChunkSize : MAX_NON_SEND_BODY)) {
          failed = {
            status: 413,
            comment: isSend ? 'Chunk too large for this relay' : 'Body too large',
          };
          target.scheduler.abort(forward);
          return true;
        }
        stats.bytesForwarded += part.length;
        if (target.scheduler.push(forward, part)) return true;
        paused = true;
        return false;
      },
      end: (flag) => {
        ended = true;
        // Nothing more to read for it: a later resume must not wake the sender.
        paused = false;
        if (failed) {
          respond(origin, request, failed.status, failed.comment);
          return;
        }
        target.scheduler.end(forward, flag);
        // Hop by hop (RFC 4976 §7.2): the relay answers the chunk itself.
        if (!isSend) return;
        const ok = origin.forwardTemplate.ok(request);
        if (ok) origin.scheduler.send(ok);
      },
      abort: () => target.scheduler.abort(forward),
    };
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
      this.#unblock(target, false);
    }
    origin.clearAwaiting();
  }

  #unblock(hop: Hop, all: boolean): void {
    if (!hop.blocking) return;
    if (!all && hop.pending.size > this.#context.limits.maxPendingTransactions / 2) return;
    const blocked = [...hop.blocked];
    hop.blocked.clear();
    for (const sender of blocked) sender.resume();
  }
}
