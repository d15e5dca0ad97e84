// A tiny hand-written MSRP peer for integration tests: it writes frames built with the
// library's encoder on a plain `node:net` socket and records what comes back, parsed with the
// library's Parser, so that tests can play a misbehaving or minimal peer byte by byte.
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import {
  Parser,
  encodeFrame,
  newMessageId,
  newSessionId,
  newTransactionId,
  parseContentType,
  type ByteRange,
  type ContinuationFlag,
  type FrameSink,
  type MsrpError,
  type Head,
  type MsrpUri,
  type RequestHead,
  type ResponseHead,
  type StatusHeader,
} from '../../src/index.js';

/** One frame the raw peer received. */
export interface RawFrame {
  readonly head: Head;
  /** The whole body (empty for bodiless frames). */
  readonly body: Buffer;
  readonly flag: ContinuationFlag;
}

/** A request frame. */
export interface RawRequest extends RawFrame {
  readonly head: RequestHead;
}

/** A response frame. */
export interface RawResponse extends RawFrame {
  readonly head: ResponseHead;
}

/** What {@link RawPeer.sendRequest} puts in a request; everything but `toPath` has a default. */
export interface RawRequestInit {
  method?: string;
  transactionId?: string;
  toPath: readonly MsrpUri[];
  /** Default: the peer's own URI ({@link RawPeer.uri}). */
  fromPath?: readonly MsrpUri[];
  /** Default: a fresh one for SEND; `null` leaves the header out. */
  messageId?: string | null;
  byteRange?: ByteRange;
  /** Default `text/plain` when there is a body; `null` leaves it out. */
  contentType?: string | null;
  successReport?: 'yes' | 'no';
  failureReport?: 'yes' | 'no' | 'partial';
  /** Status header (REPORTs). */
  status?: StatusHeader;
  extensions?: RequestHead['extensions'];
  body?: string | Uint8Array;
  flag?: ContinuationFlag;
}

/** Options of a {@link RawPeer}. */
export interface RawPeerOptions {
  /** Answer every incoming SEND with 200 (honouring Failure-Report). Default false. */
  autoRespond?: boolean;
  /** Called for every frame as it is completed, before waiters are served. */
  onFrame?: (frame: RawFrame, peer: RawPeer) => void;
}

const DEFAULT_WAIT = 5000;

interface Waiter {
  readonly match: (frame: RawFrame) => boolean;
  readonly resolve: (frame: RawFrame) => void;
  readonly reject: (error: Error) => void;
}

/** A raw MSRP peer on one socket. */
export class RawPeer {
  readonly socket: Socket;
  /** Every frame received, in order. */
  readonly frames: RawFrame[] = [];
  /** Resolves when the socket has closed (either side). */
  readonly closed: Promise<void>;
  /** Session-id of the peer's own URI. */
  readonly sessionId = newSessionId();
  /** Set when the library sent bytes our parser could not read. */
  parseError: MsrpError | undefined;
  autoRespond: boolean;
  isClosed = false;

  readonly #parser: Parser;
  readonly #onFrame: RawPeerOptions['onFrame'];
  readonly #taken = new Set<RawFrame>();
  readonly #waiters = new Set<Waiter>();
  #head: Head | undefined;
  #body: Buffer[] = [];

  constructor(socket: Socket, options: RawPeerOptions = {}) {
    this.socket = socket;
    this.autoRespond = options.autoRespond ?? false;
    this.#onFrame = options.onFrame;
    const sink: FrameSink = {
      head: (head) => {
        this.#head = head;
        this.#body = [];
      },
      body: (part) => {
        this.#body.push(Buffer.from(part));
      },
      end: (flag) => this.#frameEnded(flag),
    };
    this.#parser = new Parser(sink);
    socket.setNoDelay(true);
    socket.on('data', (bytes: Buffer) => {
      if (this.parseError) return;
      try {
        this.#parser.push(bytes);
      } catch (e) {
        this.parseError = e as MsrpError;
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        for (const w of this.#waiters) w.reject(new Error('raw peer: socket closed while waiting'));
        this.#waiters.clear();
        resolve();
      }),
    );
  }

  /** Connects to an MSRP listener. */
  static async connect(port: number, options: RawPeerOptions = {}): Promise<RawPeer> {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    return new RawPeer(socket, options);
  }

  /** The peer's own URI, with its local address. */
  get uri(): MsrpUri {
    return {
      scheme: 'msrp',
      host: '127.0.0.1',
      port: this.socket.localPort ?? 1,
      sessionId: this.sessionId,
      transport: 'tcp',
      params: [],
    };
  }

  #frameEnded(flag: ContinuationFlag): void {
    const frame: RawFrame = { head: this.#head!, body: Buffer.concat(this.#body), flag };
    this.#head = undefined;
    this.#body = [];
    this.frames.push(frame);
    this.#onFrame?.(frame, this);
    if (this.autoRespond && isRequest(frame) && frame.head.method === 'SEND') this.respond(frame);
    for (const w of this.#waiters) {
      if (!this.#taken.has(frame) && w.match(frame)) {
        this.#taken.add(frame);
        this.#waiters.delete(w);
        w.resolve(frame);
      }
    }
  }

  // ---- writing ------------------------------------------------------------------------

  /** Writes raw bytes. */
  write(bytes: string | Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Writes one frame built with the library's encoder. */
  writeFrame(head: Head, body?: Uint8Array, flag: ContinuationFlag = '$'): void {
    this.socket.cork();
    for (const bytes of encodeFrame(head, body, flag)) this.socket.write(bytes);
    this.socket.uncork();
  }

  /** Builds a request head with defaults (see {@link RawRequestInit}). */
  requestHead(init: RawRequestInit): RequestHead {
    const method = init.method ?? 'SEND';
    const body = init.body === undefined ? undefined : toBuffer(init.body);
    const contentTypeText =
      init.contentType === null
        ? undefined
        : (init.contentType ?? (body !== undefined ? 'text/plain' : undefined));
    const contentType =
      contentTypeText === undefined ? undefined : parseContentType(contentTypeText);
    if (contentTypeText !== undefined && !contentType)
      throw new Error(`bad type ${contentTypeText}`);
    const messageId =
      init.messageId === null
        ? undefined
        : (init.messageId ?? (method === 'SEND' ? newMessageId() : undefined));
    const byteRange =
      init.byteRange ??
      (method === 'SEND' && body ? { start: 1, end: body.length, total: body.length } : undefined);
    return {
      kind: 'request',
      method,
      transactionId: init.transactionId ?? newTransactionId(),
      toPath: init.toPath,
      fromPath: init.fromPath ?? [this.uri],
      ...(messageId !== undefined && { messageId }),
      ...(init.successReport && { successReport: init.successReport }),
      ...(init.failureReport && { failureReport: init.failureReport }),
      ...(byteRange && { byteRange }),
      ...(init.status && { status: init.status }),
      ...(init.extensions && { extensions: init.extensions }),
      ...(contentType && { contentType }),
    };
  }

  /** Sends a request (a SEND by default); returns its head. */
  sendRequest(init: RawRequestInit): RequestHead {
    const head = this.requestHead(init);
    const body = init.body === undefined ? undefined : toBuffer(init.body);
    this.writeFrame(
      head,
      head.contentType ? (body ?? Buffer.alloc(0)) : undefined,
      init.flag ?? '$',
    );
    return head;
  }

  /** Sends a request and waits for its response. */
  async transact(init: RawRequestInit, timeout = DEFAULT_WAIT): Promise<RawResponse> {
    const head = this.sendRequest(init);
    return this.response(head.transactionId, timeout);
  }

  /** Answers a request received from the library (RFC 4975 §7.2 addressing). */
  respond(request: RawRequest, status = 200, comment?: string): void {
    const fr = request.head.failureReport ?? 'yes';
    if (fr === 'no' || (fr === 'partial' && status === 200)) return;
    const head: ResponseHead = {
      kind: 'response',
      transactionId: request.head.transactionId,
      statusCode: status,
      ...(comment !== undefined && { comment }),
      toPath: [request.head.fromPath[0]!],
      fromPath: [request.head.toPath[0]!],
    };
    this.writeFrame(head);
  }

  // ---- reading ------------------------------------------------------------------------

  /** The requests received so far. */
  get requests(): RawRequest[] {
    return this.frames.filter(isRequest);
  }

  /** The responses received so far. */
  get responses(): RawResponse[] {
    return this.frames.filter(isResponse);
  }

  /**
   * The first frame, not yet handed out by a wait, that matches; waits for it to arrive.
   * Rejects after `timeout` ms or when the socket closes first.
   */
  waitFor(
    match: (frame: RawFrame) => boolean,
    timeout = DEFAULT_WAIT,
    what = 'frame',
  ): Promise<RawFrame> {
    const found = this.frames.find((f) => !this.#taken.has(f) && match(f));
    if (found) {
      this.#taken.add(found);
      return Promise.resolve(found);
    }
    if (this.isClosed) return Promise.reject(new Error(`raw peer: socket closed, no ${what}`));
    return new Promise<RawFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`raw peer: no ${what} within ${timeout} ms`));
      }, timeout);
      const waiter: Waiter = {
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** Waits for the response to `transactionId` (or the next response when omitted). */
  async response(transactionId?: string, timeout = DEFAULT_WAIT): Promise<RawResponse> {
    const frame = await this.waitFor(
      (f) =>
        isResponse(f) && (transactionId === undefined || f.head.transactionId === transactionId),
      timeout,
      transactionId ? `response to ${transactionId}` : 'response',
    );
    return frame as RawResponse;
  }

  /** Waits for the next request (of `method`, when given). */
  async request(method?: string, timeout = DEFAULT_WAIT): Promise<RawRequest> {
    const frame = await this.waitFor(
      (f) => isRequest(f) && (method === undefined || f.head.method === method),
      timeout,
      method ? `${method} request` : 'request',
    );
    return frame as RawRequest;
  }

  /** Half-closes the socket (FIN). */
  end(): void {
    this.socket.end();
  }

  /** Closes at once. */
  destroy(): void {
    this.socket.destroy();
  }
}

/** A raw TCP listener that wraps every accepted socket in a {@link RawPeer}. */
export class RawServer {
  readonly server: Server;
  /** Every peer accepted, in order: `peers.length` counts the connections. */
  readonly peers: RawPeer[] = [];
  readonly #waiting: Array<(peer: RawPeer) => void> = [];

  private constructor(server: Server, options: RawPeerOptions) {
    this.server = server;
    server.on('connection', (socket: Socket) => {
      const peer = new RawPeer(socket, options);
      this.peers.push(peer);
      this.#waiting.splice(0).forEach((w) => w(peer));
    });
  }

  /** Listens on 127.0.0.1 with a free port. */
  static async listen(options: RawPeerOptions = {}): Promise<RawServer> {
    const server = createServer();
    const raw = new RawServer(server, options);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return raw;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    return address.port;
  }

  /** A URI on this listener with a fresh (or the given) session-id. */
  uri(sessionId = newSessionId()): MsrpUri {
    return {
      scheme: 'msrp',
      host: '127.0.0.1',
      port: this.port,
      sessionId,
      transport: 'tcp',
      params: [],
    };
  }

  /** The first accepted peer, waiting for it if needed. */
  async peer(index = 0): Promise<RawPeer> {
    while (this.peers.length <= index) {
      await new Promise<RawPeer>((resolve) => this.#waiting.push(resolve));
    }
    return this.peers[index]!;
  }

  /** Destroys every accepted socket and closes the listener. */
  async close(): Promise<void> {
    for (const peer of this.peers) peer.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function isRequest(frame: RawFrame): frame is RawRequest {
  return frame.head.kind === 'request';
}

export function isResponse(frame: RawFrame): frame is RawResponse {
  return frame.head.kind === 'response';
}

function toBuffer(body: string | Uint8Array): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
}
