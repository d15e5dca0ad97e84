import { throwLater } from '../events/throw-later.js';
import { TypedEmitter } from '../events/typed-emitter.js';
import { MsrpError } from '../errors.js';
import type { RequestHead, ResponseHead } from '../wire/head.js';
import { formatUri, type MsrpUri } from '../wire/uri.js';
import { uriPathError } from './uri-path.js';
import { bindingSend, bodilessSend } from './bodiless-send.js';
import type { ChunkReceiver } from './chunk-receiver.js';
import type { Delivery } from './delivery.js';
import type { ByteSource } from './byte-source.js';
import { Inbound } from './inbound.js';
import { Inbox } from './inbox.js';
import { Outbox } from './outbox.js';
import type { IncomingMessage } from './incoming-message.js';
import { answerNickname, requestNickname } from './nickname.js';
import { PeerPath } from './peer-path.js';
import type { NicknameHandler, NicknameResponse } from './nickname.js';
import type {
  ConnectOptions,
  FileDelivery,
  SendFileOptions,
  SendOptions,
  SessionEvents,
  SessionOptions,
  SessionState,
} from './options.js';
import { resolveSessionOptions } from './option-defaults.js';
import type { ManyDelivery, ManyMessage, SendManyOptions } from './send-many.js';
import { SessionStateMachine } from './session-state.js';
import { sessionHost, type SessionLink, type SessionPort } from './session-link.js';
import type { SessionRuntime } from './session-runtime.js';

/**
 * An MSRP session (RFC 4975): the user's handle to send messages and files and to receive
 * them. Create one with `Endpoint.createSession()`, then `connect()` (active side) or
 * `accept()` (passive side). Incoming messages are read with `for await (const m of session)`,
 * by one loop at a time. `await using` closes it. A listener that throws closes this session
 * only, never a connection shared with others ({@link SessionEvents}).
 *
 * @example
 * ```ts
 * await using session = endpoint.createSession();
 * await session.connect([peerUri]);
 * await session.send('Hello');
 * for await (const message of session) console.log(message.text());
 * ```
 */
export class Session
  extends TypedEmitter<SessionEvents>
  implements AsyncIterable<IncomingMessage>, AsyncDisposable
{
  /** Our own URI; its session-id carries 96 random bits (RFC 4975 §14.1 asks for 80). */
  readonly localUri: MsrpUri;
  readonly #link: SessionLink;
  readonly #localPath: readonly MsrpUri[];
  /** From-Path of our requests: only our URI; relays add theirs (RFC 4976 §7.1). */
  readonly #fromPath: readonly MsrpUri[];
  /** The peer's path and the To-Path of our requests. */
  readonly #peer: PeerPath;
  /** The `rebind` option; cleared by connect(): only a passive session is dialed again. */
  #rebind: boolean;
  readonly #state = new SessionStateMachine();
  /** Made by connect(), aborted by close() with its error: ends what connect() awaits. */
  #closing: AbortController | undefined;
  #port: SessionPort | undefined;
  readonly #outbox: Outbox;
  readonly #inbound: Inbound;
  readonly #inbox: Inbox;
  readonly #onNickname: NicknameHandler | undefined;

  /** Not for applications: sessions are made by `Endpoint.createSession()`. */
  constructor(
    localUri: MsrpUri,
    link: SessionLink,
    options: SessionOptions = {},
    usePath: readonly MsrpUri[] = [],
    runtime: SessionRuntime,
  ) {
    super();
    this.localUri = Object.isFrozen(localUri) ? localUri : Object.freeze({ ...localUri });
    this.#peer = new PeerPath(usePath);
    // RFC 4976 §5.1: peers reach us through our relays, the one nearest to us last.
    this.#localPath = Object.freeze([...usePath].reverse().concat(this.localUri));
    this.#fromPath = Object.freeze([this.localUri]);
    this.#link = link;
    const resolved = resolveSessionOptions(options);
    this.#rebind = resolved.rebind;
    const createHasher = options.createHasher ?? runtime.fileHasher ?? runtime.createHasher;
    this.#onNickname = options.onNickname;
    // The scheduler and the inbound side read these live.
    const state = (): SessionState => this.#state.current;
    const host = sessionHost(
      state,
      () => this.#port,
      () => this.#peer.toPath,
      this.#fromPath,
    );
    const files = { runtime, createHasher, chunkSize: resolved.chunkSize };
    this.#outbox = new Outbox(state, host, resolved.scheduler, files);
    this.#inbox = new Inbox(resolved.maxQueuedStreamBytes);
    // saveTo hashes with the session's hasher.
    const inboundRuntime = { ...runtime, createHasher };
    this.#inbound = new Inbound(host, resolved.inbound, this.#inbox, inboundRuntime, (refused) =>
      this.#tell('refused', refused),
    );
  }

  /** Current state. */
  get state(): SessionState {
    return this.#state.current;
  }

  /**
   * Our path as the peer must address us (what SDP a=path carries): the URIs of our relays,
   * the one we are connected to last, then {@link localUri}.
   */
  get localPath(): readonly MsrpUri[] {
    return this.#localPath;
  }

  /**
   * Where we send to: relays (if any) then the peer's URI. Set by connect() or accept(), else
   * by the first SEND (its From-Path).
   */
  get remotePath(): readonly MsrpUri[] | undefined {
    return this.#peer.remote;
  }

  /**
   * Active side (RFC 4975 §5.4): opens (or reuses) a connection to the first hop of
   * `remotePath` and binds it with a bodiless SEND, which the peer must answer with 200.
   * @throws {MsrpError} when the connection fails or the peer refuses (status of its answer);
   * `MSRP_ERR_ABORTED` when `options.signal` aborts first, `MSRP_ERR_SESSION` when the session
   * is closed first. Either way the session closes.
   */
  async connect(remotePath: readonly MsrpUri[], options: ConnectOptions = {}): Promise<void> {
    if (this.#state.current !== 'new') this.#state.refuse('connect');
    const invalid = uriPathError(remotePath, 'connect: remotePath');
    if (invalid) throw invalid;
    const { signal } = options;
    this.#peer.set(remotePath);
    const toPath = this.#peer.toPath!;
    this.#state.transition('connecting', 'connect');
    this.#rebind = false;
    // A close() meanwhile (its 'bound' handler's included) fails connect() at once, without
    // waiting for a dial (connectTimeout) or the peer's 200.
    const closing = (this.#closing = new AbortController()).signal;
    const until = signal ? AbortSignal.any([signal, closing]) : closing;
    try {
      const port = await this.#link.connect(this, toPath[0]!, until);
      closing.throwIfAborted();
      this.#bind(port);
      closing.throwIfAborted();
      await bindingSend(port, toPath, this.#fromPath, until);
      closing.throwIfAborted();
    } catch (e) {
      const closed = closing.aborted && !signal?.aborted;
      this.#close(e as Error);
      throw closed ? (closing.reason as Error) : e;
    }
  }

  /**
   * Passive side (RFC 4975 §5.4): waits for the peer's first SEND, which binds the session
   * to the connection it arrives on. `remotePath`, when known (from SDP), is where replies
   * go, on every connection; otherwise the request's From-Path is used, with `rebind` the
   * latest sender's: through a relay, every sender reaches us over one connection ('bound'
   * comes for each). It sends only once bound: await 'bound', as through a relay the peer's
   * `connect()` ends on the relay's own 200 (RFC 4976 §7.2), maybe before its SEND reached us.
   */
  accept(remotePath?: readonly MsrpUri[]): void {
    if (this.#state.current !== 'new') this.#state.refuse('accept');
    const invalid = remotePath && uriPathError(remotePath, 'accept: remotePath');
    if (invalid) throw invalid;
    if (remotePath) this.#peer.set(remotePath);
    else if (this.#rebind) this.#peer.followSenders();
    this.#state.transition('waiting', 'accept');
  }

  /**
   * Sends a message, cut into chunks; resolves when every chunk is confirmed (and the
   * success REPORT arrived, when asked for). `content` is text (UTF-8), bytes, a Blob (its
   * `type` is the default Content-Type, its `size` the total), a web `ReadableStream`, a
   * Node `Readable` or any `AsyncIterable<Uint8Array>`; streams are read only as fast as the
   * window and the socket take them.
   * @throws {DeliveryError} with the peer's status (413, 415, 481...) or 408 on timeout, and
   * the number of bytes the peer confirmed; code `MSRP_ERR_UNSUPPORTED_TYPE` for a 415,
   * `MSRP_ERR_REPORT_TIMEOUT` (408) when the success REPORT did not come within
   * `reportTimeout` of the last 200, `MSRP_ERR_FILE` when a stream `content` fails.
   */
  send(content: ByteSource, options: SendOptions = {}): Promise<Delivery> {
    return this.#outbox.send(content, options);
  }

  /**
   * Sends many small messages (chat lines, telemetry) for the cost of few: each is its own
   * MSRP message confirmed by its own 200, but the run has one promise, which resolves once
   * all are. `messages` (an array, a generator, an async iterable) is read only while fewer
   * than `options.maxPending` messages wait for their 200. No success REPORT is asked for.
   * @example
   * ```ts
   * const { messages } = await session.sendMany(lines, { onDelivered: (i) => tick(i) });
   * ```
   * @throws the first failure, once the messages under way settled (no further message is
   * taken; `onDelivered` named each confirmed one): {@link DeliveryError} as {@link send}
   * has it; MsrpError 413 over the peer's max-size, `MSRP_ERR_ABORTED` (`options.signal`),
   * `MSRP_ERR_FILE` (the source threw), `MSRP_ERR_SESSION` (not bound).
   */
  sendMany(
    messages: Iterable<ManyMessage> | AsyncIterable<ManyMessage>,
    options: SendManyOptions = {},
  ): Promise<ManyDelivery> {
    return this.#outbox.sendMany(messages, options);
  }

  /**
   * Sends a file: Content-Disposition with its name, its hash (SHA-256 unless `options.hash`
   * says `sha-1`) computed on the way and announced on the last chunk (`File-Hash`).
   * `options.offset` and `options.range` send only the part the peer lacks (resume, RFC 5547
   * §6), still hashing the whole file. `source` is a path (Node: size from the file system,
   * Content-Type from the name), a Blob or `File` (name, `type`, `size` from it), bytes, a web
   * `ReadableStream`, a Node `Readable` or any `AsyncIterable<Uint8Array>`, read only as fast
   * as the window and the socket take it. `options.signal` aborts it, opening included.
   * @throws {MsrpError} `MSRP_ERR_FILE` when the path is missing or no regular file;
   * `MSRP_ERR_INVALID_ARGUMENT` for a path on a runtime without a file system, a range outside
   * the file, or an `options.size` other than the size a path, bytes or a Blob tell;
   * {@link DeliveryError} as {@link send} does, of code `MSRP_ERR_FILE` (the fs error as
   * `cause`) when opening or reading the file fails once the transfer began.
   */
  async sendFile(
    source: string | Exclude<ByteSource, string>,
    options: SendFileOptions = {},
  ): Promise<FileDelivery> {
    return this.#outbox.sendFile(source, options);
  }

  /**
   * Asks the chat room's focus at the other end for `nickname` (RFC 7701 §7.1), again to
   * change it; resolves on 200.
   * @throws {NicknameError} with its status (424, 425, 403, 501); MsrpError
   * `MSRP_ERR_SESSION` unbound, `MSRP_ERR_INVALID_ARGUMENT`, `MSRP_ERR_TIMEOUT` (408).
   */
  setNickname(nickname: string): Promise<void> {
    const port = this.#state.current === 'bound' ? this.#port : undefined;
    return requestNickname(port, this.#peer.toPath, this.#fromPath, nickname);
  }

  /**
   * Aborts an outgoing message: no more chunks are sent, and if some were, the peer is
   * told with a chunk ending in `#` (RFC 4975 §7.1). Its delivery rejects. Once the last
   * chunk went out nothing is sent: only the wait (for 200s or the success REPORT) ends.
   */
  abort(messageId: string): void {
    this.#outbox.abort(messageId);
  }

  /** Closes the session: outgoing messages fail, incoming ones abort, the iterator ends. */
  close(): Promise<void> {
    this.#close();
    return Promise.resolve();
  }

  /** Closes the session, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The incoming messages, until the session closes. A `for await` that ends or breaks lets
   * the next loop read; an iterator used by hand holds it from its first `next()` until its
   * `return()` (or the end).
   * @throws {MsrpError} `MSRP_ERR_SESSION` when another loop is reading the session.
   */
  [Symbol.asyncIterator](): AsyncGenerator<IncomingMessage, undefined> {
    return this.#inbox.read();
  }

  /**
   * The incoming messages in batches, until the session closes: each array holds, in order,
   * the messages that arrived since the last batch (those of one socket read, say), so the
   * loop waits once per batch, not per message. A streamed message ends its batch.
   * @example
   * ```ts
   * for await (const batch of session.batches()) for (const m of batch) show(m.text());
   * ```
   * @throws {MsrpError} `MSRP_ERR_SESSION` when another loop is reading the session.
   */
  batches(): AsyncGenerator<IncomingMessage[], undefined> {
    return this.#inbox.readBatches();
  }

  // ---- called by the endpoint ---------------------------------------------------------

  /** @internal The port of the connection this session is bound to, if any. */
  get connection(): SessionPort | undefined {
    return this.#port;
  }

  /** @internal Binds the session to a connection on its first SEND (passive side). */
  bindInbound(port: SessionPort, request: RequestHead): void {
    // Without the peer's path, answer the way the request came (its From-Path).
    this.#peer.bound(request);
    this.#bind(port);
  }

  /**
   * Sends a bodiless SEND on the bound connection (RFC 4975 §7.1.1; RFC 7977 §6 does the
   * same): the peer answers 200 and delivers nothing. The endpoint sends one as keepalive
   * after `keepaliveInterval` of silence. Since the peer answers in order, its response also
   * says that everything it sent before (a failure REPORT, say) has been read.
   * @returns Its response; rejects when the session is not bound or the transaction fails.
   */
  keepalive(): Promise<ResponseHead> {
    // A closed session keeps its port: its SEND would reach the peer, which answers 481.
    const toPath = this.#peer.toPath;
    if (this.#state.current !== 'bound' || toPath === undefined || this.#port === undefined)
      return Promise.reject(new MsrpError('MSRP_ERR_SESSION', 'Session is not bound'));
    return this.#port.request(bodilessSend(toPath, this.#fromPath));
  }

  /** @internal The bound connection closed. */
  unbind(error?: Error): void {
    this.#port = undefined;
    this.#peer.unbound();
    const lost = new MsrpError(
      'MSRP_ERR_CONNECTION',
      `Connection of session ${this.localUri.sessionId} closed`,
      { cause: error },
    );
    this.#inbound.abortAll(lost);
    this.#outbox.failAll(lost);
    // RFC 4975 §5.4: the connection failed, so has the session, unless passive with rebind.
    if (this.#rebind && this.#state.current === 'bound') {
      this.#state.transition('waiting', 'rebind');
      this.#peer.forget();
      this.#tell('unbound', error);
    } else {
      // A connect() awaiting the binding SEND's 200 fails as the connection did, not as a close.
      this.#closing?.abort(lost);
      this.#tell('unbound', error);
      this.#close(error);
    }
  }

  /** @internal Whether `request` is the peer's (RFC 4975 §7.3; see `PeerPath.isPeer`). */
  fromPeer(request: RequestHead, sessionIdOnly: boolean): boolean {
    return this.#peer.isPeer(request, sessionIdOnly);
  }

  /**
   * @internal Takes an incoming SEND: returns the per-frame receiver, or throws an
   * MsrpError whose status is the response to send.
   */
  receiveSend(request: RequestHead): ChunkReceiver {
    if (this.#peer.follow(request.fromPath)) this.#tell('bound');
    // Closed by that 'bound' listener: RFC 4975 §7.3, no such session any more.
    if (this.#state.current === 'closed')
      throw new MsrpError('MSRP_ERR_SESSION', 'Session closed', { status: 481 });
    return this.#inbound.receiveSend(request);
  }

  /** @internal Takes an incoming REPORT (RFC 4975 §7.1.2) about one of our messages. */
  receiveReport(request: RequestHead): void {
    const { messageId, status, byteRange } = request;
    if (messageId === undefined || !status) return;
    if (!this.#outbox.report(messageId, status, byteRange)) return;
    // No event object per REPORT when none listens (a REPORT per message of a chat).
    if (this.listenerCount('report') === 0) return;
    this.#tell('report', { messageId, status, ...(byteRange && { byteRange }) });
  }

  /** @internal The answer to an incoming NICKNAME (RFC 7701 §7.1): `onNickname`'s, or 501. */
  receiveNickname(request: RequestHead): Promise<NicknameResponse> {
    return answerNickname(this.#onNickname, request);
  }

  // ---- state ----------------------------------------------------------------------------

  #bind(port: SessionPort): void {
    // RFC 4975 §5.4: a session is bound to one connection, by the first SEND on it.
    this.#state.transition('bound', 'bind');
    this.#port = port;
    this.#tell('bound');
  }

  #close(error?: Error): void {
    if (this.#state.current === 'closed') return;
    this.#state.transition('closed', 'close');
    const closed = new MsrpError('MSRP_ERR_SESSION', 'Session closed', { cause: error });
    this.#closing?.abort(closed);
    this.#inbound.abortAll(closed, true);
    this.#outbox.failAll(closed);
    this.#link.closed(this);
    this.#inbox.end();
    this.#tell('close', error);
  }

  /**
   * Emits from inside the read or close of a connection other sessions share (RFC 4975
   * §5.4): what a listener throws closes this session with it as the reason, not the
   * connection. Once closed (a `close` listener threw), nothing is left to close.
   */
  #tell<K extends keyof SessionEvents>(event: K, ...args: SessionEvents[K]): void {
    try {
      this.emit(event, ...args);
    } catch (e) {
      if (this.#state.current === 'closed') throwLater(e);
      // As when a listener calls close(): the router checks the state once it returns.
      else this.#close(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** A readable name for logs: the session URI. */
  override toString(): string {
    return formatUri(this.localUri);
  }
}
