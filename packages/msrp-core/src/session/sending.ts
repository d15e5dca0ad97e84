import { MsrpError } from '../errors.js';
import type { ByteRange } from '../wire/byte-range.js';
import { IDENT } from '../wire/grammar.js';
import type { RequestHead } from '../wire/head.js';
import type { TransactionIds } from '../wire/ids.js';
import type { ContinuationFlag } from '../wire/frame-sink.js';
import { encodeChunkFrame, encodeHead, type ChunkHeadTemplate } from '../wire/serializer.js';
import type { StatusHeader } from '../wire/status-header.js';
import type { MsrpUri } from '../wire/uri.js';
import type { Delivery } from './delivery.js';
import type { HeadTemplates } from './head-templates.js';
import type { LiveLinks } from './live-sendings.js';
import type { SendOptions } from './options.js';
import type { OutgoingMessage } from './outgoing-message.js';
import type { ReportedRanges } from './report-ranges.js';
import { runNow } from './run-clock.js';
import type { TransactionSettle } from './transaction-table.js';

/** One message the `SendScheduler` is sending: its progress and how it settles. */
export interface Sending extends LiveLinks<Sending> {
  readonly message: OutgoingMessage;
  readonly options: SendOptions;
  readonly started: number;
  resolve(delivery: Delivery): void;
  reject(error: Error): void;
  /** Removes the abort listener of `options.signal`, once settled. */
  unlisten: (() => void) | undefined;
  /** Heads of this message's chunks, formatted once per session and kind of message. */
  template?: ChunkHeadTemplate;
  /** The last success REPORT, once one came (it may overtake the last 200). */
  report: StatusHeader | undefined;
  reportRange: ByteRange | undefined;
  /** The bytes the success REPORTs so far cover, from the first (there may be one per chunk). */
  reported: ReportedRanges | undefined;
  /** When the wait for the success REPORT ends, once every chunk was confirmed (ReportWaits). */
  reportDue: number;
  /** The timeout of that wait, while it waits. */
  reportMs: number | undefined;
  /** Bytes of the message in chunks written so far: where a `#` would start. */
  written: number;
  /** The chunk ending in `$` was written: nothing is left to abort on the wire. */
  endWritten: boolean;
  /**
   * The last chunk was handed to the window. The message says it is `drained` as soon as the
   * last chunk is cut, before it is written: a 200 arriving in between must not complete it.
   */
  lastInWindow: boolean;
  /** A large chunk is being written in slices; it ends itself with `#` on abort. */
  writing: boolean;
  /** The next chunk, read from the source while the message waited aside (SendScheduler). */
  ready: Chunk | undefined;
  /** The transaction id of the chunk whose head {@link chunkHead} made last. */
  transactionId: string;
  /** Settles this message's whole chunks, each with its size as `datum`: one function, not one per chunk. */
  settleChunk?: TransactionSettle;
  /** The To-Path of its chunks, fixed at the first: a message goes to one peer, whole. */
  toPath: readonly MsrpUri[] | undefined;
}

/** A chunk cut from a message: its body and where it starts (1-based, RFC 4975 §9 Byte-Range). */
export interface Chunk {
  body: Uint8Array;
  start: number;
  last: boolean;
}

/**
 * A fresh {@link Sending} for `message`, settled through `resolve` and `reject`. A class
 * instance, not an object literal: V8 tracks each literal's allocation site and, when all the
 * objects of one survived a scavenge (the first messages of a process do), allocates every
 * later one in the old generation ("pretenuring"). A Sending dies a few messages later, there,
 * and keeps what it points to in the young generation alive until a full collection: the
 * sender promoted ~370 bytes per small message (issue 12). `new` has no allocation site.
 */
export function newSending(
  message: OutgoingMessage,
  options: SendOptions,
  resolve: (delivery: Delivery) => void,
  reject: (error: Error) => void,
): Sending {
  return new MessageSending(message, options, resolve, reject);
}

class MessageSending implements Sending {
  readonly started = runNow();
  unlisten: (() => void) | undefined = undefined;
  template?: ChunkHeadTemplate;
  report: StatusHeader | undefined = undefined;
  reportRange: ByteRange | undefined = undefined;
  reported: ReportedRanges | undefined = undefined;
  reportDue = 0;
  reportMs: number | undefined = undefined;
  written = 0;
  endWritten = false;
  lastInWindow = false;
  writing = false;
  ready: Chunk | undefined = undefined;
  transactionId = '';
  settleChunk?: TransactionSettle;
  toPath: readonly MsrpUri[] | undefined = undefined;
  live = false;
  older: Sending | undefined = undefined;
  newer: Sending | undefined = undefined;

  constructor(
    readonly message: OutgoingMessage,
    readonly options: SendOptions,
    readonly resolve: (delivery: Delivery) => void,
    readonly reject: (error: Error) => void,
  ) {}
}

/**
 * The next chunk of `sending`: the one read aside, else one cut from bytes at hand (see
 * `OutgoingMessage.nextNow`: undefined when all were handed out, null when the source must be
 * read first).
 */
export function takeChunk(sending: Sending, max: number): Chunk | undefined | null {
  const { ready } = sending;
  if (!ready) return sending.message.nextNow(max);
  sending.ready = undefined;
  return ready;
}

/** How far `sending`'s message went toward the wire: a chunk read aside has not gone yet. */
export function onWire(sending: Sending): Pick<OutgoingMessage, 'sent' | 'offset' | 'size'> {
  const { message, ready } = sending;
  return ready ? { sent: ready.start - 1, offset: message.offset, size: message.size } : message;
}

/** The result of `sending`, delivered: with the last success REPORT, when one came. */
export function deliveryOf(sending: Sending): Delivery {
  const { message, report, reportRange } = sending;
  const { messageId, confirmed: bytes } = message;
  // Without spreads when there is no REPORT (a chat line): a plain literal.
  return report || reportRange
    ? { messageId, bytes, ...(report && { report }), ...(reportRange && { reportRange }) }
    : { messageId, bytes };
}

/**
 * Where the chunks of `sending` go: its `toPath` option, else the session's path; fixed at its
 * first chunk, so that a message goes whole to one peer though the session follows another.
 */
function toPathOf(sending: Sending, sessionPath: readonly MsrpUri[]): readonly MsrpUri[] {
  return (sending.toPath ??= sending.options.toPath ?? sessionPath);
}

/**
 * The serialized head of a SEND chunk of `sending` under a fresh transaction id, which is left
 * in `sending.transactionId` (no result object per chunk); its range ends at `end` (`*`
 * while a chunk may still be interrupted); `templates` and `ids` are the session's.
 */
export function chunkHead(
  sending: Sending,
  chunk: Chunk,
  end: number | '*',
  sessionPath: readonly MsrpUri[],
  fromPath: readonly MsrpUri[],
  templates: HeadTemplates,
  ids: Pick<TransactionIds, 'next' | 'occursIn'>,
): Uint8Array {
  const { message, options } = sending;
  const toPath = toPathOf(sending, sessionPath);
  const transactionId = nextId(sending, chunk, ids);
  const total = message.size ?? (chunk.last && end !== '*' ? end : '*');
  const extensions = chunk.last ? options.lastChunkHeaders?.() : undefined;
  // The head is built in full only for a template (the first message of its kind in the
  // session) and for a last chunk with extra headers (the file hash); every other chunk is
  // the template with its own transaction id, Message-ID and Byte-Range.
  if (sending.template && !extensions) {
    return sending.template.encodeRange(transactionId, chunk.start, end, total, message.messageId);
  }
  const head: RequestHead = {
    kind: 'request',
    method: 'SEND',
    transactionId,
    toPath,
    fromPath,
    messageId: message.messageId,
    ...(options.successReport && { successReport: 'yes' as const }),
    byteRange: { start: chunk.start, end, total },
    ...(message.contentHeaders.length > 0 && { contentHeaders: message.contentHeaders }),
    contentType: message.contentType,
  };
  if (extensions) return encodeHead({ ...head, extensions });
  // RFC 4975 §9: Message-ID is an ident. A template made for another message of this kind
  // checked only that message's id, and the head carries this one as it is.
  if (!message.idChecked && !IDENT.test(message.messageId)) {
    throw new MsrpError(
      'MSRP_ERR_INVALID_ARGUMENT',
      `Invalid Message-ID ${JSON.stringify(message.messageId)}`,
    );
  }
  sending.template = templates.get(head);
  return sending.template.encodeRange(transactionId, chunk.start, end, total, message.messageId);
}

/**
 * The frame of a whole chunk of `sending` ending with `flag` (see {@link chunkHead}): a chunk of
 * at most `SMALL_BODY` bytes of a message whose head has a template (every chat line but a
 * session's first of its kind) is written as one view, head included.
 */
export function chunkFrame(
  sending: Sending,
  chunk: Chunk,
  flag: ContinuationFlag,
  sessionPath: readonly MsrpUri[],
  fromPath: readonly MsrpUri[],
  templates: HeadTemplates,
  ids: Pick<TransactionIds, 'next' | 'occursIn'>,
): Uint8Array[] {
  const { message, options } = sending;
  const toPath = toPathOf(sending, sessionPath);
  const end = chunk.start + chunk.body.length - 1;
  // A message of a kind the session sent before: its template, found without a head object.
  // RFC 4975 §9: the Message-ID goes into it as it is, so it must be an ident.
  if (
    !sending.template &&
    message.contentHeaders.length === 0 &&
    (message.idChecked || IDENT.test(message.messageId))
  ) {
    const successReport = options.successReport === true;
    sending.template = templates.find(toPath, fromPath, message.contentType, successReport);
  }
  const { template } = sending;
  if (template && !(chunk.last && options.lastChunkHeaders)) {
    const transactionId = nextId(sending, chunk, ids);
    const total = message.size ?? (chunk.last ? end : '*');
    const { start, body } = chunk;
    const one = template.encodeSmallChunk(
      transactionId,
      start,
      end,
      total,
      message.messageId,
      body,
      flag,
    );
    if (one) return [one];
    const head = template.encodeRange(transactionId, start, end, total, message.messageId);
    return encodeChunkFrame(head, body, transactionId, flag);
  }
  const head = chunkHead(sending, chunk, end, toPath, fromPath, templates, ids);
  return encodeChunkFrame(head, chunk.body, sending.transactionId, flag);
}

/** A fresh transaction id for `chunk`, left in `sending.transactionId`. */
function nextId(
  sending: Sending,
  chunk: Chunk,
  ids: Pick<TransactionIds, 'next' | 'occursIn'>,
): string {
  let transactionId = ids.next();
  // RFC 4975 §7.1: the end-line must not occur in the body; pick another id if it does.
  while (ids.occursIn(chunk.body, transactionId)) transactionId = ids.next();
  sending.transactionId = transactionId;
  return transactionId;
}
