import { MsrpError } from '../errors.js';
import type { ChunkAnswer, ChunkReceiver } from '../session/chunk-receiver.js';
import type { Session } from '../session/session.js';
import type { RequestHead } from '../wire/head.js';
import type { ContinuationFlag } from '../wire/parser.js';
import { atEnd, discardFrame, type FrameTarget } from '../transport/frame-target.js';
import { responseFrame } from '../wire/response-frame.js';
import { wantsResponse } from '../wire/response.js';
import { uriKey } from '../wire/uri.js';
import { AnswerBatch } from './answer-batch.js';
import type { Peer } from './peer.js';

/**
 * The sessions of an endpoint, by URI (and session-id), and the routing of inbound requests
 * to them by the first URI of To-Path: 481 when none matches or the From-Path is not the
 * session peer's, 506 when the session is bound to another connection, 501 for methods we do
 * not know (RFC 4975 §7.3, §5.4, §12);
 * NICKNAME (RFC 7701 §7.1) goes to the session's handler.
 */
export class SessionRouter {
  readonly #sessions = new Map<string, Session>();
  readonly #sessionsById = new Map<string, Session>();
  readonly #matchSessionIdOnly: boolean;
  readonly #bind: (session: Session, peer: Peer, request: RequestHead) => boolean;
  /** The answers owed on each connection, written together. */
  readonly #batches = new WeakMap<Peer, AnswerBatch>();

  /**
   * @param bind Binds a waiting session to the connection its first request came on;
   * false when the session closed meanwhile (its 'bound' handler refused the peer).
   */
  constructor(
    matchSessionIdOnly: boolean,
    bind: (session: Session, peer: Peer, request: RequestHead) => boolean,
  ) {
    this.#matchSessionIdOnly = matchSessionIdOnly;
    this.#bind = bind;
  }

  /** Number of sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Whether a session has this URI key. */
  has(key: string): boolean {
    return this.#sessions.has(key);
  }

  /** Whether a session has this session-id. */
  hasSessionId(id: string): boolean {
    return this.#sessionsById.has(id);
  }

  /** Every session. */
  sessions(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  add(session: Session): void {
    this.#sessions.set(uriKey(session.localUri), session);
    const id = session.localUri.sessionId;
    if (id !== undefined) this.#sessionsById.set(id, session);
  }

  remove(session: Session): void {
    const key = uriKey(session.localUri);
    if (this.#sessions.get(key) === session) this.#sessions.delete(key);
    const id = session.localUri.sessionId;
    if (id !== undefined && this.#sessionsById.get(id) === session) this.#sessionsById.delete(id);
  }

  /** Routes an inbound request to its session; the returned target takes its body. */
  route(peer: Peer, request: RequestHead): FrameTarget {
    const method = request.method;
    if (method !== 'SEND' && method !== 'REPORT' && method !== 'NICKNAME') {
      // RFC 4975 §12: 501 for a method we do not understand.
      return this.#refuse(peer, request, 501, `Method ${request.method} not understood`);
    }
    const toUri = request.toPath[0]!;
    const session = this.#matchSessionIdOnly
      ? toUri.sessionId === undefined
        ? undefined
        : this.#sessionsById.get(toUri.sessionId)
      : this.#sessions.get(uriKey(toUri));
    // RFC 4975 §7.3 (481): no session matches the To-Path.
    if (!session || session.state === 'closed' || session.state === 'new')
      return this.#refuse(peer, request, 481);
    if (session.connection !== undefined && session.connection !== peer.port) {
      // RFC 4975 §5.4: a session is bound to one connection; others get 506.
      return this.#refuse(peer, request, 506);
    }
    // RFC 4975 §7.3: from another sender than the session's peer (once known, and before a
    // first SEND binds to it) the request is for no session of ours.
    if (!session.fromPeer(request, this.#matchSessionIdOnly))
      return this.#refuse(peer, request, 481, 'From-Path is not the session peer');
    if (session.connection === undefined) {
      // RFC 4975 §5.4: the first SEND binds a connection to the passive side's session; a
      // REPORT does not, and is dropped (REPORTs are never answered, §7.1.2).
      if (session.state !== 'waiting' || method === 'REPORT')
        return this.#refuse(peer, request, 481);
      // Closed by its 'bound' handler (the peer refused): RFC 4975 §7.3, no such session.
      if (!this.#bind(session, peer, request)) return this.#refuse(peer, request, 481);
    }
    if (request.method === 'REPORT') {
      session.receiveReport(request);
      return discardFrame; // RFC 4975 §7.1.2: REPORTs get no response
    }
    if (request.method === 'NICKNAME') {
      // RFC 7701 §7.1: the session's focus (its onNickname handler) answers, maybe later.
      return atEnd(() => {
        void session
          .receiveNickname(request)
          .then((r) => this.#answer(peer, request, r.status, r.comment));
      });
    }
    let receiver: ChunkReceiver;
    try {
      receiver = session.receiveSend(request);
    } catch (e) {
      if (e instanceof MsrpError && e.status)
        return this.#refuse(peer, request, e.status, e.message);
      throw e;
    }
    return new SendTarget(receiver, this.#batch(peer), request);
  }

  /** A target that drops the frame and answers `status` at its end-line. */
  #refuse(peer: Peer, request: RequestHead, status: number, comment?: string): FrameTarget {
    return atEnd(() => this.#answer(peer, request, status, comment));
  }

  /**
   * Answers `request` on `peer` with `status` now, after the answers queued before it,
   * unless it asked for no such response: for a peer fault, before the connection closes.
   */
  respond(peer: Peer, request: RequestHead, status: number, comment?: string): void {
    this.#answer(peer, request, status, comment);
    this.#batch(peer).flush();
  }

  /** Queues the answer to `request` in the connection's batch. */
  #answer(peer: Peer, request: RequestHead, status: number, comment?: string): void {
    answerIn(this.#batch(peer), request, status, comment);
  }

  #batch(peer: Peer): AnswerBatch {
    let batch = this.#batches.get(peer);
    if (batch === undefined) {
      batch = new AnswerBatch(
        (frames, now) => {
          void peer.connection.write(frames).catch(() => undefined);
          if (now) peer.connection.flushWrites();
        },
        () => peer.connection.messageFramed,
      );
      this.#batches.set(peer, batch);
    }
    return batch;
  }
}

/** Queues the answer `status` to `request` in `batch`, unless it asked for no such response. */
function answerIn(
  batch: AnswerBatch,
  request: RequestHead,
  status: number,
  comment?: string,
): void {
  if (status === 200 && comment === undefined) {
    if (wantsResponse(request, 200)) batch.addOk(request);
    return;
  }
  const frame = responseFrame(request, status, comment);
  if (frame) batch.add(frame);
}

/**
 * The body and end of a SEND chunk go to its session's receiver; its answer goes back. One
 * object per chunk, the target and its answer both (no closures made per chunk).
 */
class SendTarget implements FrameTarget, ChunkAnswer {
  readonly #receiver: ChunkReceiver;
  readonly #batch: AnswerBatch;
  readonly #request: RequestHead;
  #failed: MsrpError | undefined;
  #answered = false;

  constructor(receiver: ChunkReceiver, batch: AnswerBatch, request: RequestHead) {
    this.#receiver = receiver;
    this.#batch = batch;
    this.#request = request;
  }

  respond(status = 200, comment?: string): void {
    answerIn(this.#batch, this.#request, status, comment);
  }

  write(frame: readonly Uint8Array[]): void {
    this.#batch.add(frame);
  }

  body(part: Uint8Array): boolean {
    if (this.#failed) return true;
    try {
      return this.#receiver.body(part);
    } catch (e) {
      if (!(e instanceof MsrpError)) throw e;
      this.#failed = e;
      this.#receiver.fail(e);
      if (e.status === 413) {
        // RFC 4975 §7.1, §10.5: 413 asks the sender to stop this message; say it now, not
        // after the rest of a chunk that may be long or endless (1-*/*), which is dropped.
        this.respond(413, e.message);
        this.#answered = true;
      }
      return true;
    }
  }

  end(flag: ContinuationFlag): void {
    const receiver = this.#receiver;
    let failed = this.#failed;
    if (!failed) {
      failed = receiver.check(flag);
      this.#failed = failed;
      if (failed) receiver.fail(failed);
    }
    if (failed) {
      if (!this.#answered) this.respond(failed.status ?? 400, failed.message);
      return;
    }
    // The receiver answers 200, now or once read, before any REPORT its end may trigger.
    receiver.end(flag, this);
  }

  abort(error: MsrpError): void {
    this.#receiver.fail(error);
  }
}
