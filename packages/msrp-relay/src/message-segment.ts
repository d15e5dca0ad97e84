import type { ByteRange, ContinuationFlag, RequestHead } from '@msrp-ts/msrp-core';
import { encodeEndLine, lendRead, newTransactionId } from '@msrp-ts/msrp-core/internal';
import type { ForwardedRequest } from './forwarded-request.js';

/** A whole segment of a forwarded request, ready to be written as one message. */
interface MessageSegment {
  readonly head: RequestHead;
  /** Head, body pieces and end-line: one `Connection.write`, so one WebSocket message. */
  readonly frame: Uint8Array[];
  /** Body bytes in it. */
  readonly bytes: number;
  readonly flag: ContinuationFlag;
  /** Whether it ends the request (with the sender's own flag, which may be `+` too). */
  readonly last: boolean;
}

/**
 * How much of `request` goes out now toward a message-framed peer (a WebSocket, where each
 * chunk must be exactly one message, RFC 7977 §5.1), or undefined to wait for more body.
 * A SEND goes out in segments of `limit` body bytes, each cut with `+` (RFC 4975 §7.1), and
 * sooner when its sender is held back (`wantsResume`: waiting for more would deadlock); one
 * without Byte-Range too, under a Byte-Range the relay adds (see {@link takeSegment}). Any
 * other request cannot be cut (RFC 4975 §7.1: only SEND is chunked), so it waits for its
 * end-line; its body is small (`MAX_NON_SEND_BODY`).
 */
export function readySegmentBytes(request: ForwardedRequest, limit: number): number | undefined {
  const r = request;
  if (r.done) return undefined;
  if (r.ended !== undefined) {
    if (!r.isSend || r.queued <= limit) return r.queued;
    return limit;
  }
  if (!r.isSend || r.queued === 0) return undefined;
  // Past a full segment, not at it: the last bytes wait for the end-line to go with them,
  // rather than leave an empty last chunk.
  if (r.queued > limit) return limit;
  return r.wantsResume ? r.queued : undefined;
}

/**
 * Takes `bytes` body bytes off the front of `request`'s queue (a piece is split with a view
 * if need be) and frames them as one segment. The first segment keeps the request's
 * transaction id; later ones get a new one. A segment of a cut chunk carries the exact
 * Byte-Range of its bytes (RFC 4975 §7.1: a new transaction, starting where the last
 * stopped); the flag is the sender's once its last byte goes, `+` before. A SEND without
 * Byte-Range holds the whole message (RFC 4975 §7.1.1), so once cut its segments carry
 * `1-N/*` and on: the total is `*` (RFC 4975 §9 allows it) until its `$` is in hand.
 */
function takeSegment(request: ForwardedRequest, bytes: number): MessageSegment {
  const r = request;
  const pieces: Uint8Array[] = [];
  let taken = 0;
  while (taken < bytes) {
    const part = r.parts[0]!;
    const want = bytes - taken;
    if (part.length <= want) {
      r.parts.shift();
      pieces.push(part);
      taken += part.length;
    } else {
      pieces.push(part.subarray(0, want));
      // Two views now, each given back once written: a lend each.
      const rest = part.subarray(want);
      lendRead(rest);
      r.parts[0] = rest;
      taken += want;
    }
  }
  r.queued -= taken;
  const last = r.ended !== undefined && r.queued === 0;
  const flag: ContinuationFlag = last ? r.ended! : '+';
  const head = segmentHead(request, taken, last);
  request.sent += taken;
  const frame = [
    request.encodeHead(head),
    ...pieces,
    encodeEndLine(head.transactionId, flag, r.hasBody),
  ];
  return { head, frame, bytes: taken, flag, last };
}

/**
 * Writes the next segment of `request` (see {@link takeSegment}) with `write`, telling its
 * owner as a head and an end-line would. Returns whether more of the request is to come.
 */
export function writeSegment(
  request: ForwardedRequest,
  bytes: number,
  write: (frame: Uint8Array[]) => void,
): boolean {
  const segment = takeSegment(request, bytes);
  const tid = segment.head.transactionId;
  request.events.segment(tid, request.sent - bytes);
  write(segment.frame);
  request.events.segmentEnd(tid, bytes, segment.flag);
  if (segment.last) request.done = true;
  return !segment.last;
}

function segmentHead(request: ForwardedRequest, bytes: number, last: boolean): RequestHead {
  const head = request.head;
  // Whole as it came: nothing to rewrite.
  if (request.sent === 0 && last) return head;
  const range = head.byteRange ?? impliedRange(request, bytes);
  const start = range.start + request.sent;
  const end = last && bytes === 0 ? range.end : start + bytes - 1;
  return {
    ...head,
    transactionId: request.sent === 0 ? head.transactionId : newTransactionId(),
    byteRange: { start, end, total: range.total },
  };
}

/**
 * The Byte-Range of a SEND that came without one, which holds the whole message (RFC 4975
 * §7.1.1): it starts at 1; its end and total are known once the sender's `$` is in hand.
 */
function impliedRange(request: ForwardedRequest, bytes: number): ByteRange {
  if (request.ended !== '$') return { start: 1, end: '*', total: '*' };
  const total = request.sent + bytes + request.queued;
  return { start: 1, end: total, total };
}

/**
 * The head of `request`'s next segment toward a stream-framed peer: its own for the first;
 * for a resumed chunk a new transaction, its Byte-Range starting where the cut one stopped
 * (RFC 4975 §7.1).
 */
export function resumedHead(request: ForwardedRequest): RequestHead {
  const head = request.head;
  if (request.sent === 0) return head;
  const range = head.byteRange!;
  return {
    ...head,
    transactionId: newTransactionId(),
    byteRange: { start: range.start + request.sent, end: range.end, total: range.total },
  };
}
