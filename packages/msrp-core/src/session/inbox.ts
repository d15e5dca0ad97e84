import { MsrpError } from '../errors.js';
import type { IncomingMessage } from './incoming-message.js';
import { peerError } from './peer-error.js';

/**
 * The reader queue of a session: delivered messages wait here until `for await` takes them.
 * One reader at a time: a second concurrent iteration would silently take the first one's
 * wake-ups, so it throws instead.
 */
export class Inbox {
  #messages: IncomingMessage[] = [];
  /** The messages waiting, with the stream bytes each holds: these must not pause the connection. */
  readonly #held = new Map<IncomingMessage, number>();
  /** Stream bytes held by waiting messages, in all (bounded by `maxHeldBytes`). */
  #heldBytes = 0;
  /** Body bytes of the in-memory messages waiting: 1024 of 1 MiB held 1 GiB for one peer. */
  #bodyBytes = 0;
  #reader: ((result: IteratorResult<IncomingMessage>) => void) | undefined;
  /** Wakes the batch reader: messages wait in the queue, or the inbox ended. */
  #wake: (() => void) | undefined;
  #iterating = false;
  #ended = false;

  constructor(readonly maxHeldBytes: number) {}

  /** Messages waiting for the reader. */
  get length(): number {
    return this.#messages.length;
  }

  /** Bytes the waiting messages hold: their bodies, and what their streams hold. */
  get queuedBytes(): number {
    return this.#heldBytes + this.#bodyBytes;
  }

  /** Hands a message to the waiting reader, or queues it. */
  deliver(message: IncomingMessage): void {
    if (this.#reader) {
      const reader = this.#reader;
      this.#reader = undefined;
      reader({ value: message, done: false });
    } else {
      this.#messages.push(message);
      // A streamed message's bytes are held as they come; an in-memory one came whole.
      if (message.stream) this.#held.set(message, 0);
      else this.#bodyBytes += message.body?.length ?? 0;
      this.#wakeReader();
    }
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /**
   * Bytes for the stream of a message that still waits here: nobody can read them yet, and
   * the reader may be busy with an earlier message whose bytes come later on the same
   * connection, so pausing would stall both for good. They are held, within a bound.
   * @returns false when the message was taken by the reader (its stream may pause).
   * @throws {MsrpError} 413 past `maxHeldBytes`.
   */
  hold(message: IncomingMessage, bytes: number): boolean {
    const held = this.#held.get(message);
    if (held === undefined) return false;
    if (this.queuedBytes + bytes > this.maxHeldBytes) {
      throw peerError(413, 'Receiver is not keeping up');
    }
    this.#held.set(message, held + bytes);
    this.#heldBytes += bytes;
    return true;
  }

  /** No more messages will come: the reader ends once the queue is empty. */
  end(): void {
    this.#ended = true;
    this.#reader?.({ value: undefined, done: true });
    this.#reader = undefined;
    this.#wakeReader();
  }

  /**
   * The messages, as they come, until {@link end}.
   * @throws {MsrpError} `MSRP_ERR_SESSION` when another iteration is in progress.
   */
  async *read(): AsyncGenerator<IncomingMessage, undefined> {
    this.#claim();
    try {
      for (;;) {
        const next = this.#messages.shift();
        if (next) {
          this.#taken(next);
          yield next;
          continue;
        }
        if (this.#ended) return;
        const result = await new Promise<IteratorResult<IncomingMessage>>(
          (resolve) => (this.#reader = resolve),
        );
        if (result.done) return;
        yield result.value;
      }
    } finally {
      this.#iterating = false;
    }
  }

  /**
   * The messages in batches, as they come, until {@link end}: each batch is every message
   * that waited when the reader looked (those of one socket read, say), so a reader of many
   * small messages waits once per batch, not once per message. A streamed message ends its
   * batch: while the reader reads its stream, the messages after it still wait here, their
   * bytes held (see {@link hold}), as with {@link read}.
   * @throws {MsrpError} `MSRP_ERR_SESSION` when another iteration is in progress.
   */
  async *readBatches(): AsyncGenerator<IncomingMessage[], undefined> {
    this.#claim();
    try {
      for (;;) {
        if (this.#messages.length > 0) {
          const waiting = this.#messages;
          const streamed = waiting.findIndex((m) => m.stream !== undefined);
          let batch = waiting;
          if (streamed < 0 || streamed === waiting.length - 1) this.#messages = [];
          else {
            batch = waiting.slice(0, streamed + 1);
            this.#messages = waiting.slice(streamed + 1);
          }
          for (const message of batch) this.#taken(message);
          yield batch;
          continue;
        }
        if (this.#ended) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      this.#iterating = false;
    }
  }

  /** One reader at a time: a second would take the first one's wake-ups. */
  #claim(): void {
    if (this.#iterating) {
      throw new MsrpError(
        'MSRP_ERR_SESSION',
        'The session is already being read: use one for await loop per session',
      );
    }
    this.#iterating = true;
  }

  /** The reader took `message`: the bytes it held are its own now. */
  #taken(message: IncomingMessage): void {
    if (!message.stream) {
      this.#bodyBytes -= message.body?.length ?? 0;
      return;
    }
    this.#heldBytes -= this.#held.get(message) ?? 0;
    this.#held.delete(message);
  }
}
