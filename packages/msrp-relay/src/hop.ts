import type { ContinuationFlag, Head, RequestHead } from '@msrp-ts/msrp-core';
import {
  Deadline,
  discardFrame,
  type Connection,
  type ConnectionHandler,
  type FrameTarget,
  MsrpError,
} from '@msrp-ts/msrp-core/internal';
import { ChunkScheduler, type ChunkSchedulerOptions } from './chunk-scheduler.js';
import { PendingTable } from './pending-table.js';
import { ReportBasis } from './report-basis.js';
import { ForwardTemplate } from './forward-template.js';
import type { RelaySession } from './relay-session.js';
import type { FastPath } from './fast-path.js';
import type { RouteMemo } from './router.js';

/** A request the relay forwarded on a connection and whose response it awaits. */
export interface PendingForward {
  /** Where the request came from. */
  readonly origin: Hop;
  /**
   * The request as it arrived (its transaction id, paths, Message-ID, Byte-Range); for a SEND
   * chunk (`report`), the head its message's chunks share (`ReportBasis`).
   */
  readonly request: RequestHead;
  /**
   * Body bytes before this segment: of the request (a cut chunk has several segments), or
   * for a `report` of the message, the Byte-Range's start included.
   */
  readonly offset: number;
  /** Body bytes of this segment, known once its end-line is written. */
  bytes: number;
  /**
   * `report`: a SEND chunk the relay answered itself; a failure becomes a REPORT.
   * `relay`: another method (AUTH to a relay further on); its response goes back as is.
   */
  readonly kind: 'report' | 'relay';
}

/** What a {@link Hop} reports to the relay that owns it. */
export interface HopOwner {
  /** The target of the frame's body and end-line. */
  route(hop: Hop, head: Head): FrameTarget;
  protocolError(hop: Hop, error: MsrpError): void;
  /** `hop` went `idleTimeout` without traffic and serves nothing: close it. */
  idle(hop: Hop): void;
  /** `hop` went `idleTimeout` without reading what the relay wrote: drop it. */
  stuck(hop: Hop): void;
  /** No response to `pending` came in time on `hop` (RFC 4975 §7.1: a 408). */
  expired(hop: Hop, pending: PendingForward): void;
  /** Closing `hop` is decided (see {@link ConnectionHandler.closed}). */
  closed(hop: Hop, error?: Error): void;
}

/** How a hop came to be. */
export type HopOrigin =
  | {
      readonly kind: 'inbound';
      readonly scheme: 'msrp' | 'msrps';
      /** The listener's transport: the relay URI handed to this client carries it. */
      readonly transport: 'tcp' | 'ws';
      readonly port: number;
    }
  | { readonly kind: 'outbound'; readonly key: string };

/** Messages refused 413 a connection remembers (the newest): a sender sends few at once. */
const REFUSED_KEPT = 8;

/** What {@link Hop.awaiting} lists before it forwarded anything. */
const EMPTY: ReadonlySet<Hop> = new Set();

/**
 * One connection of the relay, to a client, an endpoint or another relay: the frames it
 * brings in go to the relay's router; the frames the relay sends on it go through its
 * {@link ChunkScheduler}; the requests forwarded on it wait for responses in `pending`.
 */
export class Hop implements ConnectionHandler {
  /** Set once the connection is open (a dialed hop exists before). */
  connection: Connection | undefined;
  readonly scheduler: ChunkScheduler;
  readonly origin: HopOrigin;
  /** `address:port` of the peer, for logs. */
  remote: string;
  /** IP address of the peer (limits per address, nonce binding). */
  address: string;
  /** Relay sessions authenticated on this connection (RFC 4976 §6.1). */
  readonly sessions = new Set<RelaySession>();
  // The collections below are made on first use: most connections of a relay are idle
  // clients that never need them, and each costs a few hundred bytes (issue 13: memory per
  // idle session).
  #pending: PendingTable | undefined;
  #blocked: Set<Hop> | undefined;
  #awaiting: Set<Hop> | undefined;
  #forwardTemplate: ForwardTemplate | undefined;
  #reportBasis: ReportBasis | undefined;
  #refused: string[] | undefined;
  /** The route of the last request forwarded from this connection, for its next one's. */
  lastRoute: RouteMemo | undefined;
  /** Its byte-level fast path, on a client's TCP or TLS connection. */
  fast: FastPath | undefined;
  /** It authenticated or sent a request we forward (see {@link trust}). */
  trusted: boolean;
  authFailures = 0;
  /**
   * Until when (ms since the epoch) a relay further on holds a session it granted through this
   * connection (the 200 to an AUTH we forwarded on it): that relay ties the session to this
   * connection, so closing it for idleness would end the session there.
   */
  grantedUntil = 0;
  /** An inbound frame the relay takes is between its head and its end-line. */
  inFrame = false;
  /** Set by the router to stop reading after the current head (see {@link head}). */
  pauseAfterHead = false;
  /** Closing was decided: the relay let go of it, though its socket may linger a moment. */
  retired = false;
  /** Gives the connection's slot back to the relay's `ConnectionLimits`. */
  release: () => void = () => undefined;
  #current: FrameTarget = discardFrame;
  readonly #owner: HopOwner;
  #unauthenticated: Deadline | undefined;

  constructor(
    owner: HopOwner,
    origin: HopOrigin,
    remote: string,
    address: string,
    scheduler: ChunkSchedulerOptions,
  ) {
    this.#owner = owner;
    this.origin = origin;
    this.remote = remote;
    this.address = address;
    this.trusted = origin.kind === 'outbound';
    this.scheduler = new ChunkScheduler(scheduler);
    this.scheduler.window.peer = this;
  }

  /**
   * A SEND chunk from this connection was refused 413 (too large): the chunks of its message
   * that its sender had sent before the 413 reached it are refused too (see {@link refused}),
   * so that the receiver gets none of the message rather than its last chunks.
   */
  refuse(messageId: string): void {
    if (this.refused(messageId)) return;
    if ((this.#refused ??= []).push(messageId) > REFUSED_KEPT) this.#refused.shift();
  }

  /** Whether a chunk of the message `messageId` was refused 413 (see {@link refuse}). */
  refused(messageId: string): boolean {
    return this.#refused?.includes(messageId) ?? false;
  }

  /**
   * Requests forwarded on this connection, by the transaction id we gave them; each is armed
   * with the transaction timeout once its end-line is written.
   */
  get pending(): PendingTable {
    if (this.#pending) return this.#pending;
    this.#pending = new PendingTable((_tid, p) => this.#owner.expired(this, p));
    this.scheduler.window.source = this.#pending;
    return this.#pending;
  }

  /** How many requests forwarded on this connection await responses. */
  get pendingCount(): number {
    return this.#pending?.size ?? 0;
  }

  /**
   * Whether the responses this connection owes can arrive: we read it. Paused, they wait
   * behind requests we do not read, so nothing may wait for them (see `InFlightWindow`,
   * `Forwarder.forward`).
   */
  get heard(): boolean {
    return this.connection?.readingPaused !== true;
  }

  /**
   * Whether senders to it wait: `max` requests forwarded on it await answers that can arrive
   * ({@link heard}). Answers that cannot would never free them: two peers sending each other
   * at once, each paused for the other, would stall. Unheard, what is written to it stays
   * bounded by its queue and its socket's buffer.
   */
  awaitsTooMany(max: number): boolean {
    return this.pending.awaited >= max && this.heard;
  }

  /** Hops paused because this one has too many pending requests. */
  get blocked(): Set<Hop> {
    return (this.#blocked ??= new Set());
  }

  /** Whether some hop is paused because this one has too many pending requests. */
  get blocking(): boolean {
    return (this.#blocked?.size ?? 0) > 0;
  }

  /** Hops this one has forwarded requests to that may still await responses. */
  get awaiting(): ReadonlySet<Hop> {
    return this.#awaiting ?? EMPTY;
  }

  /** Forgets the hops {@link awaiting} lists. */
  clearAwaiting(): void {
    this.#awaiting = undefined;
  }

  /** The head of the last chunk forwarded from this connection, for its next chunk's. */
  get forwardTemplate(): ForwardTemplate {
    return (this.#forwardTemplate ??= new ForwardTemplate());
  }

  /** What its pending SEND chunks hold of their requests, shared by a message's chunks. */
  get reportBasis(): ReportBasis {
    return (this.#reportBasis ??= new ReportBasis());
  }

  /** Whether the relay dialed this connection. */
  get outbound(): boolean {
    return this.origin.kind === 'outbound';
  }

  /** Resumes reading (after a frame target or the router paused it). */
  resume(): void {
    this.connection?.resume();
  }

  /**
   * Reading stops (the frame in hand went as far as it may): the responses this connection
   * owes us cannot arrive, so chunks waiting toward it for them may go (`InFlightWindow`).
   * Once the read at hand is done: the connection counts itself paused from then on.
   */
  #pauseReading(): false {
    queueMicrotask(() => this.scheduler.wake());
    return false;
  }

  /** Calls `onExpire` unless the hop is trusted within `ms`. */
  expectTrust(ms: number, onExpire: () => void): void {
    this.#unauthenticated = new Deadline(ms, onExpire);
  }

  /** It authenticated or sent a request we forward: the unauthenticated timeout is off. */
  trust(): void {
    this.trusted = true;
    this.#unauthenticated?.clear();
    this.#unauthenticated = undefined;
  }

  /** Notes that a request forwarded to `target` awaits its response there. */
  awaitOn(target: Hop): void {
    const awaiting = (this.#awaiting ??= new Set());
    if (awaiting.size >= 32 && !awaiting.has(target)) {
      for (const hop of awaiting) if (hop.retired) awaiting.delete(hop);
    }
    awaiting.add(target);
  }

  head(head: Head): boolean {
    this.#current = this.#owner.route(this, head);
    // Frames the relay drops do not count: shutdown waits only for frames it forwards.
    this.inFrame = this.#current !== discardFrame;
    if (!this.pauseAfterHead) return true;
    this.pauseAfterHead = false;
    return this.#pauseReading();
  }

  body(part: Uint8Array): boolean {
    return this.#current.body(part) !== false || this.#pauseReading();
  }

  end(flag: ContinuationFlag): void {
    const target = this.#current;
    this.#current = discardFrame;
    this.inFrame = false;
    target.end(flag);
  }

  protocolError(error: MsrpError): void {
    this.#owner.protocolError(this, error);
  }

  idle(): void {
    // Our bytes sat unsent all this time, in the socket or here for want of its answers: the
    // peer stopped reading, holding back the senders that feed it. Let it go, relay sessions
    // or not.
    if ((this.connection?.bufferedBytes ?? 0) > 0 || this.scheduler.awaitingAnswers)
      return this.#owner.stuck(this);
    // Busy is not idle: a relay session here or further on, answers awaited, a frame or
    // writes under way.
    if (
      this.sessions.size > 0 ||
      Date.now() < this.grantedUntil ||
      this.pendingCount > 0 ||
      this.inFrame ||
      !this.scheduler.idle
    )
      return;
    this.#owner.idle(this);
  }

  closed(error?: Error): void {
    this.retired = true;
    this.#unauthenticated?.clear();
    this.release();
    const target = this.#current;
    this.#current = discardFrame;
    if (this.inFrame)
      target.abort(
        new MsrpError('MSRP_ERR_CONNECTION', 'Connection closed mid-frame', { cause: error }),
      );
    this.inFrame = false;
    this.#owner.closed(this, error);
  }
}
