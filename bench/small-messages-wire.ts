// What the small-messages baselines put on the wire: raw TCP's fixed-size messages and answers,
// and the floor of MSRP itself (the same frames the library writes, made and read by hand).
// Pure byte handling: the socket loops in small-messages-peer.ts drive either.

/** Bytes per message, and per answer of the raw baseline (issue 12). */
export const MESSAGE_BYTES = 100;
export const ANSWER_BYTES = 60;

/** The answering side: what one socket read completed, and the bytes that answer it. */
export interface EchoWire {
  /** Takes a read; returns how many messages it completed and their answers (none: empty). */
  read(b: Buffer): { messages: number; answer: Buffer };
}

/** The sending side: `k` messages as one write, and how many answers a read completed. */
export interface SourceWire {
  frames(k: number): Buffer;
  answers(b: Buffer): number;
}

/** Which baseline: raw TCP (issue 12's), or the MSRP floor. */
export type WireKind = 'raw' | 'floor';

/** Raw TCP: 100-byte messages, a 60-byte answer to each, counted by size. */
export function rawEcho(): EchoWire {
  let partial = 0;
  return {
    read(b) {
      const messages = Math.floor((partial + b.length) / MESSAGE_BYTES);
      partial = (partial + b.length) % MESSAGE_BYTES;
      return { messages, answer: Buffer.alloc(messages * ANSWER_BYTES, 0x41) };
    },
  };
}

/** Raw TCP's sending side: its 100-byte messages, its answers counted by size. */
export function rawSource(): SourceWire {
  const message = Buffer.alloc(MESSAGE_BYTES, 0x61);
  let partial = 0;
  return {
    frames: (k) => (k === 1 ? message : Buffer.concat(Array<Buffer>(k).fill(message))),
    answers(b) {
      const answers = Math.floor((partial + b.length) / ANSWER_BYTES);
      partial = (partial + b.length) % ANSWER_BYTES;
      return answers;
    },
  };
}

const TO = 'msrp://127.0.0.1:2855/3204db143297bbaa46ea3d2b;tcp';
const FROM = 'msrp://e913b018319e61adeaac8d13.invalid:2855/69f83d5d0f067e1062b8dde2;tcp';
const HEAD_END = Buffer.from('\r\n\r\n');
const BYTE_RANGE = Buffer.from('\r\nByte-Range: 1-');
const DASH = 0x2d;

/** Writes `bytes` (a few: a loop beats a native copy's call) at `o`; returns the offset after. */
function put(out: Buffer, o: number, bytes: Uint8Array, from = 0, to = bytes.length): number {
  for (let i = from; i < to; i++) out[o++] = bytes[i]!;
  return o;
}

/** Writes `n` in base 36 (as `toString(36)`) at `o`; returns the offset after it. */
function putBase36(out: Buffer, o: number, n: number): number {
  let digits = 1;
  for (let m = n; m >= 36; m = Math.floor(m / 36)) digits++;
  for (let i = o + digits - 1; i >= o; i--, n = Math.floor(n / 36)) {
    const d = n % 36;
    out[i] = d < 10 ? 0x30 + d : 0x57 + d;
  }
  return o + digits;
}

/** Whether `b` holds the bytes of `what` at `at`. */
function holds(b: Buffer, at: number, what: Uint8Array, from = 0, to = what.length): boolean {
  if (at + to - from > b.length) return false;
  for (let i = from; i < to; i++) if (b[at++] !== what[i]) return false;
  return true;
}

const END_LINE = Buffer.from('\n-------');
/** Where the dashes of the next end-line (`CRLF "-------"`) from `from` start; -1: none yet. */
function dashes(b: Buffer, from: number): number {
  const at = b.indexOf(END_LINE, from);
  return at < 0 ? -1 : at + 1;
}

/**
 * The MSRP floor's sender: SEND frames of the bytes the library writes for a 100-byte
 * `sendMany()` message (ids a random prefix and a counter), written from three constant parts
 * with only the ids put in; each answer is checked, byte by byte, to be the 200 of the oldest
 * one in flight. What an MSRP sender in Node spends at the least: no object, string or lookup
 * per message.
 */
export function floorSource(): SourceWire {
  const prefix = Buffer.from('FF7BA29F6AE58616');
  const part1 = Buffer.from('MSRP ');
  const part2 = Buffer.from(
    ` SEND\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\nMessage-ID: 55bfbdad7b5aff24`,
  );
  const part3 = Buffer.from(
    `\r\nByte-Range: 1-${MESSAGE_BYTES}/${MESSAGE_BYTES}\r\nContent-Type: text/plain\r\n\r\n${'a'.repeat(MESSAGE_BYTES)}\r\n-------`,
  );
  const ok = Buffer.from(' 200 ');
  const most = part1.length + part2.length + part3.length + 3 * (prefix.length + 12) + 3;
  /** The id an answer must carry: the prefix and the counter's digits. */
  const expected = Buffer.alloc(prefix.length + 12);
  prefix.copy(expected);
  let sent = 0;
  let answered = 0;
  let rest = Buffer.alloc(0);
  return {
    frames(k) {
      const out = Buffer.allocUnsafe(k * most);
      let o = 0;
      for (let i = 0; i < k; i++, sent++) {
        o = put(out, o, part1);
        const id = o;
        o = putBase36(out, put(out, o, prefix), sent);
        const idEnd = o;
        o += part2.copy(out, o);
        o = put(out, o, out, id + prefix.length, idEnd); // the Message-ID's counter
        o += part3.copy(out, o);
        o = put(out, o, out, id, idEnd);
        out[o++] = 0x24; // '$'
        out[o++] = 0x0d;
        out[o++] = 0x0a;
      }
      return out.subarray(0, o);
    },
    answers(read) {
      const b = rest.length > 0 ? Buffer.concat([rest, read]) : read;
      let pos = 0;
      let n = 0;
      for (;;) {
        const idLength = putBase36(expected, prefix.length, answered);
        const after = pos + 5 + idLength;
        // "MSRP " id " 200 " ... CRLF "-------" id "$" CRLF
        const at = after + ok.length > b.length ? -1 : dashes(b, after + ok.length);
        if (at < 0 || at + 7 + idLength + 3 > b.length) break;
        if (
          !holds(b, pos, part1) ||
          !holds(b, pos + 5, expected, 0, idLength) ||
          !holds(b, after, ok) ||
          !holds(b, at + 7, expected, 0, idLength) ||
          b[at + 7 + idLength] !== 0x24
        )
          throw new Error('floor: not the 200 of the oldest SEND in flight');
        pos = at + 7 + idLength + 3;
        answered++;
        n++;
      }
      rest = Buffer.from(b.subarray(pos));
      return n;
    },
  };
}

/**
 * The MSRP floor's receiver: per SEND, the transaction id from its start line, the head's end,
 * the body's length from Byte-Range and the end-line after it, byte by byte; the 200 is a
 * constant template (paths as the first frame's, swapped) with the id put in, all of a read's
 * 200s in one write.
 */
export function floorEcho(): EchoWire {
  let rest = Buffer.alloc(0);
  let middle: Buffer | undefined;
  const part1 = Buffer.from('MSRP ');
  return {
    read(read) {
      const b = rest.length > 0 ? Buffer.concat([rest, read]) : read;
      let pos = 0;
      let messages = 0;
      // A 200 is shorter than the SEND it answers.
      const out = Buffer.allocUnsafe(b.length);
      let o = 0;
      for (;;) {
        let idEnd = pos + 5;
        while (idEnd < b.length && b[idEnd] !== 0x20) idEnd++;
        const headEnd = idEnd < b.length ? b.indexOf(HEAD_END, idEnd) : -1;
        if (headEnd < 0) break;
        let p = b.indexOf(BYTE_RANGE, idEnd) + BYTE_RANGE.length;
        let body = 0;
        for (let c = b[p]!; c !== 0x2f; c = b[++p]!) body = body * 10 + c - 0x30;
        const bodyEnd = headEnd + 4 + body;
        const next = bodyEnd + 9 + (idEnd - pos - 5) + 3;
        if (next > b.length) break;
        if (
          b[bodyEnd] !== 0x0d ||
          b[bodyEnd + 8] !== DASH ||
          !holds(b, bodyEnd + 9, b, pos + 5, idEnd)
        )
          throw new Error('floor: no end-line after the body');
        middle ??= answerMiddle(b.toString('latin1', pos, headEnd));
        o = put(out, o, part1);
        o = put(out, o, b, pos + 5, idEnd);
        o += middle.copy(out, o);
        o = put(out, o, b, pos + 5, idEnd);
        out[o++] = 0x24;
        out[o++] = 0x0d;
        out[o++] = 0x0a;
        pos = next;
        messages++;
      }
      rest = Buffer.from(b.subarray(pos));
      return { messages, answer: out.subarray(0, o) };
    },
  };
}

/** The constant middle of the 200 answering a SEND with this head (its paths swapped). */
function answerMiddle(head: string): Buffer {
  const path = (name: string): string => head.split(`\r\n${name}: `)[1]!.split('\r\n')[0]!;
  return Buffer.from(
    ` 200 OK\r\nTo-Path: ${path('From-Path')}\r\nFrom-Path: ${path('To-Path')}\r\n-------`,
  );
}
