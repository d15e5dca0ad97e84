import { MsrpError } from '../errors.js';
import { ExpiringMap } from '../transport/expiring-map.js';
import type { ResponseHead } from '../wire/head.js';

/**
 * Called once when a transaction ends: with its response (of any status), or with why none
 * came (`MSRP_ERR_TIMEOUT` with status 408, `MSRP_ERR_CONNECTION`).
 */
export type TransactionSettle = (response: ResponseHead | undefined, error?: MsrpError) => void;

/** Limits of a {@link TransactionTable}. */
export interface TransactionTableOptions {
  /**
   * Milliseconds to wait for a response. RFC 4975 §7.1 suggests 30 s; when it passes, the
   * transaction fails as a local 408. Default 30 000.
   */
  timeout?: number;
  /** Most requests awaiting a response at once. Default 1024. */
  maxPending?: number;
}

/**
 * Requests sent on one connection that await their response, by transaction id. They expire
 * through an {@link ExpiringMap}, as the relay's forwarded requests do: one timer for the
 * table, so a chunk costs no timer of its own.
 */
export class TransactionTable {
  readonly #pending: ExpiringMap<string, TransactionSettle>;
  readonly #timeout: number;
  readonly #maxPending: number;

  constructor(options: TransactionTableOptions = {}) {
    this.#timeout = options.timeout ?? 30_000;
    this.#maxPending = options.maxPending ?? 1024;
    this.#pending = new ExpiringMap((tid, settle) =>
      // RFC 4975 §7.1: no response in time is treated as a 408.
      settle(
        undefined,
        new MsrpError('MSRP_ERR_TIMEOUT', `No response to ${tid} within ${this.#timeout} ms`, {
          status: 408,
          transactionId: tid,
        }),
      ),
    );
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
   * {@link start} without a promise: `settle` is called once, when the transaction ends. What
   * a chunk costs on the hot path of a transfer.
   * @throws {MsrpError} `MSRP_ERR_LIMIT` when too many are pending.
   */
  expect(transactionId: string, settle: TransactionSettle): void {
    this.#checkRoom();
    this.#pending.set(transactionId, settle, this.#timeout);
  }

  #checkRoom(): void {
    if (this.#pending.size >= this.#maxPending) {
      throw new MsrpError('MSRP_ERR_LIMIT', `More than ${this.#maxPending} transactions pending`);
    }
  }

  /** Settles the request a response answers; false when no request awaits it. */
  settle(response: ResponseHead): boolean {
    const settle = this.#pending.take(response.transactionId);
    settle?.(response);
    return settle !== undefined;
  }

  /** Fails one request, e.g. when it could not be written. */
  fail(transactionId: string, error: MsrpError): void {
    this.#pending.take(transactionId)?.(undefined, error);
  }

  /** Fails every pending request, e.g. when the connection closes. */
  failAll(error: MsrpError): void {
    for (const [tid, settle] of this.#pending.clear()) {
      settle(
        undefined,
        new MsrpError(error.code, error.message, { transactionId: tid, cause: error }),
      );
    }
  }
}
