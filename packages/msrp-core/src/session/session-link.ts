import { MsrpError } from '../errors.js';
import type { RequestHead, ResponseHead } from '../wire/head.js';
import type { MsrpUri } from '../wire/uri.js';
import type { Session } from './session.js';
import type { TransactionSettle } from './transaction-table.js';

/** Why a session that is not bound cannot write. */
export const unboundError = (): MsrpError =>
  new MsrpError('MSRP_ERR_SESSION', 'Session is not bound to a connection');

/** A transaction that failed at once: the session is not bound. */
export function unbound(): Transaction {
  const error = unboundError();
  return { sent: Promise.reject(error), response: Promise.reject(error) };
}

/** A request written on a connection: `sent` when the socket took it, `response` when answered. */
export interface Transaction {
  /** Resolves when the socket took the frame (after `drain` if needed). */
  readonly sent: Promise<void>;
  /** Resolves with the response; never settles for requests that get none (REPORTs). */
  readonly response: Promise<ResponseHead>;
}

/**
 * The connection a session is bound to, as the session sees it: writes and transactions.
 * The endpoint hands one out per connection (RFC 4975 §5.4: a session uses one connection).
 */
export interface SessionPort {
  /**
   * Writes a request. `response` resolves when its response arrives, unless
   * `awaitResponse` is false (REPORTs, RFC 4975 §7.1.2).
   */
  send(transactionId: string, frame: readonly Uint8Array[], awaitResponse?: boolean): Transaction;
  /**
   * Writes a SEND chunk without a promise: `settle` gets its response, or the error that
   * ended it (not written, 408, connection lost), and `datum` (default 0: what the chunk's
   * sender needs back, its size). Returns whether the connection has room for more; when
   * false, await {@link writable} before the next chunk.
   */
  sendChunk(
    transactionId: string,
    frame: readonly Uint8Array[],
    settle: TransactionSettle,
    datum?: number,
  ): boolean;
  /** Resolves once the connection has room to write; rejects when it closed. */
  writable(): Promise<void>;
  /**
   * Undefined while a request awaiting a response may be sent; else resolves once one of
   * the connection's pending transactions ends (the endpoint's `maxPending`).
   */
  whenRoom(): Promise<void> | undefined;
  /** Writes a request in parts (see `Connection.writeParts`) and awaits its response. */
  sendParts(
    transactionId: string,
    headBytes: Uint8Array,
    nextPart: () => Uint8Array | undefined,
    endLine: () => Uint8Array,
  ): Transaction;
  /**
   * True when the connection is message-based (WebSocket): each `send` is one message, so a
   * chunk must be sent whole (RFC 7977 §5.1), not with `sendParts`.
   */
  readonly messageFramed?: boolean;
  /** Sends a bodiless request and waits for its response. */
  request(head: RequestHead): Promise<ResponseHead>;
  /** A consumer of a session drained: resume reading the connection. */
  resume(): void;
}

/** What a {@link Session} needs from the endpoint that owns it: a port to dial, and its end. */
export interface SessionLink {
  /**
   * Opens or reuses a connection to the authority of `firstHop` for `session`.
   * @param signal The caller's, or the session's close: the dial is no longer awaited.
   * @throws {MsrpError} `MSRP_ERR_ABORTED` when `signal` aborts first (nothing is left open).
   */
  connect(session: Session, firstHop: MsrpUri, signal?: AbortSignal): Promise<SessionPort>;
  /** The session closed: forget it. */
  closed(session: Session): void;
}

/**
 * What a session's sending and receiving sides read of it ({@link SendSchedulerHost}, which
 * covers `InboundHost`), with getters that read the session's current values.
 */
export function sessionHost(
  state: () => string,
  port: () => SessionPort | undefined,
  toPath: () => readonly MsrpUri[] | undefined,
  fromPath: readonly MsrpUri[],
): SendSchedulerHost {
  return {
    get bound(): boolean {
      return state() === 'bound';
    },
    get port(): SessionPort | undefined {
      return port();
    },
    get toPath(): readonly MsrpUri[] | undefined {
      return toPath();
    },
    fromPath,
  };
}

/** What the scheduler needs of its session: where requests go, and the port to write them. */
export interface SendSchedulerHost {
  /** Whether the session is bound (chunks may be written). */
  readonly bound: boolean;
  /** The bound connection's port; undefined when unbound. */
  readonly port: SessionPort | undefined;
  /** To-Path of our requests. */
  readonly toPath: readonly MsrpUri[] | undefined;
  /** From-Path of our requests. */
  readonly fromPath: readonly MsrpUri[];
}
