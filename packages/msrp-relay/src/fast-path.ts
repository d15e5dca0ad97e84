import type { MsrpUri, RequestHead, ResponseHead } from '@msrp-ts/msrp-core';
import { formatHead, formatUri, identEnd } from '@msrp-ts/msrp-core/internal';
import type { Hop } from './hop.js';
import type { RelaySession } from './relay-session.js';
import type { RelayStats } from './relay-stats.js';
import { sameMessageFields } from './forward-template.js';
import {
  ascii,
  begin,
  digitCount,
  digits,
  match,
  pattern,
  put,
  same,
  take,
  type Pattern,
} from './fast-path-bytes.js';
import { holds, type RouteMemo } from './router.js';
import { forwardedWhole } from './whole-forward.js';

/** What a hop's {@link FastPath} needs from its relay. */
export interface FastPathContext {
  readonly stats: RelayStats;
  /** Body bytes of a SEND taken whole: `WholeForward`'s bound within `maxChunkSize`. */
  readonly maxBody: number;
  readonly maxPendingTransactions: number;
  /** The parser's bound on a head (`maxHeaderBytes`): a head near it is left to the parser. */
  readonly maxHeaderBytes: number;
  /** Milliseconds to wait for a next hop's response (RFC 4975 §7.1). */
  readonly transactionTimeout: number;
  readonly sessionOf: (id: string) => RelaySession | undefined;
  closing(): boolean;
  /** A transaction id for a forwarded request (the `Forwarder`'s). */
  nextId(): string;
  /** A response from a next hop, as the parser would hand it to the `Forwarder`. */
  response(hop: Hop, response: ResponseHead): void;
}

/**
 * The bytes of the last request of one method a hop's client sent whole and the relay
 * forwarded whole (`WholeForward`), as `formatHead` writes them, cut around the values that
 * change from one message to the next: the transaction id, the Message-ID, the Byte-Range.
 */
interface RequestTemplate {
  readonly memo: RouteMemo;
  readonly target: Hop;
  readonly head: RequestHead;
  /** After the transaction id, up to the Message-ID value: ` SEND CRLF To-Path: ...`. */
  readonly inbound: Pattern;
  /** The same as forwarded: its To-Path and From-Path rewritten (RFC 4976 §7.1). */
  readonly outbound: Buffer;
  /** After the Message-ID value, up to the Byte-Range value. */
  readonly middle: Pattern;
  /** After the Byte-Range value to the end of the head (its blank line, when a body follows). */
  readonly tail: Pattern;
  /** ` 200 OK CRLF To-Path: ... From-Path: ... CRLF -------` answering a SEND, if it is answered. */
  readonly ok: Buffer | undefined;
}

/** A 200 OK from a next hop, as the last one was, but for its transaction id. */
interface OkTemplate {
  readonly toPath: readonly MsrpUri[];
  readonly fromPath: readonly MsrpUri[];
  /** `OK` or none, as the status line had it. */
  readonly comment: 'OK' | undefined;
  /** After the transaction id: ` 200 OK CRLF To-Path: ... CRLF From-Path: ... CRLF -------`. */
  readonly rest: Pattern;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const DASH = 0x2d;
const DOLLAR = 0x24;
const SLASH = 0x2f;
const MSRP_SP = Buffer.from('MSRP ');
const END_MARK = Buffer.from('\r\n-------');
const DASHES = Buffer.from('-------');
const END_FLAG = Buffer.from('$\r\n');
const MESSAGE_ID = '\r\nMessage-ID: ';
const BYTE_RANGE = '\r\nByte-Range: ';

/**
 * What a read's frames write, by connection, sent once the read is done: one write of a
 * read's frames rather than one per frame (a Writable's write costs more than the copy).
 * Shared: a read is taken synchronously, and nothing it calls reads another.
 */
const outHops: Hop[] = [];
const outParts: Uint8Array[][] = [];

/**
 * The byte-level fast path of one client connection (issue 13: small messages through the
 * relay). A frame that lies whole in one socket read, read at a frame boundary, and whose
 * head is byte for byte the last one the relay forwarded whole on the same route but for
 * its transaction id, Message-ID and Byte-Range values, is forwarded as bytes: its paths
 * rewritten from the template (RFC 4976 §7.1), the rest copied, the 200 written from a
 * template (RFC 4976 §7.2). The same holds as for that frame: the parser would read the same
 * head (the values are checked as it checks them), the route's relay sessions are checked
 * to exist still, the next hop has nothing queued and room for pending transactions, the
 * body is within its Byte-Range and bounds. A 200 from a next hop, as the last one was but
 * for its transaction id, settles its request. Anything else is left to the parser.
 */
export class FastPath {
  readonly #context: FastPathContext;
  readonly #hop: Hop;
  #send: RequestTemplate | undefined;
  #report: RequestTemplate | undefined;
  #ok: OkTemplate | undefined;
  /** `-------` and the transaction id of the frame a read ended in, left to the parser. */
  #unfinished: Buffer | undefined;

  constructor(context: FastPathContext, hop: Hop) {
    this.#context = context;
    this.#hop = hop;
  }

  /**
   * Learns `request`, which arrived on this hop and was forwarded whole to `target` as
   * `forwarded` by the route the hop decided last.
   */
  learn(request: RequestHead, forwarded: RequestHead, target: Hop): void {
    const memo = this.#hop.lastRoute;
    const method = request.method;
    if (memo?.route.to !== target || (method !== 'SEND' && method !== 'REPORT')) return;
    const known = method === 'SEND' ? this.#send : this.#report;
    if (known?.memo === memo && known.target === target && sameMessageFields(known.head, request))
      return;
    const inbound = cut(request);
    const outbound = cut(forwarded);
    if (!inbound || !outbound || !inbound.rest.equals(outbound.rest)) return;
    const [middle, tail] = inbound.rest.toString('latin1').split('\u0000') as [string, string];
    let ok: Buffer | undefined;
    const failureReport = request.failureReport;
    if (method === 'SEND' && failureReport !== 'no' && failureReport !== 'partial') {
      const paths = `To-Path: ${formatUri(request.fromPath[0]!)}\r\nFrom-Path: ${formatUri(request.toPath[0]!)}`;
      ok = Buffer.from(` 200 OK\r\n${paths}\r\n-------`);
    }
    const template: RequestTemplate = {
      memo,
      target,
      head: request,
      inbound: pattern(inbound.before),
      outbound: outbound.before,
      middle: pattern(Buffer.from(middle, 'latin1')),
      tail: pattern(Buffer.from(tail, 'latin1')),
      ok,
    };
    if (method === 'SEND') this.#send = template;
    else this.#report = template;
  }

  /** Learns a 200 OK from the next hop at this hop's end, settled by the parser's way. */
  learnResponse(response: ResponseHead): void {
    const { transactionId, statusCode, toPath, fromPath } = response;
    const comment = response.comment;
    // A 200 with its paths and at most the comment OK: what endpoints send for a chunk.
    const fields = comment === undefined ? 5 : comment === 'OK' ? 6 : 0;
    if (statusCode !== 200 || Object.keys(response).length !== fields) return;
    const known = this.#ok;
    if (known?.toPath === toPath && known.fromPath === fromPath) return;
    const text = formatHead(response);
    const rest = Buffer.from(`${text.slice(5 + transactionId.length)}-------`);
    this.#ok = { toPath, fromPath, comment: fields === 6 ? 'OK' : undefined, rest: pattern(rest) };
  }

  /** Takes the whole frames at the start of `buf` it can; returns where the rest begins. */
  read(buf: Buffer): number {
    // A connection that never had a frame forwarded whole (a file's chunks) has none to take.
    if (this.#context.closing() || (!this.#send && !this.#report && !this.#ok)) return 0;
    let pos = 0;
    while (pos < buf.length) {
      const next = this.#frame(buf, pos);
      if (next < 0) break;
      pos = next;
    }
    if (outHops.length > 0) this.#flush();
    // The frame it stopped at may go on in the next read: its end-line is looked for there.
    this.#unfinished = undefined;
    const tidEnd = pos < buf.length && same(buf, pos, MSRP_SP, 0, 5) ? identEnd(buf, pos + 5) : -1;
    if (tidEnd > 0 && buf[tidEnd] === SP)
      this.#unfinished = Buffer.concat([DASHES, buf.subarray(pos + 5, tidEnd)]);
    return pos;
  }

  /**
   * Where, in `buf`, the frame the last read left to the parser ends (after its end-line),
   * when that read held its start line; -1 when that is not known. Only a guess: the caller
   * asks the connection whether its parser is then at a frame start.
   */
  finish(buf: Buffer): number {
    const mark = this.#unfinished;
    this.#unfinished = undefined;
    if (mark === undefined) return -1;
    const at = buf.indexOf(mark);
    if (at >= 0) {
      const flagAt = at + mark.length;
      if (flagAt + 3 > buf.length || !isFlag(buf[flagAt]!)) return -1;
      return buf[flagAt + 1] === CR && buf[flagAt + 2] === LF ? flagAt + 3 : -1;
    }
    // The last read may have cut the end-line itself: this one begins with the rest of it.
    const line = mark.length + 3;
    for (let j = 1; j < line; j++) {
      const n = line - j;
      let k = 0;
      for (; k < n && k < buf.length; k++) {
        const i = j + k;
        const b = buf[k]!;
        if (
          i < mark.length
            ? b !== mark[i]
            : i === mark.length
              ? !isFlag(b)
              : b !== (i === line - 2 ? CR : LF)
        )
          break;
      }
      if (k === n) return n;
    }
    return -1;
  }

  /** Queues `bytes` for `hop` (see {@link outHops}). */
  #queue(hop: Hop, bytes: Uint8Array): void {
    const hops = outHops;
    const i = hops.indexOf(hop);
    if (i >= 0) outParts[i]!.push(bytes);
    else {
      hops.push(hop);
      outParts.push([bytes]);
    }
  }

  /**
   * Sends what the read's frames wrote: each connection's scheduler was quiet, so its frames go
   * out at once, ahead of whatever the rest of the read (the parser's) writes.
   */
  #flush(): void {
    // Emptied before sending: whatever a send sets off finds them empty.
    const hops = outHops.splice(0);
    const parts = outParts.splice(0);
    for (let i = 0; i < hops.length; i++) {
      const list = parts[i]!;
      hops[i]!.scheduler.send([list.length === 1 ? list[0]! : Buffer.concat(list)]);
    }
  }

  /** Takes the frame at `p`; -1 when it is not one for the fast path. */
  #frame(buf: Buffer, p: number): number {
    if (p + 48 > buf.length || !same(buf, p, MSRP_SP, 0, 5)) return -1;
    const tidAt = p + 5;
    const tidEnd = identEnd(buf, tidAt);
    if (tidEnd < 0 || buf[tidEnd] !== SP) return -1;
    if (buf[tidEnd + 1] === 0x32) return this.#okResponse(buf, tidAt, tidEnd);
    const send = this.#send;
    if (send && match(buf, tidEnd, send.inbound)) return this.#request(buf, tidAt, tidEnd, send);
    const report = this.#report;
    if (report && match(buf, tidEnd, report.inbound))
      return this.#request(buf, tidAt, tidEnd, report);
    return -1;
  }

  #request(buf: Buffer, tidAt: number, tidEnd: number, t: RequestTemplate): number {
    const context = this.#context;
    const midAt = tidEnd + t.inbound.bytes.length;
    const midEnd = identEnd(buf, midAt);
    if (midEnd < 0 || buf[midEnd] !== CR || !match(buf, midEnd, t.middle)) return -1;
    // RFC 4975 §9: range-start "-" range-end "/" total; digits only here.
    const rangeAt = midEnd + t.middle.bytes.length;
    const start = digits(buf, rangeAt, DASH);
    if (start < 0) return -1;
    const endAt = rangeAt + digitCount + 1;
    const end = digits(buf, endAt, SLASH);
    if (end < 0) return -1;
    const totalAt = endAt + digitCount + 1;
    const total = digits(buf, totalAt, CR);
    if (total < 0) return -1;
    const rangeEnd = totalAt + digitCount;
    if (!match(buf, rangeEnd, t.tail)) return -1;
    const headEnd = rangeEnd + t.tail.bytes.length;
    // Its ids may be longer than the template's: far within the parser's bound, or its way.
    if (headEnd - tidAt > context.maxHeaderBytes - 256) return -1;
    const isSend = t.head.method === 'SEND';
    let bodyEnd = headEnd;
    if (isSend) {
      // A whole message within bounds, as `WholeForward.fits` asks; its end-line right after
      // it, and no earlier one (the parser ends the body at the first).
      if (start !== 1 || end !== total || total < 1 || total > context.maxBody) return -1;
      bodyEnd = headEnd + total;
      if (buf.indexOf(END_MARK, headEnd) !== bodyEnd) return -1;
    }
    // The end-line: `-------` tid `$` CRLF (RFC 4975 §9), after CRLF when there is a body.
    const lineAt = isSend ? bodyEnd + 2 : headEnd;
    const tidLength = tidEnd - tidAt;
    const flagAt = lineAt + 7 + tidLength;
    if (flagAt + 3 > buf.length || !same(buf, lineAt, DASHES, 0, 7)) return -1;
    if (!same(buf, lineAt + 7, buf, tidAt, tidLength)) return -1;
    if (buf[flagAt] !== DOLLAR || buf[flagAt + 1] !== CR || buf[flagAt + 2] !== LF) return -1;
    // The route: its relay sessions are still there; the next hop can take it now.
    const origin = this.#hop;
    const target = t.target;
    if (origin.lastRoute !== t.memo || !holds(t.memo, context.sessionOf)) return -1;
    if (!target.scheduler.quiet || target.awaitsTooMany(context.maxPendingTransactions)) return -1;
    const tid = buf.toString('latin1', tidAt, tidEnd);
    const newTid = context.nextId();
    const request: RequestHead = {
      ...t.head,
      transactionId: tid,
      messageId: buf.toString('latin1', midAt, midEnd),
      byteRange: { start, end, total },
    };
    begin(2 * (5 + newTid.length + 10) + t.outbound.length + bodyEnd - midAt);
    put(MSRP_SP);
    ascii(newTid);
    put(t.outbound);
    put(buf, midAt, bodyEnd);
    put(isSend ? END_MARK : DASHES);
    ascii(newTid);
    put(END_FLAG);
    const frame = take();
    forwardedWhole(context, origin, request, target, newTid, bodyEnd - headEnd);
    context.stats.fastPathFrames++;
    this.#queue(target, frame);
    const ok = t.ok;
    if (ok) {
      // Hop by hop (RFC 4976 §7.2): the relay answers the chunk itself.
      begin(5 + 2 * tidLength + ok.length + 3);
      put(MSRP_SP);
      put(buf, tidAt, tidEnd);
      put(ok);
      put(buf, tidAt, tidEnd);
      put(END_FLAG);
      this.#queue(origin, take());
    }
    return flagAt + 3;
  }

  #okResponse(buf: Buffer, tidAt: number, tidEnd: number): number {
    const t = this.#ok;
    if (t === undefined || !match(buf, tidEnd, t.rest)) return -1;
    const lineAt = tidEnd + t.rest.bytes.length;
    const flagAt = lineAt + tidEnd - tidAt;
    if (flagAt + 3 > buf.length || !same(buf, lineAt, buf, tidAt, tidEnd - tidAt)) return -1;
    if (buf[flagAt] !== DOLLAR || buf[flagAt + 1] !== CR || buf[flagAt + 2] !== LF) return -1;
    const hop = this.#hop;
    // The head the parser would give, to the Forwarder as from the parser.
    const transactionId = buf.toString('latin1', tidAt, tidEnd);
    const { toPath, fromPath, comment } = t;
    const head: ResponseHead = {
      kind: 'response',
      transactionId,
      statusCode: 200,
      toPath,
      fromPath,
    };
    if (comment !== undefined) head.comment = comment;
    this.#context.response(hop, head);
    this.#context.stats.fastPathFrames++;
    return flagAt + 3;
  }
}

/** RFC 4975 §9: an end-line's flag, `$`, `+` or `#`. */
function isFlag(b: number): boolean {
  return b === DOLLAR || b === 0x2b || b === 0x23;
}

/**
 * `head` as `formatHead` writes it, cut: `before`, from after the transaction id to the
 * Message-ID value; `rest`, after it to the end, the Byte-Range value replaced by a NUL.
 * Undefined when the head has no Message-ID or Byte-Range.
 */
function cut(head: RequestHead): { before: Buffer; rest: Buffer } | undefined {
  const { transactionId, messageId, byteRange } = head;
  if (messageId === undefined || byteRange === undefined) return undefined;
  const text = formatHead(head);
  const range = `${byteRange.start}-${byteRange.end}/${byteRange.total}`;
  const id = text.indexOf(`${MESSAGE_ID}${messageId}\r\n`);
  const at = text.indexOf(`${BYTE_RANGE}${range}\r\n`);
  if (id < 0 || at < id) return undefined;
  const idAt = id + MESSAGE_ID.length;
  const rangeAt = at + BYTE_RANGE.length;
  return {
    before: Buffer.from(text.slice(5 + transactionId.length, idAt)),
    rest: Buffer.from(
      `${text.slice(idAt + messageId.length, rangeAt)}\u0000${text.slice(rangeAt + range.length)}`,
      'latin1',
    ),
  };
}
