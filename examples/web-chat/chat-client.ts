// The web chat's MSRP side, without the DOM: sign in to the relay over a WebSocket (RFC 4976
// AUTH, RFC 7977), meet a peer through the demo's rendezvous (rendezvous.ts), chat and send
// files; when the connection to the relay is lost, sign in again with backoff and meet again.
// Chat lines go through msrp-core's Chat: CPIM with delivery and display notifications
// (RFC 5438, the ✓ and ✓✓) and the is-composing indication (RFC 3994).
import {
  Chat,
  Endpoint,
  formatUri,
  newSessionId,
  parseUri,
  TypedEmitter,
  type FileDelivery,
  type ChatMessage,
  type IncomingMessage,
  type MsrpUri,
  type Progress,
  type Session,
} from '@msrp-ts/msrp-core/browser';
import { isFile, receiveFile, type ReceivedFile } from './received-file.js';
import { joinRoom, leaveRoom, type JoinResult } from './api.js';

/** Where the client is. */
export type ChatState =
  'signing-in' | 'waiting' | 'connecting' | 'chatting' | 'reconnecting' | 'signed-out';

/** What the page needs to sign in. */
export interface ChatClientOptions {
  /** The relay's WebSocket URI, e.g. `msrp://127.0.0.1:8080;ws`. */
  readonly relay: MsrpUri;
  readonly username: string;
  readonly password: string;
  /** The rendezvous room to meet a peer in. */
  readonly room: string;
  /** Where the rendezvous is: the demo server's origin (the page's, `location.origin`). */
  readonly rendezvous: string;
}

/** Events the page shows. */
export interface ChatClientEvents {
  /** A new state, with a line for the user. */
  state: [state: ChatState, detail: string];
  /**
   * A chat line: ours (`mine`, shown as sent, before its `tick`s) or the peer's (call
   * `markDisplayed(id)` once the user has seen it). `id` names the line.
   */
  line: [who: string, text: string, mine: boolean, id: string];
  /** What the peer said about our line `id`: it got it (✓), displayed it (✓✓), or failed. */
  tick: [id: string, status: LineStatus];
  /** The peer is typing (RFC 3994 `active`). */
  composing: [who: string];
  /** The peer stopped typing: it went idle, or sent its line. */
  idle: [];
  /** A file starts arriving; `receiving` follows with its bytes so far. */
  fileStart: [who: string, name: string, size: number | undefined];
  receiving: [bytes: number, size: number | undefined];
  /** A file arrived whole, its announced hash checked (a mismatch is a `problem`). */
  file: [who: string, file: ReceivedFile];
  /** Progress of the file we send (bytes confirmed by the relay). */
  sending: [progress: Progress];
  /** Something went wrong that the user should see; the client goes on. */
  problem: [message: string];
}

/** What the peer said about one of our lines. */
export type LineStatus = 'delivered' | 'displayed' | 'failed';

/** Body bytes per chunk: both hops end at our relay (no 10 KiB Kamailio limit to respect). */
const CHUNK_SIZE = 64 * 1024;
const BACKOFF_MS = { first: 250, max: 5_000 };

/** Parses a path as SDP a=path writes it: URIs separated by spaces. */
export function parsePath(path: string): MsrpUri[] {
  return path.trim().split(/\s+/).map(parseUri);
}

/**
 * One signed-in user of the web chat. `start()` signs in; from then on the client keeps
 * itself reachable: it waits in its room, chats with whoever it is paired with, and after a
 * relay restart signs in and waits again, until `stop()`.
 */
export class ChatClient extends TypedEmitter<ChatClientEvents> {
  /** Random id of this page in the rendezvous. */
  readonly id = newSessionId();
  readonly #options: ChatClientOptions;
  #endpoint: Endpoint | undefined;
  #session: Session | undefined;
  /** The chat over #session. */
  #chat: Chat | undefined;
  /** The peer sends bare text (e.g. `msrp chat --plain`): answer it in bare text too. */
  #peerBare = false;
  /** The peer's lines not yet marked displayed, by id. */
  readonly #unseen = new Map<string, ChatMessage>();
  #join: AbortController | undefined;
  #peer = 'peer';
  #state: ChatState = 'signed-out';
  #detail = '';

  constructor(options: ChatClientOptions) {
    super();
    this.#options = options;
  }

  get state(): ChatState {
    return this.#state;
  }

  /** Our session's path (relay URI first), where a peer reaches us while we wait. */
  get localPath(): string | undefined {
    return this.#session?.localPath.map(formatUri).join(' ');
  }

  /**
   * Signs in and waits for a peer in the room.
   * @throws {MsrpError} when the relay refuses the credentials (401) or cannot be reached.
   */
  async start(): Promise<void> {
    this.#setState('signing-in', `signing in to ${formatUri(this.#options.relay)}`);
    try {
      await this.#signIn();
    } catch (e) {
      this.#setState('signed-out', (e as Error).message);
      throw e;
    }
    void this.#wait();
  }

  /** Leaves the room, closes the session and the connection to the relay. */
  async stop(): Promise<void> {
    const endpoint = this.#endpoint;
    this.#endpoint = undefined;
    this.#session = undefined;
    this.#join?.abort();
    this.#setState('signed-out', 'signed out');
    await endpoint?.close();
  }

  /** Connects to a path given by hand (e.g. the one `msrp listen --relay` prints). */
  async connectTo(path: string): Promise<void> {
    this.#peer = 'peer';
    await this.#connect(parsePath(path));
  }

  /**
   * Sends a chat line: in CPIM asking for ✓ and ✓✓, or bare to a peer that speaks bare text.
   * The `line` is emitted at once (its ticks may come before the relay's 200); resolves once
   * the relay took it.
   */
  async sendText(text: string): Promise<void> {
    const session = this.#chatting();
    const chat = this.#chat;
    let id: string;
    let sent: Promise<unknown>;
    if (chat === undefined || this.#peerBare) {
      id = newSessionId();
      sent = session.send(text);
    } else {
      ({ messageId: id, sent } = chat.send(text));
    }
    this.emit('line', this.#options.username, text, true, id);
    try {
      await sent;
    } catch (e) {
      this.emit('tick', id, 'failed');
      this.#gone(session, (e as { status?: number }).status);
      throw e;
    }
  }

  /** The user is typing (the message input changed): the peer may show it (RFC 3994). */
  typing(): void {
    // A peer that speaks bare text would show is-composing in CPIM as an unknown message.
    if (this.#session?.state === 'bound' && !this.#peerBare) this.#chat?.typing();
  }

  /** The user has seen the peer's line `id`: its sender gets ✓✓ when it asked for it. */
  markDisplayed(id: string): void {
    const message = this.#unseen.get(id);
    if (message === undefined) return;
    this.#unseen.delete(id);
    void this.#chat?.markDisplayed(message);
  }

  /** Sends a file, with `sending` progress events; resolves once the peer confirmed it. */
  async sendFile(file: File): Promise<FileDelivery> {
    const session = this.#chatting();
    try {
      return await session.sendFile(file, { onProgress: (p) => this.emit('sending', p) });
    } catch (e) {
      this.#gone(session, (e as { status?: number }).status);
      throw e;
    }
  }

  /**
   * A send failed with 481, or a REPORT said so: the relay no longer knows the peer's session
   * (its page closed or lost its connection; MSRP has no BYE), so wait for a peer again. A
   * 408 says the same when our line reached the relay before it saw the peer's connection
   * close (it reports the line lost with "Next hop went away"), or the peer stopped answering.
   */
  #gone(session: Session, status: number | undefined): void {
    if (session !== this.#session || (status !== 481 && status !== 408)) return;
    this.emit('problem', `${this.#peer} has gone`);
    this.#session = undefined; // so that closing it does not start a wait of its own
    void session.close();
    void this.#wait();
  }

  async #signIn(): Promise<void> {
    const { relay, username, password } = this.#options;
    const endpoint = new Endpoint({
      relays: [{ uri: relay, username, password }],
      session: { chunkSize: CHUNK_SIZE },
    });
    try {
      await endpoint.authenticate();
    } catch (e) {
      await endpoint.close();
      throw e;
    }
    this.#endpoint = endpoint;
    // RFC 4976 §5.1: the relay reaches us only over this connection; without it we are gone.
    endpoint.on('relayLost', (error) => {
      if (endpoint === this.#endpoint) void this.#reconnect(error);
    });
  }

  async #reconnect(error: Error): Promise<void> {
    this.#join?.abort();
    this.#session = undefined;
    const lost = this.#endpoint;
    this.#endpoint = undefined;
    await lost?.close();
    for (let delay = BACKOFF_MS.first; ; delay = Math.min(delay * 2, BACKOFF_MS.max)) {
      this.#setState('reconnecting', `${error.message}; signing in again in ${delay} ms`);
      // A backoff between attempts, so that a relay being restarted is not hammered.
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.#state !== 'reconnecting') return; // stopped meanwhile
      try {
        await this.#signIn();
        break;
      } catch (e) {
        error = e as Error;
        if (this.#state !== 'reconnecting') return;
      }
    }
    await this.#wait();
  }

  /** Waits in the room with a fresh session, which also takes a peer that dials its path. */
  async #wait(): Promise<void> {
    const endpoint = this.#endpoint;
    if (!endpoint) return;
    const session = endpoint.createSession();
    session.accept();
    this.#use(session);
    this.#peer = 'peer';
    this.#setState('waiting', `waiting for a peer in room "${this.#options.room}"`);
    const join = new AbortController();
    this.#join = join;
    // A peer that dialed our path directly (msrp chat --to) is chatting: leave the room.
    // (Not by aborting the join: a peer paired with us may bind before its answer arrives.)
    session.once('bound', () => {
      leaveRoom(this.#options.rendezvous, this.#options.room, this.id).catch(() => undefined);
    });
    let result: JoinResult;
    try {
      const path = session.localPath.map(formatUri).join(' ');
      const { rendezvous, room, username: name } = this.#options;
      result = await joinRoom(rendezvous, room, { id: this.id, name, path }, join.signal);
    } catch (e) {
      if (!join.signal.aborted) this.emit('problem', `rendezvous: ${(e as Error).message}`);
      return;
    }
    if ('gone' in result || session !== this.#session) return;
    this.#peer = result.peer.name;
    if (result.connects) {
      await this.#connect(parsePath(result.peer.path));
    } else if (session.state === 'bound') {
      this.#setState('chatting', `chatting with ${this.#peer}`);
    } else {
      this.#setState('waiting', `${this.#peer} is connecting`);
    }
  }

  /** The active side (RFC 4975 §5.4): a new session that dials the peer's path. */
  async #connect(path: MsrpUri[]): Promise<void> {
    const endpoint = this.#endpoint;
    if (!endpoint) throw new Error('Not signed in');
    this.#join?.abort();
    const waiting = this.#session;
    const session = endpoint.createSession();
    this.#use(session);
    await waiting?.close();
    this.#setState('connecting', `connecting to ${this.#peer}`);
    try {
      await session.connect(path);
    } catch (e) {
      this.emit('problem', `cannot connect to ${this.#peer}: ${(e as Error).message}`);
      if (session === this.#session) void this.#wait();
      return;
    }
    this.#setState('chatting', `chatting with ${this.#peer}`);
  }

  /** Makes `session` the current one and reads what arrives on it. */
  #use(session: Session): void {
    this.#session = session;
    this.#peerBare = false;
    this.#unseen.clear();
    this.#chat = this.#chatOver(session);
    // Relays answer each chunk themselves (RFC 4976 §7): a peer that has gone is reported by
    // a failure REPORT after the 200.
    session.on('report', (report) => this.#gone(session, report.status.code));
    session.on('bound', () => {
      if (session === this.#session) this.#setState('chatting', `chatting with ${this.#peer}`);
    });
    // The session ended while the relay connection lives (the connect failed, the peer's
    // side broke it): wait for a peer again.
    session.on('close', () => {
      if (session === this.#session && this.#state === 'chatting') void this.#wait();
    });
  }

  /**
   * The Chat that reads `session`: CPIM to our pages (the rendezvous pairs pages only) and to
   * `msrp chat`, which speaks it by default; bare text from a peer is shown too.
   */
  #chatOver(session: Session): Chat {
    const chat = new Chat(session, { cpim: true });
    const current = (): boolean => session === this.#session;
    chat.on('message', (message) => {
      if (message.text === undefined || message.bytes.length === 0) return;
      if (message.cpim === undefined && current()) this.#peerBare = true;
      if (current()) this.#unseen.set(message.messageId, message);
      this.emit('line', this.#peer, message.text, false, message.messageId);
    });
    chat.on('delivered', (n) => this.emit('tick', n.messageId, 'delivered'));
    chat.on('displayed', (n) => this.emit('tick', n.messageId, 'displayed'));
    chat.on('failed', (n) => this.emit('tick', n.messageId, 'failed'));
    chat.on('composing', () => {
      if (current()) this.emit('composing', this.#peer);
    });
    chat.on('idle', () => {
      if (current()) this.emit('idle');
    });
    chat.on('malformed', (problem) => {
      if (current()) this.emit('problem', `unreadable message: ${problem.error.message}`);
    });
    chat.on('error', (e) => {
      if (current()) this.emit('problem', e.message);
    });
    // Files are no chat content (RFC 5547 sends them bare): the Chat hands them here.
    chat.on('other', (message) => void this.#receive(message));
    return chat;
  }

  async #receive(message: IncomingMessage): Promise<void> {
    // Keepalives (msrp-node-lib heartbeats, bodiless SENDs) are no files.
    if (message.isKeepalive || message.body?.length === 0) return;
    if (!isFile(message)) {
      await message.drain();
      return;
    }
    const who = this.#peer;
    this.emit('fileStart', who, message.filename ?? 'file.bin', message.size);
    try {
      const file = await receiveFile(message, (bytes) =>
        this.emit('receiving', bytes, message.size),
      );
      this.emit('file', who, file);
    } catch (e) {
      this.emit('problem', `${message.filename ?? 'file'}: ${(e as Error).message}`);
    }
  }

  #chatting(): Session {
    const session = this.#session;
    if (!session || session.state !== 'bound') throw new Error('Not chatting with anyone yet');
    return session;
  }

  #setState(state: ChatState, detail: string): void {
    if (state === this.#state && detail === this.#detail) return;
    this.#state = state;
    this.#detail = detail;
    this.emit('state', state, detail);
  }
}
