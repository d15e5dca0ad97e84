import { MsrpError, toMsrpError } from '../errors.js';
import type { SessionPort, Transaction } from '../session/session-link.js';
import type { TransactionSettle, TransactionTable } from '../session/transaction-table.js';
import type { Connection } from '../transport/connection.js';
import type { RequestHead, ResponseHead } from '../wire/head.js';
import { encodeFrame } from '../wire/serializer.js';

/** Where a {@link PeerPort} writes: a connection and its transaction table. */
export interface PortTarget {
  readonly connection: Connection;
  readonly transactions: TransactionTable;
}

const never = new Promise<ResponseHead>(() => undefined);

/**
 * The {@link SessionPort} of one connection: every session bound to it writes through this,
 * and each request that awaits a response gets a transaction (408 when none comes).
 */
export class PeerPort implements SessionPort {
  readonly #target: PortTarget;

  constructor(target: PortTarget) {
    this.#target = target;
  }

  get messageFramed(): boolean {
    return this.#target.connection.messageFramed;
  }

  send(transactionId: string, frame: readonly Uint8Array[], awaitResponse = true): Transaction {
    const response = this.#open(transactionId, awaitResponse);
    if (response instanceof MsrpError) return failed(response);
    return this.#track(transactionId, this.#target.connection.write(frame), response);
  }

  sendChunk(
    transactionId: string,
    frame: readonly Uint8Array[],
    settle: TransactionSettle,
    datum = 0,
  ): boolean {
    const { connection, transactions } = this.#target;
    try {
      transactions.expect(transactionId, settle, datum);
    } catch (e) {
      settle(undefined, toMsrpError(e, 'MSRP_ERR_LIMIT'), datum);
      return true;
    }
    try {
      return connection.tryWrite(frame);
    } catch (e) {
      transactions.fail(transactionId, toMsrpError(e, 'MSRP_ERR_CONNECTION'));
      return false;
    }
  }

  writable(): Promise<void> {
    return this.#target.connection.whenWritable();
  }

  whenRoom(): Promise<void> | undefined {
    return this.#target.transactions.whenRoom();
  }

  sendParts(
    transactionId: string,
    headBytes: Uint8Array,
    nextPart: () => Uint8Array | undefined,
    endLine: () => Uint8Array,
  ): Transaction {
    const response = this.#open(transactionId, true);
    if (response instanceof MsrpError) return failed(response);
    const sent = this.#target.connection.writeParts(headBytes, nextPart, endLine);
    return this.#track(transactionId, sent, response);
  }

  request(head: RequestHead): Promise<ResponseHead> {
    return this.send(head.transactionId, encodeFrame(head), true).response;
  }

  resume(): void {
    this.#target.connection.resume();
  }

  /** The response promise of a new transaction, or why it could not start (too many). */
  #open(transactionId: string, awaitResponse: boolean): Promise<ResponseHead> | MsrpError {
    if (!awaitResponse) return never;
    try {
      return this.#target.transactions.start(transactionId);
    } catch (e) {
      return toMsrpError(e, 'MSRP_ERR_LIMIT');
    }
  }

  #track(transactionId: string, sent: Promise<void>, response: Promise<ResponseHead>): Transaction {
    const { transactions } = this.#target;
    sent.catch((e: unknown) =>
      transactions.fail(transactionId, toMsrpError(e, 'MSRP_ERR_CONNECTION')),
    );
    response.catch(() => undefined);
    return { sent, response };
  }
}

function failed(error: MsrpError): Transaction {
  return { sent: Promise.reject(error), response: Promise.reject(error) };
}
