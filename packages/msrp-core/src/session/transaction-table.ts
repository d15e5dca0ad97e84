import { MsrpError } from '../errors.js';
import type { ResponseHead } from '../wire/head.js';

interface Pending {
  resolve(response: ResponseHead): void;
  reject(error: MsrpError): void;
  timer: NodeJS.Timeout;
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

/** Requests sent on one connection that await their response, by transaction id. */
export class TransactionTable {
  readonly #pending = new Map<string, Pending>();
  readonly #timeout: number;
  readonly #maxPending: number;

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
    if (this.#pending.size >= this.#maxPending) {
      throw new MsrpError('MSRP_ERR_LIMIT', `More than ${this.#maxPending} transactions pending`);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(transactionId);
        // RFC 4975 §7.1: no response in time is treated as a 408.
        reject(
          new MsrpError(
            'MSRP_ERR_TIMEOUT',
            `No response to ${transactionId} within ${this.#timeout} ms`,
            {
              status: 408,
              transactionId,
            },
          ),
        );
      }, this.#timeout);
      this.#pending.set(transactionId, { resolve, reject, timer });
    });
  }

  /** Fails one request, e.g. when it could not be written. */
  fail(transactionId: string, error: MsrpError): void {
    const pending = this.#pending.get(transactionId);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#pending.delete(transactionId);
    pending.reject(error);
  }

  /** Settles the request a response answers; false when no request awaits it. */
  settle(response: ResponseHead): boolean {
    const pending = this.#pending.get(response.transactionId);
    if (!pending) return false;
    clearTimeout(pending.timer);
    this.#pending.delete(response.transactionId);
    pending.resolve(response);
    return true;
  }

  /** Fails every pending request, e.g. when the connection closes. */
  failAll(error: MsrpError): void {
    for (const [tid, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(
        new MsrpError(error.code, error.message, { transactionId: tid, cause: error }),
      );
    }
    this.#pending.clear();
  }
}
