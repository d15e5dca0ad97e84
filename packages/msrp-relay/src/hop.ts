import type {
  Connection,
  ConnectionHandler,
  ContinuationFlag,
  Head,
  MsrpError,
  RequestHead,
} from '@msrp-ts/msrp-core';
import { ChunkScheduler, type ChunkSchedulerOptions } from './chunk-scheduler.js';
import type { RelaySession } from './relay-session.js';

/** Receives the rest of one inbound frame after its head. */
export interface FrameTarget {
  /** A piece of body; false pauses reading the connection. */
  body(part: Uint8Array): boolean;
  end(flag: ContinuationFlag): void;
  /** The connection closed before the end-line. */
  abort(): void;
}

/** Ignores a frame. */
export const discardFrame: FrameTarget = {
  body: () => true,
  end: () => undefined,
  abort: () => undefined,
};

/** A request the relay forwarded on a connection and whose response it awaits. */
export interface PendingForward {
  /** Where the request came from. */
  readonly origin: Hop;
  /** The request as it arrived (its transaction id, paths, Message-ID, Byte-Range). */
  readonly request: RequestHead;
  /** Body bytes of the request before this segment (a cut chunk has several segments). */
  readonly offset: number;
  /** Body bytes of this segment, known once its end-line is written. */
  bytes: number;
  /**
   * `report`: a SEND chunk the relay answered itself; a failure becomes a REPORT.
   * `relay`: another method (AUTH to a relay further on); its response goes back as is.
   */
  readonly kind: 'report' | 'relay';
  /** When to give up waiting (ms since epoch); Infinity while the segment is being written. */
  deadline: number;
}

/** What a {@link Hop} reports to the relay that owns it. */
export interface HopOwner {
  /** The target of the frame's body and end-line. */
  route(hop: Hop, head: Head): FrameTarget;
  protocolError(hop: Hop, error: MsrpError): void;
  closed(hop: Hop, error?: Error): void;
}

/** How a hop came to be. */
export type HopOrigin =
  | { readonly kind: 'inbound'; readonly scheme: 'msrp' | 'msrps'; readonly port: number }
  | { readonly kind: 'outbound'; readonly key: string };

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
  /** Requests forwarded on this connection, by the transaction id we gave them. */
  readonly pending = new Map<string, PendingForward>();
  /** Hops paused because this one has too many pending requests. */
  readonly blocked = new Set<Hop>();
  /** It authenticated or sent a request we forwarded: the unauthenticated timeout is off. */
  trusted: boolean;
  authFailures = 0;
  /** An inbound frame the relay takes is between its head and its end-line. */
  inFrame = false;
  /** Set by the router to stop reading after the current head (see {@link head}). */
  pauseAfterHead = false;
  /** Closing was decided: the connection no longer counts against the limits. */
  retired = false;
  /** Hops this one has forwarded requests to that may still await responses. */
  readonly awaiting = new Set<Hop>();
  /**
   * When the frame being read last made progress (its first bytes, its head, a piece of
   * body), in ms since epoch; undefined between frames and while the relay paused reading.
   */
  frameSince: number | undefined;
  #current: FrameTarget = discardFrame;
  readonly #owner: HopOwner;
  /** Between a head and its end-line. */
  #midFrame = false;

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
  }

  /** Whether the relay dialed this connection. */
  get outbound(): boolean {
    return this.origin.kind === 'outbound';
  }

  /** Resumes reading (after a frame target or the router paused it). */
  resume(): void {
    if (this.#midFrame) this.frameSince = Date.now();
    this.connection?.resume();
  }

  /** Notes that a request forwarded to `target` awaits its response there. */
  awaitOn(target: Hop): void {
    if (this.awaiting.size >= 32 && !this.awaiting.has(target)) {
      for (const hop of this.awaiting) if (hop.retired) this.awaiting.delete(hop);
    }
    this.awaiting.add(target);
  }

  /** Bytes arrived (reading is not paused then): a frame starts unless one is under way. */
  bytesArrived(): void {
    this.frameSince ??= Date.now();
  }

  /**
   * Ends the connection at once: what was written (the answer to a bad request) is flushed,
   * then the socket is destroyed, without waiting for the peer to close its side.
   */
  shut(flushMs = 500): void {
    const socket = this.connection?.socket;
    if (!socket || socket.destroyed) return;
    const timer = setTimeout(() => socket.destroy(), flushMs);
    timer.unref();
    socket.end(() => {
      clearTimeout(timer);
      socket.destroy();
    });
  }

  head(head: Head): boolean {
    this.#current = this.#owner.route(this, head);
    // Frames the relay drops do not count: shutdown waits only for frames it forwards.
    this.inFrame = this.#current !== discardFrame;
    this.#midFrame = true;
    this.frameSince = Date.now();
    if (!this.pauseAfterHead) return true;
    this.pauseAfterHead = false;
    return this.#pause();
  }

  body(part: Uint8Array): boolean {
    this.frameSince = Date.now();
    return this.#current.body(part) || this.#pause();
  }

  end(flag: ContinuationFlag): void {
    const target = this.#current;
    this.#current = discardFrame;
    this.inFrame = false;
    this.#midFrame = false;
    this.frameSince = undefined;
    target.end(flag);
  }

  /** The relay stops reading: no progress is expected until {@link resume}. */
  #pause(): false {
    this.frameSince = undefined;
    return false;
  }

  protocolError(error: MsrpError): void {
    this.#owner.protocolError(this, error);
  }

  closed(error?: Error): void {
    const target = this.#current;
    this.#current = discardFrame;
    if (this.inFrame) target.abort();
    this.inFrame = false;
    this.#owner.closed(this, error);
  }
}
