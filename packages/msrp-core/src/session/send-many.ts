import { MsrpError, toMsrpError } from '../errors.js';
import { encodeUtf8 } from '../wire/bytes.js';
import { kindOf } from './byte-source.js';
import type { Delivery } from './delivery.js';
import type { SendOptions } from './options.js';

/** A message of {@link Session.sendMany}: text (sent as UTF-8) or bytes. */
export type ManyMessage = string | Uint8Array;

/** Options of {@link Session.sendMany}: the same for every message of the run. */
export interface SendManyOptions {
  /**
   * Content-Type of every message. Default `text/plain;charset=utf-8` for text and
   * `application/octet-stream` for bytes.
   */
  contentType?: string;
  /**
   * Messages handed to the session and not yet confirmed, at most: the next one is taken
   * from the source as one is confirmed. Default 64.
   */
  maxPending?: number;
  /**
   * Called as each message is confirmed by the peer (every chunk answered 200), with its
   * place in the source (0 for the first) and its delivery. What it throws stops the run,
   * which rejects with it once the messages under way settled.
   */
  onDelivered?: (index: number, delivery: Delivery) => void;
  /**
   * Stops taking messages from the source; those under way still settle, then the promise
   * rejects with `MSRP_ERR_ABORTED`.
   */
  signal?: AbortSignal;
}

/** What {@link Session.sendMany} delivered. */
export interface ManyDelivery {
  /** Messages confirmed by the peer: all the source gave. */
  readonly messages: number;
  /** Their body bytes. */
  readonly bytes: number;
}

/** How a {@link ManySend} hands one message to its session, which calls `done` once it settles. */
export type EnqueueMessage = (
  body: Uint8Array,
  options: SendOptions,
  resolve: (delivery: Delivery) => void,
  reject: (error: Error) => void,
) => void;

const TEXT_PLAIN: SendOptions = { contentType: 'text/plain;charset=utf-8' };
const OCTETS: SendOptions = { contentType: 'application/octet-stream' };

/**
 * One run of {@link Session.sendMany}: takes messages from its source while fewer than
 * `maxPending` are unconfirmed, and settles once all are confirmed or one fails. Each
 * message is still its own MSRP message, confirmed by its own 200 (RFC 4975 §7.1); what the
 * run saves is a promise, a Delivery wait and the option handling per message.
 */
export class ManySend {
  readonly #enqueue: EnqueueMessage;
  readonly #max: number;
  readonly #onDelivered: SendManyOptions['onDelivered'];
  readonly #text: SendOptions;
  readonly #bytes: SendOptions;
  readonly #signal: AbortSignal | undefined;
  #sync: Iterator<ManyMessage> | undefined;
  #async: AsyncIterator<ManyMessage> | undefined;
  /** Messages taken from the source so far. */
  #taken = 0;
  #pending = 0;
  #delivered = 0;
  #deliveredBytes = 0;
  /** An async source's `next()` is under way. */
  #pulling = false;
  /** No more messages are taken: the source ended, failed, or a message failed. */
  #stopped = false;
  #error: Error | undefined;
  #settled = false;
  readonly #resolve: (delivery: ManyDelivery) => void;
  readonly #reject: (error: Error) => void;
  /** Settles as {@link Session.sendMany} documents. */
  readonly done: Promise<ManyDelivery>;

  constructor(
    source: Iterable<ManyMessage> | AsyncIterable<ManyMessage>,
    options: SendManyOptions,
    enqueue: EnqueueMessage,
  ) {
    this.#enqueue = enqueue;
    this.#max = options.maxPending ?? 64;
    this.#onDelivered = options.onDelivered;
    const { contentType } = options;
    this.#text = contentType === undefined ? TEXT_PLAIN : { contentType };
    this.#bytes = contentType === undefined ? OCTETS : this.#text;
    this.#signal = options.signal;
    let resolve!: (delivery: ManyDelivery) => void;
    let reject!: (error: Error) => void;
    this.done = new Promise((res, rej) => ((resolve = res), (reject = rej)));
    this.#resolve = resolve;
    this.#reject = reject;
    if (!Number.isSafeInteger(this.#max) || this.#max < 1) {
      this.#stop(new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `Invalid maxPending ${this.#max}`));
    } else if (typeof source === 'string') {
      this.#stop(
        new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'sendMany takes messages, not a string'),
      );
    } else if (
      typeof (source as Partial<Iterable<ManyMessage>>)?.[Symbol.iterator] === 'function'
    ) {
      this.#sync = (source as Iterable<ManyMessage>)[Symbol.iterator]();
    } else if (
      typeof (source as Partial<AsyncIterable<ManyMessage>>)?.[Symbol.asyncIterator] === 'function'
    ) {
      this.#async = (source as AsyncIterable<ManyMessage>)[Symbol.asyncIterator]();
    } else {
      this.#stop(
        new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'sendMany takes an iterable of messages'),
      );
    }
    this.#signal?.addEventListener('abort', this.#aborted, { once: true });
    if (this.#signal?.aborted) this.#aborted();
    this.#fill();
  }

  /** Takes messages while there is room; a sync source is read without a promise. */
  #fill(): void {
    while (!this.#stopped && !this.#pulling && this.#pending < this.#max) {
      if (this.#async) {
        this.#pull(this.#async);
        return;
      }
      let step: IteratorResult<ManyMessage>;
      try {
        step = this.#sync!.next();
      } catch (e) {
        this.#stop(sourceError(e));
        break;
      }
      if (step.done) this.#stop();
      else this.#send(step.value);
    }
    this.#finishIfIdle();
  }

  #pull(source: AsyncIterator<ManyMessage>): void {
    this.#pulling = true;
    source.next().then(
      (step) => {
        this.#pulling = false;
        if (this.#stopped) {
          // Stopped while it was read: the message stays unsent.
        } else if (step.done) this.#stop();
        else this.#send(step.value);
        this.#fill();
      },
      (e: unknown) => {
        this.#pulling = false;
        this.#stop(sourceError(e));
        this.#finishIfIdle();
      },
    );
  }

  #send(content: ManyMessage): void {
    const index = this.#taken++;
    const text = typeof content === 'string';
    if (!text && !(content instanceof Uint8Array)) {
      this.#stop(
        new MsrpError(
          'MSRP_ERR_INVALID_ARGUMENT',
          `sendMany: message ${index} is ${kindOf(content)}, not text or bytes`,
        ),
      );
      return;
    }
    this.#pending++;
    const body = text ? encodeUtf8(content) : content;
    const onDelivered = this.#onDelivered;
    this.#enqueue(
      body,
      text ? this.#text : this.#bytes,
      onDelivered
        ? (delivery) => {
            // The callback runs inside the connection's read: what it throws ends this run,
            // not the connection.
            try {
              onDelivered(index, delivery);
            } catch (e) {
              this.#stop(e instanceof Error ? e : new Error(String(e)));
            }
            this.#confirmed(delivery);
          }
        : this.#confirmed,
      this.#failed,
    );
  }

  readonly #confirmed = (delivery: Delivery): void => {
    this.#pending--;
    this.#delivered++;
    this.#deliveredBytes += delivery.bytes;
    this.#fill();
  };

  readonly #failed = (error: Error): void => {
    this.#pending--;
    this.#stop(error);
    this.#finishIfIdle();
  };

  /** The session can send no more: take no more messages, and settle once idle. */
  fail(error: Error): void {
    this.#stop(error);
    this.#finishIfIdle();
  }

  readonly #aborted = (): void => {
    this.#stop(new MsrpError('MSRP_ERR_ABORTED', 'sendMany aborted'));
    this.#finishIfIdle();
  };

  /** Takes no more messages; the first error is the one the run rejects with. */
  #stop(error?: Error): void {
    if (error && !this.#error) this.#error = error;
    if (this.#stopped) return;
    this.#stopped = true;
    if (!error) return;
    // A source that did not end is told we are done with it (a generator runs its finally).
    try {
      void this.#async?.return?.()?.catch(() => undefined);
      this.#sync?.return?.();
    } catch {
      // Its own failure to stop changes nothing here.
    }
  }

  #finishIfIdle(): void {
    // A pull under way is not waited for: its message would stay unsent (see #pull), and a
    // source waiting for its next message (a chat's queue of lines) may never give one.
    if (this.#settled || !this.#stopped || this.#pending > 0) return;
    this.#settled = true;
    this.#signal?.removeEventListener('abort', this.#aborted);
    if (this.#error) this.#reject(this.#error);
    else this.#resolve({ messages: this.#delivered, bytes: this.#deliveredBytes });
  }
}

function sourceError(e: unknown): MsrpError {
  const { message } = toMsrpError(e, 'MSRP_ERR_FILE');
  return new MsrpError('MSRP_ERR_FILE', `sendMany: the source failed: ${message}`, { cause: e });
}
