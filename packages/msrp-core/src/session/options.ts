import type { HeaderField } from '../wire/head.js';
import type { MsrpUri } from '../wire/uri.js';
import type { Delivery, Progress, ReceivedReport, RefusedMessage } from './delivery.js';
import type { FileHashAlgorithm } from './file-transfer.js';
import type { HasherFactory } from './hasher.js';
import type { MessageChecker } from './message-check.js';
import type { NicknameHandler } from './nickname.js';

/** Options of a {@link Session}; an endpoint passes its defaults. */
export interface SessionOptions {
  /**
   * Media types we accept (RFC 4975 §8 accept-types): `type/subtype`, `type/*` or `*`.
   * Other content gets 415. Default `['*']`.
   */
  acceptTypes?: readonly string[];
  /** Largest message we accept, in bytes (a=max-size); larger ones get 413. Default 2^53-1. */
  maxSize?: number;
  /** Largest message the peer accepts (its a=max-size); larger sends fail locally. */
  remoteMaxSize?: number;
  /** Messages up to this size are delivered whole; larger ones as a stream. Default 1 MiB. */
  inMemoryThreshold?: number;
  /** Out-of-order bytes held per message while a gap is open. Default 1 MiB. */
  maxReorderBytes?: number;
  /** Messages being received at once (not yet complete). Default 64; more get 413. */
  maxIncompleteMessages?: number;
  /**
   * Milliseconds an incoming message may wait for its next chunk (after one ending in `+`):
   * its sender, or a relay on the way, may die between two chunks while our connection stays
   * up. Then it fails: its `stream` throws, and `completed` and `saveTo` reject, with an
   * `IncompleteMessageError` (code `MSRP_ERR_INCOMPLETE`) saying what arrived; its buffered
   * bytes are freed and the session goes on. A later chunk of its Message-ID starts a new
   * message from that chunk's Byte-Range (`offset`), as a resume does. Only the wait counts,
   * not the whole transfer: a slow message whose chunks keep coming is never cut, and a
   * stream whose reader has not taken its pieces yet waits on the reader, not the peer.
   * 0: no limit. Default 120 000 (2 minutes).
   */
  incompleteMessageTimeout?: number;
  /** Complete messages waiting for the reader; more get 413 until it catches up. Default 1024. */
  maxQueuedMessages?: number;
  /**
   * Bytes that messages may hold, in all, while they wait in the session for the reader to
   * take them: the bodies of those held in memory, and what streamed ones received. A
   * streamed message cannot pause the connection: the reader may be busy with an earlier
   * message whose bytes come after on that connection. Past it the message gets 413, and so
   * does a new message while the waiting ones hold this much ("Receiver is not keeping
   * up"): a peer could otherwise make a reader that lags hold `maxQueuedMessages` bodies of
   * up to `inMemoryThreshold` each. Default 16 MiB.
   */
  maxQueuedStreamBytes?: number;
  /**
   * Body bytes per outgoing chunk. Default 8192: relays in the field drop larger frames
   * (Kamailio's msrp module drops bodies over 10240 bytes). Raise it on direct paths.
   * Over a WebSocket (RFC 7977 §5.1: one chunk per message) chunks are at most 256 KiB;
   * a file from a path is sent in chunks of at most 16 MiB (the pieces it is read in).
   */
  chunkSize?: number;
  /**
   * Chunks sent and not yet answered, at most. Default 512. The sessions sharing a
   * connection also share the endpoint's `maxPending` (1024): a chunk waits for a place.
   */
  maxInFlightChunks?: number;
  /**
   * Body bytes sent and not yet answered, at most. Default 4 MiB, or 8 chunks of a
   * `chunkSize` over 512 KiB (a chunk's 200 comes once all of it arrived). The window starts
   * at 512 KiB (or this, if smaller) and grows toward this while the peer answers fast: it
   * holds about 5 ms of the rate the chunks are answered at, 2 ms when the next hop is a
   * relay, which answers as it reads (the bytes sit in socket buffers, not in the session; a
   * receiver that answers a chunk only once it has read it holds them). A path of long round
   * trips may want more: at most this much crosses per round trip. Two chunks may always be
   * in flight, whatever their size, so that chunks larger than this still overlap.
   * A message of one chunk not yet begun (a chat line) may go up to 8 KiB beyond it, and
   * while such messages go beside a file the window is at most 128 KiB, until 500 ms after
   * the last one found it full: a chat line waits behind that much of the file, not all of
   * this.
   */
  maxInFlightBytes?: number;
  /**
   * Keep a passive session (`accept()`) when its connection closes, to be bound again by the
   * next peer that sends to it (what `msrp listen` does). Accepted without a path, such a
   * session sends to whoever sent to it last: through a relay, where each sender comes over
   * the one connection to it. An active session (`connect()`) closes with its connection
   * anyway (RFC 4975 §5.4): its peer never dials it. Default false: the session closes with
   * its connection.
   */
  rebind?: boolean;
  /**
   * Milliseconds to wait for a success REPORT asked for with `successReport`, counted from
   * the moment every chunk was confirmed with 200; then the send fails with a
   * {@link DeliveryError} of code `MSRP_ERR_REPORT_TIMEOUT` and status 408. Default 30 000.
   */
  reportTimeout?: number;
  /**
   * Where the file hashes of `sendFile` and `saveTo` come from (SHA-1, SHA-256). Default
   * the session runtime's: on Node, the endpoint's `createHasher` or `node:crypto`.
   */
  createHasher?: HasherFactory;
  /**
   * Answers the peer's NICKNAME requests (RFC 7701 §7.1), as a chat room's focus does.
   * Default none: they get 501.
   */
  onNickname?: NicknameHandler;
  /**
   * Looks at each incoming message held in memory once its last byte arrived, before the
   * chunk that completed it is answered: a returned status (400, 413, 415) answers that chunk
   * instead of 200 and the message is dropped, never delivered. A message in one chunk (a
   * chat line) is thus refused whole; earlier chunks of a longer one were already answered
   * 200. Streamed messages are not checked. Default none.
   *
   * @example
   * ```ts
   * // RFC 4975 §8.6: 415 for a type wrapped in CPIM outside our accept-wrapped-types.
   * endpoint.createSession({ checkMessage: cpimWrappedTypeCheck(['text/plain', 'message/imdn+xml']) });
   * ```
   */
  checkMessage?: MessageChecker;
  /**
   * Answer each chunk of a message delivered as a `stream` only once the reader has taken
   * its bytes: when the stream's iterator is pulled past the piece that holds the chunk's
   * last byte (the next `next()` call, or the loop's end). A receiver that stores each piece
   * before it pulls the next thus stores every byte it confirmed, and a crash loses nothing
   * the sender was told arrived (the sender's `confirmedBytes` then say where to resume).
   * The last chunk (an empty message's too) waits as well for the reader to read the end:
   * the call that finds no more pieces. Answers due together go out in one write; a success
   * REPORT follows the last 200.
   *
   * A reader that stops reading holds the sender back through the sender's window (chunks in
   * flight, unanswered), not by pausing the connection, so other sessions on it go on; past
   * `maxQueuedStreamBytes` unread in this session the connection pauses after all. Chunks
   * whose bytes the reader never took (it broke out of its loop, or the message failed) get
   * 413. Files (Content-Disposition `attachment` or a `filename`) then arrive as a `stream`
   * whatever their size, so that theirs are too; other messages held in memory (`body`) are
   * answered as they arrive. Default false: every chunk is answered once it has arrived.
   */
  confirmWhenRead?: boolean;
}

/** Options of {@link Session.send}. */
export interface SendOptions {
  /** Content-Type. Default `text/plain;charset=utf-8` for strings, `application/octet-stream` otherwise. */
  contentType?: string;
  /** Ask for a success REPORT (RFC 4975 §7.1.2); the delivery then waits for it. */
  successReport?: boolean;
  /** MIME headers of the body, e.g. Content-Disposition. */
  contentHeaders?: readonly HeaderField[];
  /**
   * Total size for a streamed source, when known (Byte-Range total). With `offset`, the
   * whole message's size, the octets sent before included.
   */
  size?: number;
  /**
   * Resumes a message: the source holds its octets after the first `offset`, which the
   * peer already has (e.g. `DeliveryError.confirmedBytes` of a send that failed). Pass the
   * same `messageId`; the chunks' Byte-Range starts at `offset + 1` (RFC 4975 §7.1), and
   * the delivery's `bytes` count the whole message. Default 0.
   */
  offset?: number;
  /**
   * Called as chunks are confirmed. An abort it signals once every byte is confirmed (and no
   * success REPORT is awaited) comes too late: the send resolves. What it throws aborts the
   * message, with that as the cause.
   */
  onProgress?: (progress: Progress) => void;
  /** Aborts the message (`#`) when signalled. */
  signal?: AbortSignal;
  /**
   * Use this Message-ID instead of a fresh one: 4 to 32 characters of letters, digits and
   * `.-+%=` (RFC 4975 §9), else the send rejects with `MSRP_ERR_INVALID_ARGUMENT`.
   */
  messageId?: string;
  /** Extension headers for the last chunk (e.g. the file hash). */
  lastChunkHeaders?: () => readonly HeaderField[];
  /** The session's `reportTimeout` for this message (milliseconds). */
  reportTimeout?: number;
  /**
   * The session's `chunkSize` for this message: body bytes per chunk (at most 256 KiB over
   * a WebSocket), e.g. larger for a file to a peer known to be reached without relays, while
   * chat lines keep the session's.
   */
  chunkSize?: number;
  /**
   * Where this message goes instead of the session's peer, on the same connection: the
   * `fromPath` of a message received. A session that several peers reach through a relay
   * (`msrp listen --relay`: each sender's SEND arrives on the one connection to the relay)
   * answers each sender this way; without it, a message goes to the session's peer (for such
   * a session its latest sender), fixed at its first chunk.
   */
  toPath?: readonly MsrpUri[];
}

/** Options of {@link Session.sendFile}. */
export interface SendFileOptions extends Omit<
  SendOptions,
  'contentHeaders' | 'lastChunkHeaders' | 'offset' | 'size'
> {
  /** File name for Content-Disposition. Default: the path's base name. */
  name?: string;
  /**
   * The hash computed while the file is read and announced on the last chunk (`File-Hash`).
   * Default `'sha-256'`; `'sha-1'` only where an RFC 5547 `hash:sha-1` was negotiated.
   */
  hash?: FileHashAlgorithm;
  /**
   * The file's size, for a stream source: the stream must hold that many octets. A path,
   * bytes or a Blob tell their own; given for one of them, `size` must be it.
   */
  size?: number;
  /**
   * The peer already holds the file's first `offset` octets (e.g.
   * `DeliveryError.confirmedBytes` of a send that failed): they are read and hashed but not
   * sent, and the rest goes as the same message resumed (`SendOptions.offset`: its Byte-Range
   * starts at `offset + 1`; pass the `messageId` it had). The source is the whole file.
   * Default 0.
   */
  offset?: number;
  /**
   * Sends only the octets `start` to `end` of the file (1-based, inclusive, as RFC 5547 §6
   * `a=file-range` counts them) as a new message whose Byte-Range starts at 1: the resume
   * negotiated with `a=file-range`. Every octet is still read and hashed, so that the
   * `File-Hash` of the last chunk is the whole file's. Not with `offset`.
   */
  range?: { readonly start: number; readonly end: number };
}

/** The result of a successful {@link Session.sendFile}: the delivery and the file's hash. */
export interface FileDelivery extends Delivery {
  /** The whole file's hash in RFC 5547 form, e.g. `sha-256:AB:CD:...`. */
  readonly hash: string;
}

/** Life cycle of a session. */
export type SessionState = 'new' | 'connecting' | 'waiting' | 'bound' | 'closed';

/**
 * Events of a {@link Session}. Most come from inside the endpoint's reading or closing of a
 * connection that other sessions share (RFC 4975 §5.4), not from a call of the application:
 * a listener that throws there closes its own session, with what it threw as the reason
 * (`close`, and the `cause` of what the session's sends and messages fail with), never the
 * connection. A listener of `close` that throws has no session left to close: what it threw
 * is thrown again in a microtask, an uncaught exception.
 */
export interface SessionEvents {
  /** The session is bound to a connection (RFC 4975 §5.4). */
  bound: [];
  /** The bound connection closed; with `rebind` a passive session waits for the next one. */
  unbound: [error?: Error];
  /**
   * The session closed; no more messages. `reason`: what closed it when it was not
   * `close()`: the error of its connection, of a `connect()` that failed, or what a listener
   * of this session threw.
   */
  close: [reason?: Error];
  /**
   * A REPORT arrived for one of our messages (RFC 4975 §7.1.2): while it is being sent, or
   * after its send settled (the last 256 messages are remembered). A failure REPORT after a
   * send resolved means the message did not reach its destination after all.
   */
  report: [report: ReceivedReport];
  /**
   * An incoming message was refused (a content type not accepted, over max-size, too many
   * at once...): its sender got the status, the reader gets nothing. Once per message.
   */
  refused: [refused: RefusedMessage];
}

/** Options of {@link Session.connect}. */
export interface ConnectOptions {
  /** Aborts the connect: it rejects with `MSRP_ERR_ABORTED` and the session closes. */
  signal?: AbortSignal;
}
