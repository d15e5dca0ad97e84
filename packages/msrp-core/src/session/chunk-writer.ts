import { TransactionIds } from '../wire/ids.js';
import type { ContinuationFlag } from '../wire/parser.js';
import { HeadTemplates } from './head-templates.js';
import { writeInterruptible, type SliceHost } from './interruptible-chunk.js';
import { chunkFrame, chunkHead } from './sending.js';
import type { Chunk, Sending } from './sending.js';
import { unbound, type SendSchedulerHost, type Transaction } from './session-link.js';

/**
 * Largest chunk body cut for a message-based connection (WebSocket), where a chunk is one
 * message and cannot be written in interruptible slices: bounded so that one chunk never
 * holds the connection for long (RFC 4975 §7.1) and fits a peer's message-size limit.
 */
const MESSAGE_CHUNK_LIMIT = 256 * 1024;

/**
 * How a {@link SendScheduler}'s chunks go on its session's port: where the next one is cut,
 * its head (from the session's templates, under a fresh transaction id left in
 * `sending.transactionId`), its frame written whole or in interruptible slices, and how far
 * the message is written, recorded in the sending.
 */
export class ChunkWriter {
  readonly #host: SendSchedulerHost;
  readonly #options: { readonly chunkSize: number };
  readonly #templates = new HeadTemplates();
  readonly #ids = new TransactionIds();

  constructor(host: SendSchedulerHost, options: { readonly chunkSize: number }) {
    this.#host = host;
    this.#options = options;
  }

  /** Writes a whole chunk ending with `flag` (a `#` chunk ends an aborted message). */
  write(sending: Sending, chunk: Chunk, flag: ContinuationFlag): Transaction {
    const port = this.#host.port;
    if (!port) return unbound();
    const frame = this.wholeFrame(sending, chunk, flag);
    return port.send(sending.transactionId, frame);
  }

  /**
   * The frame of a whole chunk ending with `flag`, under the transaction id it leaves in
   * `sending.transactionId`; records how far the message is written.
   */
  wholeFrame(sending: Sending, chunk: Chunk, flag: ContinuationFlag): Uint8Array[] {
    const end = chunk.start + chunk.body.length - 1;
    if (flag !== '#') sending.written = end;
    if (flag === '$') sending.endWritten = true;
    const { toPath, fromPath } = this.#host;
    return chunkFrame(sending, chunk, flag, toPath!, fromPath, this.#templates, this.#ids);
  }

  /** Writes a large chunk in slices, interrupted when another message waits (see {@link writeInterruptible}). */
  writeInterruptible(
    sending: Sending,
    chunk: Chunk,
    inFlight: { bytes: number },
    slices: SliceHost,
  ): Transaction {
    const port = this.#host.port;
    if (!port) return unbound();
    const head = this.#chunkHead(sending, chunk, '*');
    const { transactionId } = sending;
    return writeInterruptible(port, sending, chunk, transactionId, head, inFlight, slices);
  }

  /**
   * Where the next chunk of `sending` is cut: its `chunkSize`, else the session's, at most
   * 256 KiB on a message-based connection.
   */
  chunkLimit(sending: Sending): number {
    const chunkSize = sending.options.chunkSize ?? this.#options.chunkSize;
    return this.#host.port?.messageFramed === true
      ? Math.min(chunkSize, MESSAGE_CHUNK_LIMIT)
      : chunkSize;
  }

  /** The serialized head of a SEND chunk, under a fresh id left in `sending.transactionId`. */
  #chunkHead(sending: Sending, chunk: Chunk, end: number | '*'): Uint8Array {
    const { toPath, fromPath } = this.#host;
    return chunkHead(sending, chunk, end, toPath!, fromPath, this.#templates, this.#ids);
  }
}
