import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { MsrpError } from '../errors.js';
import { mediaTypeOf, parseContentType, type ContentType } from '../wire/content-type.js';
import type { RequestHead, ResponseHead } from '../wire/head.js';
import type { StatusHeader } from '../wire/status-header.js';
import type { ByteRange } from '../wire/byte-range.js';
import { newMessageId, newTransactionId } from '../wire/ids.js';
import type { ContinuationFlag } from '../wire/parser.js';
import {
  ChunkHeadTemplate,
  containsEndLine,
  encodeEndLine,
  encodeFrame,
  encodeHead,
} from '../wire/serializer.js';
import { formatUri, type MsrpUri } from '../wire/uri.js';
import { ChunkLength } from './chunk-length.js';
import { bodiless, describesNoBody, emptySend, type ChunkReceiver } from './chunk-receiver.js';
import { DeliveryError, type Delivery } from './delivery.js';
import { attachmentHeader, FILE_HASH_HEADER, HashTap, openFileSource } from './file-transfer.js';
import { Reassembly, type IncomingMessage } from './incoming-message.js';
import type {
  FileDelivery,
  SendFileOptions,
  SendOptions,
  SessionEvents,
  SessionOptions,
  SessionState,
} from './options.js';
import { OutgoingMessage, type MessageSource } from './outgoing-message.js';
import { RecentIds } from './recent-ids.js';
import type { SessionLink } from './session-link.js';

// The options and events live in their own file; they are still found here.
export type {
  FileDelivery,
  SendFileOptions,
  SendOptions,
  SessionEvents,
  SessionOptions,
  SessionState,
} from './options.js';
export type { ChunkReceiver } from './chunk-receiver.js';

interface Sending {
  readonly message: OutgoingMessage;
  readonly options: SendOptions;
  readonly started: number;
  resolve(delivery: Delivery): void;
  reject(error: Error): void;
  /** Heads of this message's chunks, formatted once. */
  template?: ChunkHeadTemplate;
  /** The success REPORT, once it came (it may overtake the last 200). */
  report: StatusHeader | undefined;
  reportRange: ByteRange | undefined;
  /** Waits for the success REPORT once every chunk was confirmed. */
  reportTimer?: NodeJS.Timeout;
  /** Bytes of the message in chunks written so far: where a `#` would start. */
  written: number;
  /** The chunk ending in `$` was written: nothing is left to abort on the wire. */
  endWritten: boolean;
  /** A large chunk is being written in slices; it ends itself with `#` on abort. */
  writing: boolean;
}

const TEXT_PLAIN = 'text/plain;charset=utf-8';
/** Chunks larger than this are written in slices of this size, and can be interrupted between them. */
const INTERRUPT_SLICE = 256 * 1024;
/** How many finished Message-IDs, each way, a session remembers for late chunks and REPORTs. */
const REMEMBERED_MESSAGES = 256;
const OCTETS = 'application/octet-stream';

/**
 * An MSRP session (RFC 4975): the user's handle to send messages and files and to receive
 * them. Create one with `Endpoint.createSession()`, then `connect()` (active side) or
 * `accept()` (passive side). Incoming messages are read with `for await (const m of session)`.
 *
 * @example
 * ```ts
 * const session = endpoint.createSession();
 * await session.connect([peerUri]);
 * await session.send('Hello');
 * for await (const message of session) console.log(message.text());
 * ```
 */
export class Session extends EventEmitter<SessionEvents> implements AsyncIterable<IncomingMessage> {
  /** Our own URI; its session-id carries 96 random bits (RFC 4975 §14.1 asks for 80). */
  readonly localUri: MsrpUri;
  /** Where we send to: relays (if any) then the peer's URI. Set by connect() or accept(). */
  remotePath: readonly MsrpUri[] | undefined;

  readonly #link: SessionLink;
  readonly #localPath: readonly MsrpUri[];
  /** Our relays, first hop first (RFC 4976 Use-Path); empty without relays. */
  readonly #usePath: readonly MsrpUri[];
  /** From-Path of our requests: only our URI; relays add theirs (RFC 4976 §7.1). */
  readonly #fromPath: readonly MsrpUri[];
  /** To-Path of our requests: our relays then the peer's path, or the way a request came. */
  #toPath: readonly MsrpUri[] | undefined;
  readonly #options: Required<Omit<SessionOptions, 'remoteMaxSize'>> & {
    remoteMaxSize: number | undefined;
  };
  #state: SessionState = 'new';
  #connection: object | undefined;

  // Sending.
  readonly #queue: Sending[] = [];
  readonly #sending = new Map<string, Sending>();
  #pumping = false;
  #inFlightChunks = 0;
  #inFlightBytes = 0;
  #windowOpened: (() => void) | undefined;

  // Receiving.
  readonly #incoming = new Map<string, Reassembly>();
  /** Recently finished incoming messages: resent chunks of these are not new messages. */
  readonly #finished = new RecentIds<'complete' | 'failed'>(REMEMBERED_MESSAGES);
  /** Recently settled outgoing messages: their late REPORTs are still ours to report. */
  readonly #settled = new RecentIds<true>(REMEMBERED_MESSAGES);
  readonly #inbox: IncomingMessage[] = [];
  /** The messages of #inbox, with the stream bytes each holds: these must not pause the connection. */
  readonly #queued = new Map<IncomingMessage, number>();
  /** Stream bytes held by the messages of #inbox, in all (bounded by maxQueuedStreamBytes). */
  #queuedBytes = 0;
  #reader: ((result: IteratorResult<IncomingMessage>) => void) | undefined;

  /** @internal Sessions are made by `Endpoint.createSession()`. */
  constructor(
    localUri: MsrpUri,
    link: SessionLink,
    options: SessionOptions = {},
    usePath: readonly MsrpUri[] = [],
  ) {
    super();
    this.localUri = Object.isFrozen(localUri) ? localUri : Object.freeze({ ...localUri });
    this.#usePath = Object.freeze([...usePath]);
    // RFC 4976 §5.1: peers reach us through our relays, the one nearest to us last.
    this.#localPath = Object.freeze([...usePath].reverse().concat(this.localUri));
    this.#fromPath = Object.freeze([this.localUri]);
    this.#link = link;
    this.#options = {
      acceptTypes: options.acceptTypes ?? ['*'],
      maxSize: options.maxSize ?? Number.MAX_SAFE_INTEGER,
      remoteMaxSize: options.remoteMaxSize,
      inMemoryThreshold: options.inMemoryThreshold ?? 1024 * 1024,
      maxReorderBytes: options.maxReorderBytes ?? 1024 * 1024,
      maxIncompleteMessages: options.maxIncompleteMessages ?? 64,
      maxQueuedMessages: options.maxQueuedMessages ?? 1024,
      chunkSize: options.chunkSize ?? 8192,
      maxInFlightChunks: options.maxInFlightChunks ?? 256,
      maxInFlightBytes: options.maxInFlightBytes ?? 16 * 1024 * 1024,
      rebind: options.rebind ?? false,
      reportTimeout: options.reportTimeout ?? 30_000,
      maxQueuedStreamBytes: options.maxQueuedStreamBytes ?? 16 * 1024 * 1024,
    };
  }

  /** Current state. */
  get state(): SessionState {
    return this.#state;
  }

  /**
   * Our path as the peer must address us (what SDP a=path carries): the URIs of our relays,
   * the one we are connected to last, then {@link localUri}.
   */
  get localPath(): readonly MsrpUri[] {
    return this.#localPath;
  }

  /**
   * Active side (RFC 4975 §5.4): opens (or reuses) a connection to the first hop of
   * `remotePath` and binds it with a bodiless SEND, which the peer must answer with 200.
   * @throws {MsrpError} when the connection fails or the peer refuses (status of its answer).
   */
  async connect(remotePath: readonly MsrpUri[]): Promise<void> {
    this.#expectState('new', 'connect');
    if (remotePath.length === 0)
      throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'remotePath is empty');
    this.remotePath = Object.freeze([...remotePath]);
    // RFC 4976 §5.2: requests go through our relays, then along the peer's path.
    this.#toPath = Object.freeze([...this.#usePath, ...remotePath]);
    this.#state = 'connecting';
    try {
      const connection = await this.#link.connect(this, this.#toPath[0]!);
      this.#bind(connection);
      const response = await this.#link.request(this, this.#bodilessSend(this.#toPath));
      if (response.statusCode !== 200) {
        throw new MsrpError(
          'MSRP_ERR_REMOTE',
          `Peer refused the session: ${response.statusCode} ${response.comment ?? ''}`.trim(),
          {
            status: response.statusCode,
          },
        );
      }
    } catch (e) {
      this.#close(e as Error);
      throw e;
    }
  }

  /**
   * Passive side (RFC 4975 §5.4): waits for the peer's first SEND, which binds the session
   * to the connection it arrives on. `remotePath`, when known (from SDP), is where replies
   * go; otherwise the request's From-Path is used.
   */
  accept(remotePath?: readonly MsrpUri[]): void {
    this.#expectState('new', 'accept');
    if (remotePath) {
      this.remotePath = Object.freeze([...remotePath]);
      this.#toPath = Object.freeze([...this.#usePath, ...remotePath]);
    }
    this.#state = 'waiting';
  }

  /**
   * Sends a message, cut into chunks; resolves when every chunk is confirmed (and the
   * success REPORT arrived, when asked for).
   * @throws {DeliveryError} with the peer's status (413, 415, 481...) or 408 on timeout, and
   * the number of bytes the peer confirmed; code `MSRP_ERR_REPORT_TIMEOUT` (408) when the
   * success REPORT did not come within `reportTimeout` of the last 200.
   */
  send(
    content: string | Uint8Array | AsyncIterable<Uint8Array>,
    options: SendOptions = {},
  ): Promise<Delivery> {
    const source: MessageSource =
      typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const contentType = parseContentType(
      options.contentType ?? (typeof content === 'string' ? TEXT_PLAIN : OCTETS),
    );
    if (!contentType) {
      return Promise.reject(
        new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `Invalid content type "${options.contentType}"`),
      );
    }
    if (this.#state !== 'bound') {
      return Promise.reject(
        new MsrpError('MSRP_ERR_SESSION', `Cannot send: session is ${this.#state}`),
      );
    }
    const messageId = options.messageId ?? newMessageId();
    const message = new OutgoingMessage(messageId, contentType, source, {
      ...(options.size !== undefined && { size: options.size }),
      ...(options.contentHeaders && { contentHeaders: options.contentHeaders }),
    });
    const limit = this.#options.remoteMaxSize;
    if (limit !== undefined && message.size !== undefined && message.size > limit) {
      return Promise.reject(
        new MsrpError(
          'MSRP_ERR_LIMIT',
          `Message of ${message.size} bytes exceeds the peer's max-size ${limit}`,
          { status: 413 },
        ),
      );
    }
    return new Promise<Delivery>((resolve, reject) => {
      const sending: Sending = {
        message,
        options,
        started: Date.now(),
        resolve,
        reject,
        report: undefined,
        reportRange: undefined,
        written: 0,
        endWritten: false,
        writing: false,
      };
      this.#sending.set(messageId, sending);
      this.#queue.push(sending);
      if (options.signal) {
        const onAbort = (): void => this.abort(messageId);
        if (options.signal.aborted) onAbort();
        else options.signal.addEventListener('abort', onAbort, { once: true });
      }
      void this.#pump();
    });
  }

  /**
   * Sends a file from a path or a stream: Content-Type from its name (mime-types),
   * Content-Disposition with the name, SHA-1 and SHA-256 computed on the way, and the
   * SHA-256 announced on the last chunk (`File-Hash`). The source is read only as fast as
   * the window and the socket take it.
   * @throws {DeliveryError} as {@link send} does; {@link MsrpError} when the file cannot be read.
   */
  async sendFile(source: string | Readable, options: SendFileOptions = {}): Promise<FileDelivery> {
    const file = await openFileSource(source, {
      ...options,
      readSize: Math.max(this.#options.chunkSize, 64 * 1024),
    });
    const tap = new HashTap();
    const delivery = await this.send(tap.tap(file.stream), {
      ...options,
      contentType: file.contentType,
      ...(file.size !== undefined && { size: file.size }),
      contentHeaders: attachmentHeader(file.name),
      lastChunkHeaders: () => [{ name: FILE_HASH_HEADER, value: `sha-256:${tap.digest().sha256}` }],
    });
    return { ...delivery, ...tap.digest() };
  }

  /**
   * Aborts an outgoing message: no more chunks are sent, and if some were, the peer is
   * told with a chunk ending in `#` (RFC 4975 §7.1). Its delivery rejects. Once the last
   * chunk went out nothing is sent: only the wait (for 200s or the success REPORT) ends.
   */
  abort(messageId: string): void {
    const sending = this.#sending.get(messageId);
    if (!sending || sending.message.finished) return;
    this.#abortWith(sending, new MsrpError('MSRP_ERR_ABORTED', `Message ${messageId} aborted`));
  }

  /**
   * Fails a message, telling the peer with `#` when some of it went out (RFC 4975 §7.1).
   * Once its last chunk (`$`) is out there is nothing to abort: a `#` would start past the end.
   */
  #abortWith(sending: Sending, error: MsrpError): void {
    if (sending.written > 0 && !sending.endWritten && !sending.writing && this.#state === 'bound') {
      this.#writeChunk(
        sending,
        { body: Buffer.alloc(0), start: sending.written + 1, last: false },
        '#',
      ).sent.catch(() => undefined);
    }
    this.#fail(sending, error);
  }

  /** Closes the session: outgoing messages fail, incoming ones abort, the iterator ends. */
  close(): Promise<void> {
    this.#close();
    return Promise.resolve();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<IncomingMessage, undefined> {
    for (;;) {
      const next = this.#inbox.shift();
      if (next) {
        this.#queuedBytes -= this.#queued.get(next) ?? 0;
        this.#queued.delete(next);
      }
      if (next) {
        yield next;
        continue;
      }
      if (this.#state === 'closed') return;
      const result = await new Promise<IteratorResult<IncomingMessage>>(
        (resolve) => (this.#reader = resolve),
      );
      if (result.done) return;
      yield result.value;
    }
  }

  // ---- called by the endpoint ---------------------------------------------------------

  /** @internal The connection this session is bound to, if any. */
  get connection(): object | undefined {
    return this.#connection;
  }

  /** @internal Binds the session to a connection on its first SEND (passive side). */
  bindInbound(connection: object, request: RequestHead): void {
    this.remotePath ??= request.fromPath;
    // Without the peer's path, answer the way the request came (its From-Path).
    this.#toPath ??= request.fromPath;
    this.#bind(connection);
  }

  /**
   * Sends a bodiless SEND on the bound connection (RFC 4975 §7.1.1; RFC 7977 §6 does the
   * same): the peer answers 200 and delivers nothing. The endpoint sends one as keepalive
   * after `keepaliveInterval` of silence. Since the peer answers in order, its response also
   * says that everything it sent before (a failure REPORT, say) has been read.
   * @returns Its response; rejects when the session is not bound or the transaction fails.
   */
  keepalive(): Promise<ResponseHead> {
    if (this.#toPath === undefined || this.#connection === undefined)
      return Promise.reject(new MsrpError('MSRP_ERR_SESSION', 'Session is not bound'));
    return this.#link.request(this, this.#bodilessSend(this.#toPath));
  }

  /** @internal The bound connection closed. */
  unbind(error?: Error): void {
    this.#connection = undefined;
    const lost = new MsrpError(
      'MSRP_ERR_CONNECTION',
      `Connection of session ${this.localUri.sessionId} closed`,
      { cause: error },
    );
    for (const reassembly of this.#incoming.values()) reassembly.abort(lost);
    this.#incoming.clear();
    for (const sending of [...this.#sending.values()]) this.#fail(sending, lost);
    if (this.#options.rebind && this.#state === 'bound') {
      this.#state = 'waiting';
      this.remotePath = undefined;
      this.#toPath = undefined;
      this.emit('unbound', error);
    } else {
      this.emit('unbound', error);
      this.#close(error);
    }
  }

  /**
   * @internal Takes an incoming SEND: returns the per-frame receiver, or throws an
   * MsrpError whose status is the response to send.
   */
  receiveSend(request: RequestHead): ChunkReceiver {
    const o = this.#options;
    const messageId = request.messageId;
    // RFC 4975 §7.1: a SEND carries a Message-ID.
    if (messageId === undefined) throw peerError(400, 'SEND without Message-ID');
    const range = request.byteRange ?? { start: 1, end: '*', total: '*' };
    const total = range.total === '*' ? undefined : range.total;
    if (request.contentType && !accepts(o.acceptTypes, request.contentType)) {
      throw peerError(415, `Content type ${mediaTypeOf(request.contentType)} not accepted`);
    }
    if (total !== undefined && total > o.maxSize)
      throw peerError(413, `Message of ${total} bytes exceeds max-size ${o.maxSize}`);
    let reassembly = this.#incoming.get(messageId);
    if (!reassembly) {
      // RFC 4975 §5.4, §7.1.1: a SEND without a body binds the session or keeps it alive;
      // it has no Content-Type and a Byte-Range of 1-0/0 or none at all (msrp-node-lib's).
      // It gets its 200 and is no message.
      if (!request.contentType && describesNoBody(request.byteRange)) return bodiless;
      const finished = this.#finished.get(messageId);
      if (finished === 'complete') return emptySend; // a resent chunk of a delivered message
      if (finished === 'failed') throw peerError(413, `Message ${messageId} was stopped`);
      if (this.#incoming.size >= o.maxIncompleteMessages)
        throw peerError(413, 'Too many messages in progress');
      if (this.#inbox.length >= o.maxQueuedMessages)
        throw peerError(413, 'Receiver is not keeping up');
      reassembly = new Reassembly(
        {
          messageId,
          contentType: request.contentType,
          contentHeaders: request.contentHeaders ?? [],
          size: total,
        },
        {
          inMemoryThreshold: o.inMemoryThreshold,
          maxReorderBytes: o.maxReorderBytes,
          maxSize: o.maxSize,
          holdQueued: (message, bytes) => this.#holdQueued(message, bytes),
          resume: () => this.#link.resume(this),
        },
      );
      this.#incoming.set(messageId, reassembly);
    }
    const r = reassembly;
    r.beginChunk(range.start);
    this.#deliver(r);
    const length = new ChunkLength(request.byteRange);
    return {
      body: (part) => {
        length.body(part.length);
        const room = r.write(Buffer.from(part.buffer, part.byteOffset, part.length));
        // A message of unknown size turns into a stream when it outgrows inMemoryThreshold,
        // maybe inside one long chunk (1-*/*): the reader must have it now, or nobody drains
        // the stream and the connection stays paused for good.
        this.#deliver(r);
        return room;
      },
      check: (flag) => length.end(flag),
      end: (flag) => {
        const hash = request.extensions?.find(
          (h) => h.name.toLowerCase() === FILE_HASH_HEADER.toLowerCase(),
        )?.value;
        r.endChunk(flag, hash);
        this.#deliver(r);
        if (r.done) {
          this.#incoming.delete(messageId);
          this.#finished.add(messageId, r.message.aborted ? 'failed' : 'complete');
          // RFC 4975 §7.1.2: Success-Report yes asks for a REPORT once the message is complete.
          if (request.successReport === 'yes' && !r.message.aborted)
            this.#sendReport(request, r.message.received);
        }
      },
      fail: (error) => {
        r.abort(error);
        this.#incoming.delete(messageId);
        this.#finished.add(messageId, 'failed');
        this.#deliver(r);
      },
    };
  }

  /** @internal Takes an incoming REPORT (RFC 4975 §7.1.2) about one of our messages. */
  receiveReport(request: RequestHead): void {
    const { messageId, status, byteRange } = request;
    if (messageId === undefined || !status) return;
    const sending = this.#sending.get(messageId);
    if (sending) this.#reportFor(sending, status, byteRange);
    else if (!this.#settled.has(messageId)) return;
    this.emit('report', { messageId, status, ...(byteRange && { byteRange }) });
  }

  #reportFor(sending: Sending, status: StatusHeader, range: ByteRange | undefined): void {
    const { code } = status;
    if (code === 200) {
      const whole =
        range === undefined ||
        range.end === '*' ||
        (range.start === 1 && range.end === range.total);
      if (!whole) return;
      sending.report = status;
      sending.reportRange = range;
      if (this.#allConfirmed(sending)) this.#complete(sending);
      return;
    }
    this.#fail(
      sending,
      new MsrpError('MSRP_ERR_REMOTE', `Failure REPORT ${code} ${status.reason ?? ''}`.trim(), {
        status: code,
      }),
    );
  }

  // ---- sending ------------------------------------------------------------------------

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && this.#state === 'bound') {
        await this.#windowRoom();
        if (this.#queue.length === 0 || this.#state !== 'bound') break;
        // Round robin: one chunk per message per turn, so a chat line overtakes a file;
        // a message with more to send goes to the back of the queue.
        const sending = this.#queue.shift()!;
        const { message } = sending;
        let chunk;
        try {
          chunk = await message.next(this.#options.chunkSize);
        } catch (e) {
          this.#fail(sending, e as Error);
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
        const inFlight = { bytes: chunk.body.length };
        this.#inFlightChunks++;
        this.#inFlightBytes += inFlight.bytes;
        message.inFlight++;
        const written =
          chunk.body.length > INTERRUPT_SLICE
            ? this.#writeInterruptible(sending, chunk, inFlight)
            : this.#writeChunk(sending, chunk, chunk.last ? '$' : '+');
        written.response.then(
          (response) => this.#onResponse(sending, inFlight.bytes, response),
          (error: Error) => this.#onResponse(sending, inFlight.bytes, undefined, error),
        );
        try {
          await written.sent;
        } catch (e) {
          this.#fail(sending, e as Error);
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  #writeChunk(
    sending: Sending,
    chunk: { body: Buffer; start: number; last: boolean },
    flag: ContinuationFlag,
  ): { sent: Promise<void>; response: Promise<ResponseHead> } {
    const end = chunk.start + chunk.body.length - 1;
    if (flag !== '#') sending.written = end;
    if (flag === '$') sending.endWritten = true;
    const { transactionId, head } = this.#chunkHead(sending, chunk, end);
    const endLine = encodeEndLine(transactionId, flag, true);
    const frame = chunk.body.length > 0 ? [head, chunk.body, endLine] : [head, endLine];
    return this.#link.send(this, transactionId, frame);
  }

  /**
   * Writes a large chunk in slices and ends it early with `+` when another message of the
   * session is waiting (RFC 4975 §7.1: bodies over 2048 bytes MUST be interruptible; the
   * range-end is then `*`). What was not written goes back to the message.
   */
  #writeInterruptible(
    sending: Sending,
    chunk: { body: Buffer; start: number; last: boolean },
    inFlight: { bytes: number },
  ): { sent: Promise<void>; response: Promise<ResponseHead> } {
    const { body } = chunk;
    const { transactionId, head } = this.#chunkHead(sending, chunk, '*');
    let offset = 0;
    const { message } = sending;
    sending.writing = true;
    const nextPart = (): Buffer | undefined => {
      if (offset >= body.length || message.finished) return undefined;
      if (offset > 0 && this.#othersWaiting(sending)) return undefined;
      const part = body.subarray(offset, offset + INTERRUPT_SLICE);
      offset += part.length;
      return part;
    };
    const endLine = (): Buffer => {
      sending.writing = false;
      sending.written = chunk.start - 1 + offset;
      // Aborted while it was written: the chunk itself ends the message (RFC 4975 §7.1).
      if (message.finished) return encodeEndLine(transactionId, '#', true);
      const interrupted = offset < body.length;
      if (interrupted) {
        message.unread(body.subarray(offset));
        this.#inFlightBytes -= body.length - offset;
        inFlight.bytes = offset;
        if (!this.#queue.includes(sending)) this.#queue.push(sending);
      }
      sending.endWritten = !interrupted && chunk.last;
      return encodeEndLine(transactionId, sending.endWritten ? '$' : '+', true);
    };
    return this.#link.sendParts(this, transactionId, head, nextPart, endLine);
  }

  #othersWaiting(sending: Sending): boolean {
    return this.#queue.some((other) => other !== sending && !other.message.drained);
  }

  /** A fresh transaction id and the serialized head of a SEND chunk. */
  #chunkHead(
    sending: Sending,
    chunk: { body: Buffer; start: number; last: boolean },
    end: number | '*',
  ): { transactionId: string; head: Buffer } {
    const { message, options } = sending;
    let transactionId = newTransactionId();
    // RFC 4975 §7.1: the end-line must not occur in the body; pick another id if it does.
    while (containsEndLine(chunk.body, transactionId)) transactionId = newTransactionId();
    const byteRange: ByteRange = {
      start: chunk.start,
      end,
      total: message.size ?? (chunk.last && end !== '*' ? end : '*'),
    };
    const head: RequestHead = {
      kind: 'request',
      method: 'SEND',
      transactionId,
      toPath: this.#toPath!,
      fromPath: this.#fromPath,
      messageId: message.messageId,
      ...(options.successReport && { successReport: 'yes' as const }),
      byteRange,
      ...(message.contentHeaders.length > 0 && { contentHeaders: message.contentHeaders }),
      contentType: message.contentType,
    };
    if (chunk.last && options.lastChunkHeaders) {
      // The last chunk carries extra headers (the file hash): format it in full.
      return {
        transactionId,
        head: encodeHead({ ...head, extensions: options.lastChunkHeaders() }),
      };
    }
    sending.template ??= new ChunkHeadTemplate(head);
    return { transactionId, head: sending.template.encode(transactionId, byteRange) };
  }

  #onResponse(sending: Sending, bytes: number, response?: ResponseHead, error?: Error): void {
    this.#inFlightChunks--;
    this.#inFlightBytes -= bytes;
    sending.message.inFlight--;
    this.#windowOpened?.();
    if (sending.message.finished) return;
    if (!response || response.statusCode !== 200) {
      const status = response?.statusCode;
      this.#fail(
        sending,
        error ??
          new MsrpError(
            'MSRP_ERR_REMOTE',
            `Peer answered ${status} ${response?.comment ?? ''}`.trim(),
            {
              ...(status !== undefined && { status }),
            },
          ),
      );
      return;
    }
    const { message, options } = sending;
    message.confirmed += bytes;
    if (options.onProgress) {
      const seconds = (Date.now() - sending.started) / 1000;
      options.onProgress({
        bytes: message.confirmed,
        total: message.size,
        rate: seconds > 0 ? message.confirmed / seconds : 0,
      });
    }
    if (!this.#allConfirmed(sending)) return;
    if (!options.successReport || sending.report) this.#complete(sending);
    else this.#awaitReport(sending);
  }

  /** Every chunk is confirmed; the success REPORT gets `reportTimeout` to come. */
  #awaitReport(sending: Sending): void {
    const ms = sending.options.reportTimeout ?? this.#options.reportTimeout;
    sending.reportTimer = setTimeout(() => {
      this.#fail(
        sending,
        new MsrpError('MSRP_ERR_REPORT_TIMEOUT', `No success REPORT within ${ms} ms`, {
          status: 408,
        }),
      );
    }, ms);
  }

  #allConfirmed(sending: Sending): boolean {
    return sending.message.drained && sending.message.inFlight === 0;
  }

  #complete(sending: Sending): void {
    const { message, report, reportRange } = sending;
    message.finished = true;
    clearTimeout(sending.reportTimer);
    this.#sending.delete(message.messageId);
    this.#settled.add(message.messageId, true);
    sending.resolve({
      messageId: message.messageId,
      bytes: message.confirmed,
      ...(report && { report }),
      ...(reportRange && { reportRange }),
    });
  }

  #fail(sending: Sending, error: Error): void {
    const { message } = sending;
    if (message.finished && !this.#sending.has(message.messageId)) return;
    this.#dequeue(sending);
    clearTimeout(sending.reportTimer);
    this.#sending.delete(message.messageId);
    this.#settled.add(message.messageId, true);
    void message.close();
    const status = error instanceof MsrpError ? error.status : undefined;
    sending.reject(
      new DeliveryError(message.messageId, message.confirmed, error.message, {
        ...(status !== undefined && { status }),
        code: error instanceof MsrpError ? error.code : 'MSRP_ERR_CONNECTION',
        cause: error,
      }),
    );
  }

  #dequeue(sending: Sending): void {
    const i = this.#queue.indexOf(sending);
    if (i >= 0) this.#queue.splice(i, 1);
  }

  #windowRoom(): Promise<void> | undefined {
    const o = this.#options;
    if (this.#inFlightChunks < o.maxInFlightChunks && this.#inFlightBytes < o.maxInFlightBytes)
      return undefined;
    return new Promise<void>((resolve) => {
      this.#windowOpened = () => {
        if (
          this.#inFlightChunks < o.maxInFlightChunks &&
          this.#inFlightBytes < o.maxInFlightBytes
        ) {
          this.#windowOpened = undefined;
          resolve();
        }
      };
    });
  }

  // ---- receiving ----------------------------------------------------------------------

  #deliver(reassembly: Reassembly): void {
    const message = reassembly.takeDelivery();
    if (!message) return;
    if (this.#reader) {
      const reader = this.#reader;
      this.#reader = undefined;
      reader({ value: message, done: false });
    } else {
      this.#inbox.push(message);
      this.#queued.set(message, 0);
    }
  }

  /**
   * Bytes for the stream of a message that still waits in #inbox: nobody can read them yet,
   * and the reader may be busy with an earlier message whose bytes come later on the same
   * connection, so pausing would stall both for good. They are held, within a bound.
   * @returns false when the message was taken by the reader (its stream may pause).
   * @throws {MsrpError} 413 past `maxQueuedStreamBytes`.
   */
  #holdQueued(message: IncomingMessage, bytes: number): boolean {
    const held = this.#queued.get(message);
    if (held === undefined) return false;
    if (this.#queuedBytes + bytes > this.#options.maxQueuedStreamBytes) {
      throw peerError(413, 'Receiver is not keeping up');
    }
    this.#queued.set(message, held + bytes);
    this.#queuedBytes += bytes;
    return true;
  }

  #sendReport(request: RequestHead, bytes: number): void {
    const head: RequestHead = {
      kind: 'request',
      method: 'REPORT',
      transactionId: newTransactionId(),
      toPath: [...request.fromPath],
      fromPath: this.#fromPath,
      messageId: request.messageId!,
      byteRange: { start: 1, end: bytes, total: bytes },
      status: { namespace: '000', code: 200, reason: 'OK' },
    };
    // RFC 4975 §7.1.2: REPORTs get no response, so nothing awaits one.
    this.#link.send(this, head.transactionId, encodeFrame(head), false).sent.catch(() => undefined);
  }

  /** A SEND without body or Content-Type: binds a session, or keeps its connection alive. */
  #bodilessSend(toPath: readonly MsrpUri[]): RequestHead {
    return {
      kind: 'request',
      method: 'SEND',
      transactionId: newTransactionId(),
      toPath,
      fromPath: this.#fromPath,
      messageId: newMessageId(),
      byteRange: { start: 1, end: 0, total: 0 },
    };
  }

  // ---- state ----------------------------------------------------------------------------

  #bind(connection: object): void {
    this.#connection = connection;
    this.#state = 'bound';
    this.emit('bound');
  }

  #expectState(state: SessionState, action: string): void {
    if (this.#state !== state)
      throw new MsrpError('MSRP_ERR_SESSION', `Cannot ${action}: session is ${this.#state}`);
  }

  #close(error?: Error): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    const closed = new MsrpError('MSRP_ERR_SESSION', 'Session closed', { cause: error });
    for (const reassembly of this.#incoming.values()) reassembly.abort(closed);
    this.#incoming.clear();
    for (const sending of [...this.#sending.values()]) this.#fail(sending, closed);
    this.#link.closed(this);
    this.#reader?.({ value: undefined, done: true });
    this.#reader = undefined;
    this.emit('close');
  }

  /** A readable name for logs: the session URI. */
  override toString(): string {
    return formatUri(this.localUri);
  }
}

function peerError(status: number, message: string): MsrpError {
  return new MsrpError(status === 413 ? 'MSRP_ERR_LIMIT' : 'MSRP_ERR_BAD_HEADER', message, {
    status,
  });
}

/** Whether `type` matches one of the accept-types, with `*` and `type/*` wildcards. */
export function accepts(acceptTypes: readonly string[], type: ContentType): boolean {
  const media = mediaTypeOf(type);
  const top = media.slice(0, media.indexOf('/'));
  return acceptTypes.some((a) => {
    const accepted = a.toLowerCase();
    return accepted === '*' || accepted === media || accepted === `${top}/*`;
  });
}
