import { MsrpError, toMsrpError } from '../errors.js';
import { abortable } from './abortable.js';
import type { ByteRange } from '../wire/byte-range.js';
import type { StatusHeader } from '../wire/status-header.js';
import { IdSequence } from '../wire/ids.js';
import { normalizeSource, type ByteSource, type NormalizedSource } from './byte-source.js';
import type { Delivery } from './delivery.js';
import { fileMessage, openFileSource } from './file-send.js';
import type { HasherFactory } from './hasher.js';
import type { FileDelivery, SendFileOptions, SendOptions, SessionState } from './options.js';
import { ContentTypes, OutgoingMessage, type MessageSource } from './outgoing-message.js';
import { SendScheduler, type SendSchedulerOptions } from './send-scheduler.js';
import {
  ManySend,
  type ManyDelivery,
  type ManyMessage,
  type SendManyOptions,
} from './send-many.js';
import type { SendSchedulerHost } from './session-link.js';
import type { SessionRuntime } from './session-runtime.js';

/** What `sendFile` needs: the file system, the hasher and the session's chunk size. */
export interface OutboxFiles {
  runtime: SessionRuntime;
  createHasher: HasherFactory;
  chunkSize: number;
}

const TEXT_PLAIN = 'text/plain;charset=utf-8';
const OCTETS = 'application/octet-stream';

/**
 * The outgoing side of a session: turns what the application sends into
 * {@link OutgoingMessage}s (Content-Type parsed once per text, the peer's max-size checked)
 * and hands them to the {@link SendScheduler}.
 */
export class Outbox {
  readonly #state: () => SessionState;
  readonly #remoteMaxSize: number | undefined;
  readonly #contentTypes = new ContentTypes();
  readonly #messageIds = new IdSequence();
  readonly #scheduler: SendScheduler;
  readonly #files: OutboxFiles;
  /** sendMany runs not settled: one waiting for its source has no message to fail. */
  readonly #runs = new Set<ManySend>();

  constructor(
    state: () => SessionState,
    host: SendSchedulerHost,
    options: SendSchedulerOptions,
    files: OutboxFiles,
  ) {
    this.#state = state;
    this.#files = files;
    this.#remoteMaxSize = options.remoteMaxSize;
    this.#scheduler = new SendScheduler(host, options);
  }

  /** See `Session.send`. */
  send(content: ByteSource, options: SendOptions): Promise<Delivery> {
    // Bytes at hand with their Content-Type named (a chat line): no source object, as the
    // message's size is its length. The options are copied still: they are read again per
    // chunk, and a caller may change or reuse its object once send() returned.
    if (
      content instanceof Uint8Array &&
      options.contentType !== undefined &&
      options.size === undefined &&
      options.offset === undefined
    ) {
      return this.#enqueue(content, { ...options });
    }
    let source: NormalizedSource;
    try {
      source = normalizeSource(content);
    } catch (e) {
      // A promise's error, as every other send() failure.
      return Promise.reject(toMsrpError(e, 'MSRP_ERR_INVALID_ARGUMENT'));
    }
    const sendOptions: SendOptions = {
      ...options,
      contentType:
        options.contentType ?? source.type ?? (typeof content === 'string' ? TEXT_PLAIN : OCTETS),
      ...(options.size === undefined && source.size !== undefined && { size: source.size }),
    };
    return this.#enqueue(source.bytes, sendOptions, () => source.release());
  }

  /**
   * Queues a message whose options are complete; rejects at once when it cannot be sent,
   * then letting go of a source it will never read (`release`: a file stream's descriptor).
   */
  #enqueue(source: MessageSource, options: SendOptions, release?: () => void): Promise<Delivery> {
    const message = this.#outgoing(source, options);
    if (message instanceof MsrpError) {
      release?.();
      return Promise.reject(message);
    }
    return this.#scheduler.enqueue(message, options);
  }

  /** See `Session.sendMany`. */
  sendMany(
    messages: Iterable<ManyMessage> | AsyncIterable<ManyMessage>,
    options: SendManyOptions,
  ): Promise<ManyDelivery> {
    const run = new ManySend(messages, options, this.#enqueueWith);
    this.#runs.add(run);
    const forget = (): void => void this.#runs.delete(run);
    run.done.then(forget, forget);
    return run.done;
  }

  /** See `Session.sendFile`. */
  async sendFile(
    source: string | Exclude<ByteSource, string>,
    options: SendFileOptions,
  ): Promise<FileDelivery> {
    const { runtime, createHasher, chunkSize } = this.#files;
    const file = await abortable(
      openFileSource(source, options, runtime, Math.max(options.chunkSize ?? chunkSize, 64 * 1024)),
      options.signal,
      'sendFile',
    );
    let delivery: Delivery;
    let hash: () => string;
    try {
      const fileSend = fileMessage(file, options, createHasher);
      hash = fileSend.hash;
      delivery = await this.#enqueue(fileSend.body, fileSend.sendOptions);
    } catch (e) {
      // A send refused at once never reads the source: release its file descriptor.
      file.release();
      throw e;
    }
    return { ...delivery, hash: hash() };
  }

  /** `#enqueue` without a promise, for {@link ManySend}. */
  readonly #enqueueWith = (
    body: Uint8Array,
    options: SendOptions,
    resolve: (delivery: Delivery) => void,
    reject: (error: Error) => void,
  ): void => {
    const message = this.#outgoing(body, options);
    if (message instanceof MsrpError) reject(message);
    else this.#scheduler.enqueueWith(message, options, resolve, reject);
  };

  /** See `Session.abort`. */
  abort(messageId: string): void {
    this.#scheduler.abort(messageId);
  }

  /** Fails every message in progress. */
  failAll(error: Error): void {
    this.#scheduler.failAll(error);
    for (const run of this.#runs) run.fail(error);
  }

  /** A REPORT about one of our messages; whether it is (or recently was) ours. */
  report(messageId: string, status: StatusHeader, range: ByteRange | undefined): boolean {
    return this.#scheduler.report(messageId, status, range);
  }

  /** A message to enqueue, or why it cannot be sent. */
  #outgoing(source: MessageSource, options: SendOptions): OutgoingMessage | MsrpError {
    const state = this.#state();
    if (state !== 'bound')
      return new MsrpError('MSRP_ERR_SESSION', `Cannot send: session is ${state}`);
    return OutgoingMessage.create(
      source,
      options,
      this.#remoteMaxSize,
      this.#contentTypes.parse,
      this.#messageIds,
    );
  }
}
