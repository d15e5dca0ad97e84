import { IncompleteMessageError, MsrpError } from '../errors.js';
import type { ByteRange } from '../wire/byte-range.js';
import type { ContinuationFlag } from '../wire/parser.js';
import { mediaTypeOf, type ContentType } from '../wire/content-type.js';
import type { RequestHead } from '../wire/head.js';
import type { MsrpUri } from '../wire/uri.js';
import {
  bodiless,
  describesNoBody,
  emptySend,
  type ChunkAnswer,
  type ChunkReceiver,
} from './chunk-receiver.js';
import type { RefusedMessage } from './delivery.js';
import type { Inbox } from './inbox.js';
import { InboundChunk, type ChunkOwner } from './inbound-chunk.js';
import { IdTable } from './id-table.js';
import { IncompleteWatch } from './incomplete-watch.js';
import { Reassembly, type ReassemblyOptions } from './reassembly.js';
import { runMessageCheck, type MessageChecker } from './message-check.js';
import { peerError } from './peer-error.js';
import { UnreadBytes } from './read-confirmations.js';
import { RecentIds } from './recent-ids.js';
import { runNow } from './run-clock.js';
import type { SessionPort } from './session-link.js';
import type { SessionRuntime } from './session-runtime.js';
import { SuccessReports } from './success-report.js';

/** How many finished incoming Message-IDs a session remembers for late chunks. */
const REMEMBERED_MESSAGES = 256;

/** Limits of {@link Inbound}, from the session's options. */
export interface InboundOptions {
  acceptTypes: readonly string[];
  maxSize: number;
  inMemoryThreshold: number;
  maxReorderBytes: number;
  maxIncompleteMessages: number;
  maxQueuedMessages: number;
  checkMessage: MessageChecker | undefined;
  /** Answer a streamed message's chunks once the reader took their bytes. */
  confirmWhenRead: boolean;
  /** Stream bytes the session holds unread (confirmWhenRead), or unread and untaken messages. */
  maxQueuedStreamBytes: number;
  /** Milliseconds an incomplete message may wait for its next chunk; 0: no limit. */
  incompleteMessageTimeout: number;
}

/** What {@link Inbound} needs of its session. */
export interface InboundHost {
  /** The bound connection's port: for `resume()` and success REPORTs. */
  readonly port: SessionPort | undefined;
  /** From-Path of our requests. */
  readonly fromPath: readonly MsrpUri[];
}

/**
 * The incoming half of a session: checks each SEND (RFC 4975 §7.1), reassembles messages by
 * Message-ID and Byte-Range, hands them to the {@link Inbox} and sends success REPORTs.
 */
export class Inbound {
  readonly #host: InboundHost;
  readonly #options: InboundOptions;
  readonly #inbox: Inbox;
  /** Messages under way by Message-ID: most often none, or the one-chunk message being read. */
  readonly #incoming = new IdTable<Reassembly>();
  /**
   * Messages arrived whole whose last chunk waits for the reader's 200 (confirmWhenRead): a
   * close fails them too, as their sender is told.
   */
  readonly #unconfirmed = new Set<Reassembly>();
  /** Recently finished incoming messages: resent chunks of these are not new messages. */
  readonly #finished = new RecentIds<'complete' | 'failed'>(REMEMBERED_MESSAGES);
  /** Made at the first success REPORT: an idle session holds none. */
  #reports: SuccessReports | undefined;
  /** With confirmWhenRead: the stream bytes of this session's messages not read yet. */
  readonly #unread: UnreadBytes | undefined;
  readonly #reassemblyOptions: ReassemblyOptions;
  /** What each chunk's receiver calls back (one object per session, not closures per chunk). */
  readonly #chunks: ChunkOwner;
  /** Gives up messages whose next chunk does not come (undefined: no limit). */
  readonly #watch: IncompleteWatch | undefined;
  /** Messages given up by the watch: a chunk of theirs still under way must not end the next. */
  readonly #expired = new WeakSet<Reassembly>();
  /** The Content-Type object last accepted: not checked again per chunk. */
  #acceptedType: ContentType | undefined;
  /** Told of each message refused. */
  readonly #refused: (refused: RefusedMessage) => void;
  /** The Message-ID refused last: its chunks in flight are refused too, and told once. */
  #lastRefused: string | undefined;

  constructor(
    host: InboundHost,
    options: InboundOptions,
    inbox: Inbox,
    runtime: SessionRuntime,
    refused: (refused: RefusedMessage) => void,
  ) {
    this.#host = host;
    this.#refused = refused;
    this.#options = options;
    this.#inbox = inbox;
    if (options.confirmWhenRead) {
      this.#unread = new UnreadBytes(options.maxQueuedStreamBytes, () => host.port?.resume());
    }
    if (options.incompleteMessageTimeout > 0) {
      this.#watch = new IncompleteWatch(
        options.incompleteMessageTimeout,
        this.#incoming,
        (r, idle) => this.#expire(r, idle),
      );
    }
    this.#chunks = {
      deliver: (r) => this.#deliver(r),
      active: (r) => this.#active(r),
      check: (r, flag) => this.#check(r, flag),
      finished: (r, request, answer) => this.#finishedChunk(r, request, answer),
      failed: (r, request, error, refused) => this.#failedChunk(r, request, error, refused),
    };
    // The same for every message: made once, not per message.
    this.#reassemblyOptions = {
      inMemoryThreshold: options.inMemoryThreshold,
      maxReorderBytes: options.maxReorderBytes,
      maxSize: options.maxSize,
      holdQueued: (message, bytes) => inbox.hold(message, bytes),
      resume: () => host.port?.resume(),
      runtime,
      ...(this.#unread && { confirmWhenRead: this.#unread }),
    };
  }

  /**
   * Aborts every message being received: the session closed (`sessionClosed`: chunks still
   * unconfirmed get 481) or lost its connection. A message arrived whole whose last chunk is
   * not confirmed yet fails for its reader too: its sender is told it did not arrive.
   */
  abortAll(error: MsrpError, sessionClosed = false): void {
    for (const reassembly of this.#incoming.values()) {
      reassembly.abort(error, sessionClosed);
      // Cut between two chunks as in the middle of one: the octets confirmed are the reader's
      // (aborted), where the sender's resume starts (`offset`); held in memory, they were lost.
      if (!sessionClosed) this.#deliver(reassembly);
    }
    const unconfirmed = [...this.#unconfirmed];
    this.#unconfirmed.clear();
    for (const reassembly of unconfirmed) reassembly.abort(error, sessionClosed);
    this.#incoming.clear();
    this.#watch?.stop();
  }

  /**
   * Takes an incoming SEND: returns the per-frame receiver, or throws an MsrpError whose
   * status is the response to send.
   */
  receiveSend(request: RequestHead): ChunkReceiver {
    try {
      return this.#receiveSend(request);
    } catch (e) {
      // A later chunk of a message stopped mid-way was told of when it stopped.
      const id = request.messageId;
      if (e instanceof MsrpError && (id === undefined || this.#finished.get(id) !== 'failed'))
        this.#tellRefused(request, e);
      throw e;
    }
  }

  /** Tells of a refused message, once for all its chunks. */
  #tellRefused(request: RequestHead, error: MsrpError): void {
    const { messageId, contentType } = request;
    if (messageId !== undefined && messageId === this.#lastRefused) return;
    this.#lastRefused = messageId;
    const total = request.byteRange?.total;
    this.#refused({
      messageId,
      contentType: contentType && mediaTypeOf(contentType),
      size: typeof total === 'number' ? total : undefined,
      error,
    });
  }

  #receiveSend(request: RequestHead): ChunkReceiver {
    const o = this.#options;
    const messageId = request.messageId;
    // RFC 4975 §7.1: a SEND carries a Message-ID.
    if (messageId === undefined) throw peerError(400, 'SEND without Message-ID');
    const range = request.byteRange ?? { start: 1, end: '*', total: '*' };
    const total = range.total === '*' ? undefined : range.total;
    const refusal = this.#headRefusal(request.contentType, range);
    if (refusal) {
      // RFC 4975 §10.5: after a 413 the sender MUST NOT send more of the message (and one
      // refused 415 mid-way cannot complete): one under way is failed as when refused
      // mid-body (its reader learns it, its later chunks get 413), not left waiting.
      const under = this.#incoming.get(messageId);
      if (under) this.#failedChunk(under, request, refusal, false);
      throw refusal;
    }
    let reassembly = this.#incoming.get(messageId);
    if (!reassembly) {
      // RFC 4975 §5.4, §7.1.1: a SEND without a body binds the session or keeps it alive;
      // it has no Content-Type and a Byte-Range of 1-0/0 or none at all (msrp-node-lib's).
      // It gets its 200 and is no message.
      if (!request.contentType && describesNoBody(request.byteRange)) return bodiless;
      const finished = this.#finished.get(messageId);
      if (finished === 'complete') return emptySend; // a resent chunk of a delivered message
      // Whole and waiting for its reader: a chunk past its start is no new (resumed) message,
      // but one that adds nothing, as the empty chunk bringing the flag of one cut after its
      // body (RFC 4975 §7.1).
      if (range.start > 1 && this.#wholeUnread(messageId)) return emptySend;
      if (finished === 'failed') throw peerError(413, `Message ${messageId} was stopped`);
      if (this.#incoming.size >= o.maxIncompleteMessages)
        throw this.#stop(request, messageId, peerError(413, 'Too many messages in progress'));
      if (
        this.#inbox.length >= o.maxQueuedMessages ||
        this.#inbox.queuedBytes >= o.maxQueuedStreamBytes
      )
        throw this.#stop(request, messageId, peerError(413, 'Receiver is not keeping up'));
      reassembly = new Reassembly(
        {
          messageId,
          contentType: request.contentType,
          contentHeaders: request.contentHeaders ?? [],
          size: total,
          // A resumed message (RFC 4975 §7.1 Byte-Range past 1): delivered from there.
          offset: range.start - 1,
          fromPath: request.fromPath,
        },
        this.#reassemblyOptions,
      );
      this.#incoming.set(messageId, reassembly);
    }
    const r = reassembly;
    r.beginChunk(range.start);
    this.#active(r);
    this.#deliver(r);
    return new InboundChunk(this.#chunks, r, request);
  }

  /** Whether `messageId` arrived whole and its reader has not confirmed it yet. */
  #wholeUnread(messageId: string): boolean {
    for (const r of this.#unconfirmed) if (r.message.messageId === messageId) return true;
    return false;
  }

  /**
   * Refuses a message at its first chunk (413), remembered as stopped: its chunks in flight
   * get 413 too (RFC 4975 §10.5), not taken as a resumed message once there is room.
   */
  #stop(request: RequestHead, messageId: string, error: MsrpError): MsrpError {
    this.#tellRefused(request, error);
    this.#finished.add(messageId, 'failed');
    return error;
  }

  /** Why a chunk is refused at its head (RFC 4975 §7.1: 415, 413), whatever its message. */
  #headRefusal(type: ContentType | undefined, range: ByteRange): MsrpError | undefined {
    const o = this.#options;
    // The chunks of a message (heads the parser read from its template) share one object.
    if (type && type !== this.#acceptedType) {
      if (!accepts(o.acceptTypes, type))
        return peerError(415, `Content type ${mediaTypeOf(type)} not accepted`);
      this.#acceptedType = type;
    }
    const { start, end, total } = range;
    if (total !== '*' && total > o.maxSize)
      return peerError(413, `Message of ${total} bytes exceeds max-size ${o.maxSize}`);
    // A chunk placed past max-size, whatever its total: over it before a byte is read.
    if (start - 1 > o.maxSize || (end !== '*' && end > o.maxSize))
      return peerError(413, `Chunk at ${start}-${end} exceeds max-size ${o.maxSize}`);
    return undefined;
  }

  /** A chunk or body bytes of `r` came: its wait for the peer starts again. */
  #active(r: Reassembly): void {
    this.#watch?.touch(r, runNow());
  }

  /** A chunk passed its checks and was taken: the message may be complete now. */
  #finishedChunk(r: Reassembly, request: RequestHead, answer: ChunkAnswer): void {
    this.#deliver(r);
    if (!r.done) return;
    const messageId = r.message.messageId;
    if (this.#expired.has(r)) return;
    this.#incoming.delete(messageId);
    if (r.unconfirmed) {
      // Finished once its reader had it (or gave up on it). Failed first by a lost connection
      // (abortAll), it is not: its sender goes on with it, a resume under the same Message-ID.
      this.#unconfirmed.add(r);
      r.whenConfirmed(() => {
        if (this.#unconfirmed.delete(r)) this.#finished.add(messageId, 'complete');
      });
    } else this.#finished.add(messageId, r.message.aborted ? 'failed' : 'complete');
    // RFC 4975 §7.1.2: Success-Report yes asks for a REPORT once the message is complete,
    // after the 200s (with confirmWhenRead, once the reader took the last byte).
    if (request.successReport === 'yes' && !r.message.aborted) {
      const bytes = r.message.received;
      r.afterAnswers(() => this.#sendReport(request, bytes, answer));
    }
  }

  /** A chunk, or the connection under it, failed: its message is given up. */
  #failedChunk(r: Reassembly, request: RequestHead, error: MsrpError, refused: boolean): void {
    const { messageId } = r.message;
    // Refused (§7.1: 400, 413, 415) before the reader had it: told as refused, never its.
    const status = error.status;
    refused ||= !r.delivered && (status === 400 || status === 413 || status === 415);
    if (refused) this.#tellRefused(request, error);
    r.abort(error);
    // Given up already: the Message-ID may be a new message (a resume) by now.
    if (this.#expired.has(r)) return;
    this.#incoming.delete(messageId);
    // Refused (a status) is final; cut short by the connection, a resume may follow.
    if (error.status !== undefined) this.#finished.add(messageId, 'failed');
    // A refused message is not the reader's; one cut short by the connection is.
    if (!refused) this.#deliver(r);
  }

  /**
   * No chunk came for `idleMs`: the message is given up and freed, its reader gets an
   * {@link IncompleteMessageError}. Not remembered as failed: a later chunk of its Message-ID
   * starts a new message from its Byte-Range (RFC 4975 §7.1), as a resume does.
   */
  #expire(r: Reassembly, idleMs: number): void {
    const { messageId } = r.message;
    if (this.#incoming.get(messageId) !== r) return;
    this.#incoming.delete(messageId);
    this.#expired.add(r);
    const error = new IncompleteMessageError({
      messageId,
      received: r.message.received,
      size: r.message.size,
      droppedOutOfOrder: r.outOfOrderBytes,
      idleMs,
    });
    r.abort(error);
    // Like one cut short by its connection, the message is the reader's (if not taken yet).
    this.#deliver(r);
  }

  /**
   * The session's `checkMessage` on a message this chunk completes, before its 200: the `$`
   * chunk, or a `+` one that brought its last octet (a relay cut the chunk once its body was
   * out, RFC 4975 §7.1, and an empty chunk brings the flag).
   */
  #check(r: Reassembly, flag: ContinuationFlag): MsrpError | undefined {
    const checker = this.#options.checkMessage;
    if (checker === undefined) return undefined;
    const body = r.peekComplete(flag);
    if (body === undefined) return undefined;
    const { messageId, contentType, contentHeaders } = r.message;
    return runMessageCheck(checker, { messageId, contentType, contentHeaders, body });
  }

  #deliver(reassembly: Reassembly): void {
    const message = reassembly.takeDelivery();
    if (message) this.#inbox.deliver(message);
  }

  #sendReport(request: RequestHead, bytes: number, answer: ChunkAnswer): void {
    // RFC 4975 §7.1.2: REPORTs get no response, so nothing awaits one. It follows the 200s.
    answer.write(
      (this.#reports ??= new SuccessReports()).frame(request, this.#host.fromPath, bytes),
    );
  }
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
