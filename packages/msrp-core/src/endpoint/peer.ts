import { MsrpError } from '../errors.js';
import type { Session } from '../session/session.js';
import { TransactionTable, type TransactionTableOptions } from '../session/transaction-table.js';
import type { Connection, ConnectionHandler } from '../transport/connection.js';
import { Deadline } from '../transport/deadline.js';
import { discardFrame, type FrameTarget } from '../transport/frame-target.js';
import type { Head, RequestHead } from '../wire/head.js';
import type { ContinuationFlag } from '../wire/parser.js';
import { PeerPort } from './session-port.js';

/** What a {@link Peer} reports to the endpoint that owns it. */
export interface PeerHost {
  /** Routes an inbound request to its session; the returned target takes its body. */
  route(peer: Peer, request: RequestHead): FrameTarget;
  /** The peer broke the protocol: answer when the head got far enough; the connection closes. */
  peerFault(peer: Peer, error: MsrpError): void;
  /** The connection closed. */
  forget(peer: Peer, error?: Error): void;
  /** A limit of ours ended the connection (`bindTimeout`, `idleTimeout`). */
  peerError(error: MsrpError, remote: string): void;
}

/** One connection of an `Endpoint`, with its transactions and the sessions bound to it. */
export class Peer implements ConnectionHandler {
  connection!: Connection;
  readonly transactions: TransactionTable;
  /** What sessions bound to this connection write through. */
  readonly port = new PeerPort(this);
  readonly sessions = new Set<Session>();
  /** Our connection to a relay we authenticated with: kept open without sessions. */
  pinned = false;
  current: FrameTarget = discardFrame;
  /** Runs while an accepted connection has no session bound (`bindTimeout`). */
  #bindDeadline: Deadline | undefined;
  #bindTimeout = 0;
  #keepaliveInFlight = false;

  constructor(
    readonly host: PeerHost,
    readonly remote: string,
    transactionOptions: TransactionTableOptions,
    /** Authority key when we dialed it (and may reuse it for other sessions). */
    readonly key?: string,
  ) {
    this.transactions = new TransactionTable(transactionOptions);
  }

  /**
   * Closes the connection unless a session is bound to it within `ms` (and again each time
   * its last session leaves), so that peers cannot hold connections that serve nothing.
   */
  expectBind(ms: number): void {
    this.#bindTimeout = ms;
    this.#armBind();
  }

  /** A session is bound to this connection. */
  addSession(session: Session): void {
    this.sessions.add(session);
    this.#bindDeadline?.clear();
    this.#bindDeadline = undefined;
  }

  /** A session left this connection (it closed); the connection stays. */
  removeSession(session: Session): void {
    if (this.sessions.delete(session) && this.sessions.size === 0) this.#armBind();
  }

  head(head: Head): boolean | void {
    if (head.kind === 'response') {
      this.transactions.settle(head);
      this.current = discardFrame;
      return;
    }
    this.current = this.host.route(this, head);
  }

  body(part: Uint8Array): boolean | void {
    return this.current.body(part);
  }

  end(flag: ContinuationFlag): void {
    const target = this.current;
    this.current = discardFrame;
    target.end(flag);
  }

  protocolError(error: MsrpError): void {
    // A response we cannot read still ends its transaction: with this error, at once, not
    // as a 408 once the transaction timeout ran out.
    const head = error.head;
    if (head?.kind === 'response') this.transactions.fail(head.transactionId, error);
    this.host.peerFault(this, error);
  }

  /**
   * Nothing moved either way for the connection's idle time: `idleTimeout` on connections
   * we accepted, which are closed; `keepaliveInterval` on those we dialed (our relay's
   * included), which send a keepalive and stay open.
   */
  idle(): void {
    if (this.key === undefined) {
      this.#giveUp('idle', 'No traffic within idleTimeout');
      return;
    }
    this.#keepalive();
  }

  closed(error?: Error): void {
    this.#bindDeadline?.clear();
    const lost = new MsrpError('MSRP_ERR_CONNECTION', `Connection to ${this.remote} closed`, {
      cause: error,
    });
    this.current.abort(lost);
    this.current = discardFrame;
    this.transactions.failAll(lost);
    this.host.forget(this, error);
  }

  /**
   * A bodiless SEND (RFC 4975 §7.1.1) for one bound session, so that the peer, which may
   * close connections silent for its idle timeout, keeps this one. At most one is in flight,
   * and none while our writes wait for the peer to read. Its outcome is ignored: an answer
   * other than 200 (481 when the peer forgot the session) fails that session's next message
   * anyway, and a dead connection is seen by the socket.
   */
  #keepalive(): void {
    if (this.#keepaliveInFlight || this.connection.bufferedBytes > 0) return;
    const session = [...this.sessions].find((s) => s.state === 'bound');
    if (!session) return; // nothing to keep alive, and nothing to address a SEND to
    this.#keepaliveInFlight = true;
    const done = (): void => {
      this.#keepaliveInFlight = false;
    };
    void session.keepalive().then(done, done);
  }

  #armBind(): void {
    if (this.#bindTimeout <= 0 || this.pinned || this.connection.closed) return;
    this.#bindDeadline?.clear();
    this.#bindDeadline = new Deadline(this.#bindTimeout, () =>
      this.#giveUp('bind', 'No session bound within bindTimeout'),
    );
  }

  #giveUp(what: 'bind' | 'idle', message: string): void {
    const error = new MsrpError('MSRP_ERR_LIMIT', message);
    this.host.peerError(error, this.remote);
    void this.connection.close(undefined, error);
  }
}
