import { parseByteRangeBytes } from './byte-range.js';
import { copyBytes, decodeUtf8 } from './bytes.js';
import { identEnd } from './grammar.js';
import { BYTE_RANGE, isName, MESSAGE_ID } from './header-block.js';
import type { RequestHead } from './head.js';
import type { ByteRange } from './byte-range.js';
import { FLAGS } from './end-line-scanner.js';
import type { ContinuationFlag } from './frame-sink.js';
import { PushView, sameWords } from './same-words.js';
import type { RequestLineReader } from './start-line.js';

const TAB = 0x09;
const CR = 0x0d;
const SP = 0x20;
const COLON = 0x3a;
const LF = 0x0a;

/** Where a changing value lies in the remembered block. */
interface Slot {
  readonly from: number;
  readonly to: number;
  readonly kind: 'messageId' | 'byteRange';
}

interface Template {
  /**
   * The header block and the blank line after it: `CRLF CRLF` included; a bodiless request's
   * (a REPORT) up to the CRLF its end-line begins with, not included.
   */
  readonly block: Uint8Array;
  readonly blockView: DataView;
  /** Message-ID and Byte-Range values, in the order they come. */
  readonly slots: readonly Slot[];
  readonly head: RequestHead;
  /** The Message-ID value's bytes, to reuse its string when the next chunk has the same. */
  messageIdBytes: Uint8Array | undefined;
  /** The head has the fields of a chunk and no other, in {@link CHUNK_FIELDS}' order. */
  readonly chunk: boolean;
  /** The head has the fields of a REPORT and no other, in {@link REPORT_FIELDS}' order. */
  readonly report: boolean;
}

/** A chunk's head as the parser makes it (the start line's fields, then the header lines). */
const CHUNK_FIELDS = 'kind transactionId method toPath fromPath messageId byteRange contentType';
/** A REPORT's head as the parser makes it. */
const REPORT_FIELDS = 'kind transactionId method toPath fromPath messageId byteRange status';

/**
 * The header block of the last request the parser read whole, as a template: the frames of a
 * session repeat it byte for byte (To-Path, From-Path, Content-Type...) but for the values of
 * Message-ID and Byte-Range. A head that matches it is read in one pass over its bytes, with
 * only those two values parsed; everything else was checked when the template was read.
 */
export class HeadTemplate {
  #last: Template | undefined;
  /**
   * Whether this template is of bodiless requests (REPORTs): their block ends at the end-line,
   * which a match then checks too. A run of success REPORTs repeats its block as a run of
   * chunks does, but for the Message-ID and Byte-Range values.
   */
  readonly #bodiless: boolean;
  /**
   * After a {@link match}: where the body of the head matched begins; of a bodiless one, where
   * the next frame begins (after its end-line).
   */
  end = 0;
  /** After a {@link match} of a bodiless template: the flag of the frame's end-line. */
  flag: ContinuationFlag = '$';
  readonly #view = new PushView();
  /**
   * The Message-ID decoded last and where its bytes lie in the push `#idIn`: the chunks of a
   * message that is not the template's repeat it, eight 8 KiB chunks per 64 KiB read.
   */
  #id = '';
  #idIn: Uint8Array | undefined;
  #idAt = 0;
  #idEnd = 0;

  constructor(bodiless = false) {
    this.#bodiless = bodiless;
  }

  /**
   * Keeps the header block `buf[from, to)` of `head`, read and checked, with the blank line
   * that ends it (`to` is where its `CRLF CRLF` begins); of a bodiless template, without it
   * (`to` is where the end-line's CRLF begins).
   */
  remember(buf: Uint8Array, from: number, to: number, head: RequestHead): void {
    const slots: Slot[] = [];
    for (let p = from; p < to;) {
      let e = buf.indexOf(CR, p);
      if (e < 0 || e > to) e = to;
      const kind =
        e - p > 11 && buf[p + 10] === COLON
          ? isName(buf, p, MESSAGE_ID)
            ? 'messageId'
            : isName(buf, p, BYTE_RANGE)
              ? 'byteRange'
              : undefined
          : undefined;
      if (kind !== undefined) {
        let v = p + 11;
        while (buf[v] === SP || buf[v] === TAB) v++;
        slots.push({ from: v - from, to: e - from, kind });
      }
      p = e + 2;
    }
    const messageId = slots.find((s) => s.kind === 'messageId');
    const block = copyBytes(buf.subarray(from, this.#bodiless ? to : to + 4));
    const fields = Object.keys(head).join(' ');
    this.#last = {
      block,
      blockView: new DataView(block.buffer, block.byteOffset, block.length),
      slots,
      // A copy: the sink owns the head it was given.
      head: { ...head },
      chunk: fields === CHUNK_FIELDS,
      report: fields === REPORT_FIELDS,
      messageIdBytes:
        messageId && copyBytes(buf.subarray(from + messageId.from, from + messageId.to)),
    };
  }

  /** Lets go of the array matched last (the parser is done with its push). */
  release(): void {
    this.#view.release();
    this.#idIn = undefined;
  }

  /**
   * The head of the request whose start line was `start`, when its header block, from `from`,
   * is the remembered one but for valid Message-ID and Byte-Range values, whole before
   * `limit`; else undefined. {@link end} is then where its body begins (a field: no result
   * object per chunk). A bodiless template's head must be followed by `endLine` (`CRLF
   * "-------" transact-id`), a flag and CRLF: {@link end} is then after them, {@link flag}
   * the flag.
   */
  match(
    buf: Uint8Array,
    from: number,
    limit: number,
    start: RequestLineReader,
    endLine?: Uint8Array,
  ): RequestHead | undefined {
    const t = this.#last;
    if (t === undefined || t.head.method !== start.method) return undefined;
    const block = t.block;
    const blockView = t.blockView;
    const view = this.#view.of(buf);
    let p = from;
    let q = 0;
    let messageId = t.head.messageId;
    let byteRange: ByteRange | undefined = t.head.byteRange;
    for (const slot of t.slots) {
      const n = slot.from - q;
      if (p + n > limit || !sameWords(buf, view, p, block, blockView, q, n)) return undefined;
      p += n;
      q = slot.to;
      // A value up to CR, which the next constant part shows is followed by LF.
      let e: number;
      if (slot.kind === 'messageId') {
        // Found and checked in one pass: ident-chars never include CR.
        e = identEnd(buf, p);
        if (e < 0 || e >= limit || buf[e] !== CR) return undefined;
        messageId = this.#messageId(t, buf, p, e);
      } else if (this.#sameValue(buf, p, limit, block, slot)) {
        // The template's range (a run of messages of one size): its ByteRange, as it is.
        e = p + slot.to - slot.from;
        byteRange = t.head.byteRange;
      } else {
        e = p;
        while (e < limit && buf[e] !== CR) e++;
        if (e >= limit) return undefined;
        byteRange = parseByteRangeBytes(buf, p, e);
        if (byteRange === undefined) return undefined;
      }
      p = e;
    }
    const n = block.length - q;
    if (p + n > limit || !sameWords(buf, view, p, block, blockView, q, n)) return undefined;
    p += n;
    if (this.#bodiless) {
      // The end-line, its flag and CRLF (RFC 4975 §7.1); the block holds no end-line: its
      // lines are the template's headers, and the values in its slots hold no CRLF.
      if (endLine === undefined || p + endLine.length + 3 > buf.length) return undefined;
      for (let k = 0; k < endLine.length; k++) if (buf[p + k] !== endLine[k]) return undefined;
      p += endLine.length;
      const flag = FLAGS[buf[p]!];
      if (flag === undefined || buf[p + 1] !== CR || buf[p + 2] !== LF) return undefined;
      this.flag = flag;
      p += 3;
    }
    this.end = p;
    const h = t.head;
    if (t.chunk) {
      // The same fields in the same order as a spread would give: a literal costs less.
      const { method, toPath, fromPath, contentType } = h;
      const transactionId = start.transactionId;
      return {
        kind: 'request',
        transactionId,
        method,
        toPath,
        fromPath,
        messageId,
        byteRange,
        contentType,
      };
    }
    if (t.report) {
      const { method, toPath, fromPath, status } = h;
      const transactionId = start.transactionId;
      return {
        kind: 'request',
        transactionId,
        method,
        toPath,
        fromPath,
        messageId,
        byteRange,
        status,
      };
    }
    const head: RequestHead = { ...h, transactionId: start.transactionId };
    if (messageId !== undefined) head.messageId = messageId;
    if (byteRange !== undefined) head.byteRange = byteRange;
    return head;
  }

  /** Whether `buf` at `p` holds the template's value in `slot`, then CR, before `limit`. */
  #sameValue(buf: Uint8Array, p: number, limit: number, block: Uint8Array, slot: Slot): boolean {
    const n = slot.to - slot.from;
    if (p + n >= limit || buf[p + n] !== CR) return false;
    for (let k = 0; k < n; k++) if (buf[p + k] !== block[slot.from + k]) return false;
    return true;
  }

  /**
   * The Message-ID in `buf[p, e)`: the template's string, or the one decoded last in this
   * push, when the bytes are the same.
   */
  #messageId(t: Template, buf: Uint8Array, p: number, e: number): string {
    const last = t.messageIdBytes;
    if (last !== undefined && last.length === e - p) {
      let k = 0;
      while (k < last.length && buf[p + k] === last[k]) k++;
      if (k === last.length) return t.head.messageId!;
    }
    const at = this.#idAt;
    if (this.#idIn === buf && this.#idEnd - at === e - p) {
      let k = 0;
      while (k < e - p && buf[p + k] === buf[at + k]) k++;
      if (k === e - p) return this.#id;
    }
    // Decoded on its own, not sliced out of a decode of more: a session remembers the
    // Message-IDs of its last 256 messages, and a slice keeps what it was cut from alive.
    this.#id = decodeUtf8(buf, p, e);
    this.#idIn = buf;
    this.#idAt = p;
    this.#idEnd = e;
    return this.#id;
  }
}
