import { MsrpError, toMsrpError, type MsrpErrorCode } from '../errors.js';
import type { ByteRange } from '../wire/byte-range.js';
import type { ResponseHead } from '../wire/head.js';
import type { StatusHeader } from '../wire/status-header.js';
import { ChunkWriter } from './chunk-writer.js';
import { DeliveryError, type Delivery } from './delivery.js';
import type { SendOptions } from './options.js';
import type { OutgoingMessage } from './outgoing-message.js';
import { peerRefusal } from './peer-error.js';
import { INTERRUPT_SLICE, type SliceHost } from './interruptible-chunk.js';
import { LiveSendings } from './live-sendings.js';
import { RecentIds } from './recent-ids.js';
import { coversMessage, ReportedRanges } from './report-ranges.js';
import { ReportWaits } from './report-waits.js';
import { OVERDRAFT_BYTES, RELAY_WINDOW_MS, SendWindow, WINDOW_MS } from './send-window.js';
import { deliveryOf, newSending, onWire, takeChunk } from './sending.js';
import type { Chunk, Sending } from './sending.js';
import { unboundError, type SendSchedulerHost } from './session-link.js';

/** How many settled outgoing Message-IDs the scheduler remembers for late REPORTs. */
const REMEMBERED_MESSAGES = 256;

/** Limits of a {@link SendScheduler}, from the session's options. */
export interface SendSchedulerOptions {
  chunkSize: number;
  maxInFlightChunks: number;
  maxInFlightBytes: number;
  remoteMaxSize: number | undefined;
  reportTimeout: number;
}

/**
 * The outgoing half of a session: cuts messages into chunks (RFC 4975 §7.1), one chunk per
 * message per turn (round robin, so a chat line overtakes a file), within a window of chunks
 * and bytes awaiting their 200, writing large chunks in interruptible slices, and settles
 * each message on its 200s and success REPORT. On a message-based connection (WebSocket)
 * chunks are cut at 256 KiB at most and each is written in one message (RFC 7977 §5.1).
 */
export class SendScheduler {
  readonly #host: SendSchedulerHost;
  readonly #options: SendSchedulerOptions;
  readonly #queue: Sending[] = [];
  /** Queued and not yet settled, found by Message-ID for a REPORT or an abort. */
  readonly #sending = new LiveSendings<Sending>();
  /** Recently settled outgoing messages: their late REPORTs are still ours to report. */
  readonly #settled = new RecentIds<true>(REMEMBERED_MESSAGES);
  /** Sends whose every chunk was confirmed, waiting for their success REPORT. */
  readonly #reportWaits = new ReportWaits<Sending>((sending, ms) => {
    this.#fail(
      sending,
      new MsrpError('MSRP_ERR_REPORT_TIMEOUT', `No success REPORT within ${ms} ms`, {
        status: 408,
      }),
    );
  });
  #pumping = false;
  readonly #window: SendWindow<Sending>;
  /** Cuts, frames and writes the chunks. */
  readonly #writer: ChunkWriter;
  /** What a chunk written in slices needs of this scheduler. */
  readonly #slices: SliceHost = {
    othersWaiting: (sending) => this.#othersWaiting(sending),
    interrupted: (sending, unwritten) => {
      sending.message.unread(unwritten);
      this.#window.shrink(unwritten.length);
      if (!this.#queue.includes(sending)) this.#queue.push(sending);
    },
  };

  constructor(host: SendSchedulerHost, options: SendSchedulerOptions) {
    this.#host = host;
    this.#options = options;
    this.#writer = new ChunkWriter(host, options);
    this.#window = new SendWindow(
      options.maxInFlightChunks,
      options.maxInFlightBytes,
      OVERDRAFT_BYTES,
    );
  }

  /** Chunks written and not yet answered. */
  get inFlightChunks(): number {
    return this.#window.chunks;
  }

  /** Body bytes written and not yet answered. */
  get inFlightBytes(): number {
    return this.#window.bytes;
  }

  /** Queues a message; the promise settles as `Session.send` documents. */
  enqueue(message: OutgoingMessage, options: SendOptions): Promise<Delivery> {
    return new Promise<Delivery>((resolve, reject) =>
      this.enqueueWith(message, options, resolve, reject),
    );
  }

  /** {@link enqueue} without a promise: `resolve` or `reject` is called once it settles. */
  enqueueWith(
    message: OutgoingMessage,
    options: SendOptions,
    resolve: (delivery: Delivery) => void,
    reject: (error: Error) => void,
  ): void {
    const sending = newSending(message, options, resolve, reject);
    this.#sending.add(sending);
    // A new message goes ahead of those already under way: a chat line sent beside a file
    // is the next chunk written, not one more file chunk later (round robin from then on).
    const queue = this.#queue;
    let under = 0;
    while (under < queue.length && queue[under]!.message.sent <= queue[under]!.message.offset) {
      under++;
    }
    if (under === queue.length) queue.push(sending);
    else queue.splice(under, 0, sending);
    this.#wakeFor(sending);
    const { signal } = options;
    if (signal) {
      const onAbort = (): void => this.abort(message.messageId);
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        sending.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
    }
    // A pump under way takes it in its loop: no promise per message for a call that returns.
    if (!this.#pumping) void this.pump();
  }

  /** See `Session.abort`. */
  abort(messageId: string): void {
    const sending = this.#sending.get(messageId);
    if (!sending || sending.message.finished) return;
    this.#abortWith(sending, new MsrpError('MSRP_ERR_ABORTED', `Message ${messageId} aborted`));
  }

  /** Fails every message in progress (the session closed or lost its connection). */
  failAll(error: Error): void {
    for (const sending of this.#sending.values()) this.#fail(sending, error);
  }

  /**
   * A REPORT about `messageId` (RFC 4975 §7.1.2).
   * @returns whether the message is (or recently was) ours.
   */
  report(messageId: string, status: StatusHeader, range: ByteRange | undefined): boolean {
    const sending = this.#sending.get(messageId);
    if (!sending) return this.#settled.has(messageId);
    const { code } = status;
    if (code === 200) {
      // RFC 4975 §7.3.2: correlated by Byte-Range; the message waits until they cover it.
      (sending.reported ??= new ReportedRanges()).add(range);
      sending.report = status;
      sending.reportRange = range;
      if (this.#allConfirmed(sending) && coversMessage(sending.reported, sending.message))
        this.#complete(sending);
      return true;
    }
    const error = peerRefusal('Failure REPORT', code, status.reason);
    // RFC 4975 §7.3.2: a message under way that failed SHOULD be ended with `#`; but after a
    // 413 the sender MUST NOT send any further chunk of it (§10.5).
    if (code === 413) this.#fail(sending, error);
    else this.#abortWith(sending, error);
    return true;
  }

  /**
   * Writes chunks while messages wait, the session is bound and the window has room. A chunk
   * cut from bytes at hand and written while the connection has room costs no promise: the
   * pump awaits only the source, the window and `drain`, so one tick writes many chunks and
   * they leave in one writev.
   */
  async pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    const host = this.#host;
    try {
      // Messages queued in the same tick as this one join the first round.
      await Promise.resolve();
      // To-Path names a relay first when it holds more than the peer.
      this.#window.windowMs = (host.toPath?.length ?? 1) > 1 ? RELAY_WINDOW_MS : WINDOW_MS;
      while (this.#queue.length > 0 && host.bound) {
        const overdraw = this.#window.full;
        if (overdraw) {
          if (!this.#overdraws(this.#queue[0]!)) {
            await this.#window.room();
            continue;
          }
          // Beside a file (under way, so at the back of the queue), not in a flood of them.
          const last = this.#queue.at(-1)!.message;
          if (last.sent > last.offset) this.#window.narrow();
        }
        // The sessions on a connection share its places for pending transactions
        // (`maxPending`): a chunk waits for one, it does not fail its message.
        const room = host.port?.whenRoom();
        if (room) {
          await room;
          continue;
        }
        // Round robin: one chunk per message per turn, so a chat line overtakes a file;
        // a message with more to send goes to the back of the queue.
        const sending = this.#queue.shift()!;
        const { message } = sending;
        let chunk;
        try {
          chunk = takeChunk(sending, this.#writer.chunkLimit(sending));
        } catch (e) {
          this.#sourceFailed(sending, e);
          continue;
        }
        if (chunk === null) {
          this.#readAside(sending);
          continue;
        }
        if (message.finished || !chunk) continue; // aborted while reading, or nothing left
        const limit = this.#options.remoteMaxSize;
        if (limit !== undefined && chunk.start - 1 + chunk.body.length > limit) {
          message.sent = chunk.start - 1;
          this.#abortWith(
            sending,
            new MsrpError('MSRP_ERR_LIMIT', `Message exceeds the peer's max-size ${limit}`, {
              status: 413,
            }),
          );
          continue;
        }
        if (!chunk.last) this.#queue.push(sending);
        const bytes = chunk.body.length;
        this.#window.add(bytes, overdraw ? sending : undefined);
        message.inFlight++;
        sending.lastInWindow = chunk.last;
        // RFC 7977 §5.1: over a WebSocket each chunk goes in exactly one message, so it is
        // written whole, never in slices (which would be one message each).
        if (bytes > INTERRUPT_SLICE && host.port?.messageFramed !== true) {
          const inFlight = { bytes };
          const written = this.#writer.writeInterruptible(sending, chunk, inFlight, this.#slices);
          written.response.then(
            (response) => this.#onResponse(sending, inFlight.bytes, response),
            (error: Error) => this.#onResponse(sending, inFlight.bytes, undefined, error),
          );
          try {
            await written.sent;
          } catch (e) {
            this.#fail(sending, e);
          }
        } else if (!this.#writeChunkNow(sending, chunk)) {
          // The connection is full: a chunk written now would only wait in its buffer,
          // where a chat line queued next would wait behind it too.
          await host.port?.writable().catch(() => undefined);
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * Reads the next chunk of `sending` out of the queue, which the pump goes on with: a source
   * may wait long for its next piece (a live stream), and a chat line queued beside it must
   * not wait with it (issue 12). Once read, the message takes its turn back.
   */
  #readAside(sending: Sending): void {
    sending.message.next(this.#writer.chunkLimit(sending)).then(
      (chunk) => {
        if (!sending.live || sending.message.finished || !chunk) return;
        sending.ready = chunk;
        this.#queue.unshift(sending);
        if (this.#pumping) this.#wakeFor(sending);
        else void this.pump();
      },
      (e: unknown) => this.#sourceFailed(sending, e),
    );
  }

  /** The source failed us, not the connection: the peer is told with `#` (RFC 4975 §7.1). */
  #sourceFailed(sending: Sending, error: unknown): void {
    if (sending.live) this.#abortWith(sending, error, 'MSRP_ERR_FILE');
  }

  /** A pump waiting for the file's next 200 writes a chat line now (see #overdraws). */
  #wakeFor(sending: Sending): void {
    if (this.#pumping && this.#queue[0] === sending && this.#overdraws(sending)) {
      this.#window.wake();
    }
  }

  /** Whether `sending` may overdraw a full byte window (see SendWindow.mayOverdraw). */
  #overdraws(sending: Sending): boolean {
    return this.#window.mayOverdraw(onWire(sending), this.#writer.chunkLimit(sending));
  }

  /** Writes a whole chunk; false when the connection is full (or gone). */
  #writeChunkNow(sending: Sending, chunk: Chunk): boolean {
    const bytes = chunk.body.length;
    const port = this.#host.port;
    if (!port) {
      this.#onResponse(sending, bytes, undefined, unboundError());
      return false;
    }
    const frame = this.#writer.wholeFrame(sending, chunk, chunk.last ? '$' : '+');
    sending.settleChunk ??= (response, error, size) =>
      this.#onResponse(sending, size!, response, error);
    return port.sendChunk(sending.transactionId, frame, sending.settleChunk, bytes);
  }

  /**
   * Fails a message, telling the peer with `#` when some of it went out (RFC 4975 §7.1).
   * Once its last chunk (`$`) is out there is nothing to abort: a `#` would start past the end.
   */
  #abortWith(sending: Sending, error: unknown, fallbackCode?: MsrpErrorCode): void {
    if (sending.written > 0 && !sending.endWritten && !sending.writing && this.#host.bound) {
      this.#writer
        .write(sending, { body: new Uint8Array(0), start: sending.written + 1, last: false }, '#')
        .sent.catch(() => undefined);
    }
    this.#fail(sending, error, fallbackCode);
  }

  #othersWaiting(sending: Sending): boolean {
    return this.#queue.some(
      (other) => other !== sending && (!other.message.drained || other.ready !== undefined),
    );
  }

  #onResponse(sending: Sending, bytes: number, response?: ResponseHead, error?: Error): void {
    sending.message.inFlight--;
    this.#window.release(bytes, sending);
    if (sending.message.finished) return;
    if (!response || response.statusCode !== 200) {
      const status = response?.statusCode;
      this.#fail(sending, error ?? peerRefusal('Peer answered', status, response?.comment));
      return;
    }
    const { message, options } = sending;
    message.confirmed += bytes;
    // Settled before the progress callback: an abort from it, once every byte is confirmed
    // (and no REPORT awaited), comes after the fact and does not undo the delivery.
    if (this.#allConfirmed(sending)) {
      if (!options.successReport || coversMessage(sending.reported, sending.message))
        this.#complete(sending);
      else this.#awaitReport(sending);
    }
    if (options.onProgress) {
      const seconds = (Date.now() - sending.started) / 1000;
      // The callback runs inside the connection's read: what it throws aborts this message
      // (its cause), not the connection the session shares with others.
      try {
        options.onProgress({
          bytes: message.confirmed,
          total: message.size,
          rate: seconds > 0 ? (message.confirmed - message.offset) / seconds : 0,
        });
      } catch (e) {
        this.#abortWith(sending, e, 'MSRP_ERR_ABORTED');
      }
    }
  }

  /** Every chunk is confirmed; the success REPORT gets `reportTimeout` to come. */
  #awaitReport(sending: Sending): void {
    this.#reportWaits.start(sending, sending.options.reportTimeout ?? this.#options.reportTimeout);
  }

  #allConfirmed(sending: Sending): boolean {
    return sending.lastInWindow && sending.message.drained && sending.message.inFlight === 0;
  }

  #complete(sending: Sending): void {
    sending.message.finished = true;
    this.#settle(sending);
    sending.resolve(deliveryOf(sending));
  }

  /** Rejects a send; an error that is no MsrpError gets `fallbackCode` and is the cause. */
  #fail(
    sending: Sending,
    error: unknown,
    fallbackCode: MsrpErrorCode = 'MSRP_ERR_CONNECTION',
  ): void {
    const { message } = sending;
    if (!sending.live) return; // settled already
    const i = this.#queue.indexOf(sending);
    if (i >= 0) this.#queue.splice(i, 1);
    this.#settle(sending);
    void message.close();
    const { code, status, message: why } = toMsrpError(error, fallbackCode);
    sending.reject(
      new DeliveryError(message.messageId, message.confirmed, why, {
        ...(status !== undefined && { status }),
        code,
        cause: error,
      }),
    );
  }

  #settle(sending: Sending): void {
    this.#reportWaits.stop(sending);
    sending.unlisten?.();
    sending.unlisten = undefined;
    this.#sending.remove(sending);
    this.#settled.add(sending.message.messageId, true);
  }
}
