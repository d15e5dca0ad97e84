import { MsrpError } from '../errors.js';
import { ExpiringMap } from '../transport/expiring-map.js';
import type { ResponseHead } from '../wire/head.js';

interface Pending {
  resolve(response: ResponseHead): void;
  reject(error: MsrpError): void;
}

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
  readonly #pending: ExpiringMap<string, Pending>;
  readonly #timeout: number;
  readonly #maxPending: number;

  constructor(options: TransactionTableOptions = {}) {
    this.#timeout = options.timeout ?? 30_000;
    this.#maxPending = options.maxPending ?? 1024;
    this.#pending = new ExpiringMap((tid, pending) =>
      // RFC 4975 §7.1: no response in time is treated as a 408.
      pending.reject(
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
    if (this.#pending.size >= this.#maxPending) {
      throw new MsrpError('MSRP_ERR_LIMIT', `More than ${this.#maxPending} transactions pending`);
    }
    return new Promise((resolve, reject) => {
      this.#pending.set(transactionId, { resolve, reject }, this.#timeout);
    });
  }

  /** Settles the request a response answers; false when no request awaits it. */
  settle(response: ResponseHead): boolean {
    const pending = this.#pending.take(response.transactionId);
    pending?.resolve(response);
    return pending !== undefined;
  }

  /** Fails one request, e.g. when it could not be written. */
  fail(transactionId: string, error: MsrpError): void {
    this.#pending.take(transactionId)?.reject(error);
  }

  /** Fails every pending request, e.g. when the connection closes. */
  failAll(error: MsrpError): void {
    for (const [tid, pending] of this.#pending.clear()) {
      pending.reject(
        new MsrpError(error.code, error.message, { transactionId: tid, cause: error }),
      );
    }
  }
}
