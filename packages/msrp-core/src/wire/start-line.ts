import { allocate, decodeUtf8, encodeLatin1 } from './bytes.js';
import { copyIdent, isIdentBytes } from './grammar.js';
import { parseStartLine, type Head, type RequestHead } from './head.js';
import type { MsrpUri } from './uri.js';

const SP = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const A = 0x41;
const Z = 0x5a;
const DEL = 0x7f;
const ZERO = 0x30;
/** `MSRP ` */
const MSRP_SP = [0x4d, 0x53, 0x52, 0x50, 0x20];
const SEND = [0x53, 0x45, 0x4e, 0x44];
const OK = [0x4f, 0x4b];
/** ` 200 OK` CRLF: after its transaction id, the status line of each answer to a chunk. */
const OK_LINE = [SP, 0x32, ZERO, ZERO, SP, 0x4f, 0x4b, CR, LF];
/** The paths of a head before its headers are read: empty means not seen yet, shared and frozen. */
const NONE: readonly MsrpUri[] = Object.freeze([]);
const END_LINE_PREFIX = encodeLatin1('\r\n-------');

function isDigit(c: number | undefined): c is number {
  return c !== undefined && c >= ZERO && c <= ZERO + 9;
}

function equals(buf: Uint8Array, from: number, to: number, text: readonly number[]): boolean {
  if (to - from !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (buf[from + k] !== text[k]) return false;
  return true;
}

/**
 * {@link parseStartLine} of the bytes `buf[from, to)` (without CRLF). The common lines
 * (`MSRP id METHOD`, `MSRP id 200 OK`) are read from the bytes, with no decoding but the
 * transaction id; anything else is decoded and handed to parseStartLine, which also reports
 * what is wrong. The heads have the same fields in the same order either way.
 * @throws {MsrpError} as parseStartLine does.
 */
export function parseStartLineBytes(buf: Uint8Array, from: number, to: number): Head {
  const id = from + 5;
  const sp = buf.indexOf(SP, id);
  if (!equals(buf, from, id, MSRP_SP) || sp < 0 || sp >= to || !isIdentBytes(buf, id, sp)) {
    return parseStartLine(decodeUtf8(buf, from, to));
  }
  let k = sp + 1;
  while (k < to && buf[k]! >= 0x41 && buf[k]! <= 0x5a) k++;
  if (k === to && k > sp + 1) {
    const method = equals(buf, sp + 1, to, SEND) ? 'SEND' : decodeUtf8(buf, sp + 1, to);
    const transactionId = decodeUtf8(buf, id, sp);
    return { kind: 'request', transactionId, method, toPath: NONE, fromPath: NONE };
  }
  // A status code, then nothing or SP and a comment of utf8text (RFC 4975 §9).
  const c = sp + 1;
  if (!isDigit(buf[c]) || !isDigit(buf[c + 1]) || !isDigit(buf[c + 2]) || c + 3 > to) {
    return parseStartLine(decodeUtf8(buf, from, to));
  }
  if (c + 3 < to) {
    if (buf[c + 3] !== SP) return parseStartLine(decodeUtf8(buf, from, to));
    for (k = c + 4; k < to; k++) {
      const b = buf[k]!;
      if (b < SP ? b !== TAB : b === DEL) return parseStartLine(decodeUtf8(buf, from, to));
    }
  }
  const statusCode = (buf[c] - ZERO) * 100 + (buf[c + 1]! - ZERO) * 10 + (buf[c + 2]! - ZERO);
  const transactionId = decodeUtf8(buf, id, sp);
  if (c + 3 === to)
    return { kind: 'response', transactionId, statusCode, toPath: NONE, fromPath: NONE };
  const comment = equals(buf, c + 4, to, OK) ? 'OK' : decodeUtf8(buf, c + 4, to);
  return responseHead(transactionId, statusCode, comment);
}

/** The head of a status line with a comment, in the one shape every reader of it gives. */
function responseHead(transactionId: string, statusCode: number, comment: string): Head {
  // The comment in the literal: stored after it, it cost a property array per response.
  return { kind: 'response', transactionId, statusCode, toPath: NONE, fromPath: NONE, comment };
}

/**
 * The head of the status line `MSRP id 200 OK CRLF` at `buf[pos..]`, whose transaction id a
 * {@link RequestLineReader} read up to `sp` (where the line stopped being a request's): what
 * {@link parseStartLineBytes} gives for it, with no search for the line's end. Its LF is at
 * `sp + 8`. Undefined for any other status line.
 */
export function okResponseHead(buf: Uint8Array, pos: number, sp: number): Head | undefined {
  for (let k = 0; k < OK_LINE.length; k++) if (buf[sp + k] !== OK_LINE[k]) return undefined;
  return responseHead(decodeUtf8(buf, pos + 5, sp), 200, 'OK');
}

/**
 * Reads the request line `MSRP id METHOD CRLF` in one pass (no search for its LF first),
 * into {@link transactionId} and {@link method}: what {@link parseStartLineBytes} would read
 * from it, with no head made (a head that matches a template is made from the template's).
 */
export class RequestLineReader {
  /** The method of the line read last. */
  method = '';
  /** Where the id of the line read last begins, when {@link idEnd} is not -1. */
  idFrom = 0;
  /**
   * Where the id of the line read last ends, when {@link read} copied it into the end-line
   * (a response's too, before its status code failed the read); else -1.
   */
  idEnd = -1;
  /** The array read last, until {@link release}; its id decoded when first asked for. */
  #buf: Uint8Array | undefined;
  #id: string | undefined;
  /**
   * `CRLF "-------"` and room for a transaction id: {@link read} copies the id there as it
   * checks it, so that {@link endLine} is the line that ends the frame.
   */
  readonly #endLine = allocate(9 + 32);
  /** Views of {@link #endLine} by transaction id length. */
  readonly #endLines: Uint8Array[] = [];

  constructor() {
    this.#endLine.set(END_LINE_PREFIX, 0);
  }

  /**
   * `CRLF "-------" transact-id` of the line read last (or of the id given to {@link copyId}),
   * for an id of `length` bytes: views of one array that the next line overwrites, which the
   * parser reads only once this frame has ended.
   */
  endLine(length: number): Uint8Array {
    return (this.#endLines[length] ??= this.#endLine.subarray(0, 9 + length));
  }

  /** Copies the transaction id `buf[from, to)` (ASCII) into {@link endLine}. */
  copyId(buf: Uint8Array, from: number, to: number): void {
    for (let k = from; k < to; k++) this.#endLine[9 + k - from] = buf[k]!;
  }

  /**
   * Reads the request line at `buf[pos..]`, no longer than `maxLength` bytes without its
   * CRLF. Returns the index of its LF, or -1 for anything else (a response, a line cut by the
   * end of `buf`, or one that is not valid), which the caller then reads the long way.
   */
  read(buf: Uint8Array, pos: number, maxLength: number): number {
    this.idEnd = -1;
    for (let k = 0; k < 5; k++) if (buf[pos + k] !== MSRP_SP[k]) return -1;
    const sp = copyIdent(buf, pos + 5, this.#endLine, 9);
    if (sp < 0 || buf[sp] !== SP) return -1;
    this.idEnd = sp;
    const max = Math.min(buf.length, pos + maxLength);
    let k = sp + 1;
    while (k < max && buf[k]! >= A && buf[k]! <= Z) k++;
    if (k === sp + 1 || buf[k] !== CR || buf[k + 1] !== LF) return -1;
    this.method = equals(buf, sp + 1, k, SEND) ? 'SEND' : decodeUtf8(buf, sp + 1, k);
    this.#buf = buf;
    this.#id = undefined;
    this.idFrom = pos + 5;
    return k + 1;
  }

  /** The transaction id of the line read last: decoded on first use, in the same push. */
  get transactionId(): string {
    return (this.#id ??= decodeUtf8(this.#buf!, this.idFrom, this.idEnd));
  }

  /** The parser is done with the bytes pushed: keep no view of them. */
  release(): void {
    this.#buf = undefined;
  }

  /** The head of the line read last, before its headers are read. */
  head(): RequestHead {
    const { transactionId, method } = this;
    return { kind: 'request', transactionId, method, toPath: NONE, fromPath: NONE };
  }
}
