import { MsrpError } from '../errors.js';
import { DeadlineTimer } from '../transport/expiring-map.js';
import type { ResponseHead } from '../wire/head.js';
import { PendingQueue } from './pending-queue.js';

/**
 * Called once when a transaction ends: with its response (of any status), or with why none
 * came (`MSRP_ERR_TIMEOUT` with status 408, `MSRP_ERR_CONNECTION`); `datum` is the number
 * the transaction was expected with (see {@link TransactionTable.expect}).
 */
export type TransactionSettle = (
  response: ResponseHead | undefined,
  error?: MsrpError,
  datum?: number,
) => void;

/** Limits of a {@link TransactionTable}. */
export interface TransactionTableOptions {
  /**
   * Milliseconds to wait for a response. RFC 4975 §7.1 suggests 30 s; when it passes, the
   * transaction fails as a local 408. Default 30 000.
   */
  timeout?: number;
  /**
   * Most requests awaiting a response at once, on one connection. Default 1024. The chunks
   * of the sessions sharing a connection wait for a place (see `maxInFlightChunks`); any
   * other request made while none is free fails with `MSRP_ERR_LIMIT`.
   */
  maxPending?: number;
}

/**
 * Requests sent on one connection that await their response, by transaction id (in the order
 * sent, in reused slots: {@link PendingQueue}, no object per chunk that lives until its 200). They expire
 * by one timer for the table (armed for the earliest deadline, left to fire once when the
 * table empties, unref'd), so a chunk costs no timer of its own; and a chunk's entry carries
 * the number its sender needs back (its size), so that one settle function serves all the
 * chunks of a message.
 */
export class TransactionTable {
  readonly #pending = new PendingQueue<TransactionSettle>();
  readonly #timeout: number;
  readonly #maxPending: number;
  readonly #timer = new DeadlineTimer(() => this.#sweep());
  /** Senders waiting for a free place (see {@link whenRoom}); undefined when none waits. */
  #roomWait: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(options: TransactionTableOptions = {}) {
    this.#timeout = options.timeout ?? 30_000;
    this.#maxPending = options.maxPending ?? 1024;
  }

  /** Number of requests awaiting a response. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Registers a request about to be sent; resolves with its response (of any status).
   * @throws {MsrpError} `MSRP_ERR_LIMIT` when too many are pending; the promise rejects with
   * `MSRP_ERR_TIMEOUT` (status 408) or `MSRP_ERR_CONNECTION` when no response comes.
   */
  start(transactionId: string): Promise<ResponseHead> {
    this.#checkRoom();
    return new Promise((resolve, reject) => {
      this.expect(transactionId, (response, error) =>
        response ? resolve(response) : reject(error!),
      );
    });
  }

  /**
   * {@link start} without a promise: `settle` is called once, when the transaction ends, with
   * `datum` (default 0). What a chunk costs on the hot path of a transfer.
   * @throws {MsrpError} `MSRP_ERR_LIMIT` when too many are pending.
   */
  expect(transactionId: string, settle: TransactionSettle, datum = 0): void {
    this.#checkRoom();
    const deadline = Date.now() + this.#timeout;
    this.#pending.add(transactionId, settle, datum, deadline);
    this.#timer.schedule(deadline);
  }

  /**
   * Undefined while another request may start; else a promise that resolves once one ends
   * (answered, failed or timed out), for every sender waiting.
   */
  whenRoom(): Promise<void> | undefined {
    if (this.#pending.size < this.#maxPending) return undefined;
    if (!this.#roomWait) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#roomWait = { promise, resolve };
    }
    return this.#roomWait.promise;
  }

  /** A request ended: those waiting for a place go on. */
  #freed(): void {
    const wait = this.#roomWait;
    if (wait === undefined || this.#pending.size >= this.#maxPending) return;
    this.#roomWait = undefined;
    wait.resolve();
  }

  #checkRoom(): void {
    if (this.#pending.size >= this.#maxPending) {
      throw new MsrpError('MSRP_ERR_LIMIT', `More than ${this.#maxPending} transactions pending`);
    }
  }

  /** Settles the request a response answers; false when no request awaits it. */
  settle(response: ResponseHead): boolean {
    // The timer stays when the table empties: a request answered before the next one is sent
    // would otherwise cost a timer each; an unref'd wake-up that finds nothing costs less.
    const pending = this.#pending.take(response.transactionId);
    if (pending === undefined) return false;
    this.#freed();
    pending.settle(response, undefined, pending.datum);
    return true;
  }

  /** Fails one request, e.g. when it could not be written. */
  fail(transactionId: string, error: MsrpError): void {
    const pending = this.#pending.take(transactionId);
    if (pending === undefined) return;
    this.#freed();
    pending.settle(undefined, error, pending.datum);
  }

  /** Fails every pending request, e.g. when the connection closes. */
  failAll(error: MsrpError): void {
    const all = this.#pending.takeAll();
    this.#timer.stop();
    this.#freed();
    for (const { id, settle, datum } of all) {
      settle(
        undefined,
        new MsrpError(error.code, error.message, { transactionId: id, cause: error }),
        datum,
      );
    }
  }

  #sweep(): void {
    const { expired, next } = this.#pending.takeExpired(Date.now());
    this.#timer.schedule(next);
    if (expired.length > 0) this.#freed();
    for (const { id, settle, datum } of expired) {
      // RFC 4975 §7.1: no response in time is treated as a 408.
      const error = new MsrpError(
        'MSRP_ERR_TIMEOUT',
        `No response to ${id} within ${this.#timeout} ms`,
        { status: 408, transactionId: id },
      );
      settle(undefined, error, datum);
    }
  }
}
