import { decodeUtf8 } from './bytes.js';
import { isIdentBytes } from './grammar.js';
import { parseStartLine, type Head } from './head.js';
import type { MsrpUri } from './uri.js';

const SP = 0x20;
const TAB = 0x09;
const DEL = 0x7f;
const ZERO = 0x30;
/** `MSRP ` */
const MSRP_SP = [0x4d, 0x53, 0x52, 0x50, 0x20];
const SEND = [0x53, 0x45, 0x4e, 0x44];
const OK = [0x4f, 0x4b];
/** The paths of a head before its headers are read: empty means not seen yet, shared and frozen. */
const NONE: readonly MsrpUri[] = Object.freeze([]);

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
  // The comment in the literal: stored after it, it cost a property array per response.
  const comment = equals(buf, c + 4, to, OK) ? 'OK' : decodeUtf8(buf, c + 4, to);
  return { kind: 'response', transactionId, statusCode, toPath: NONE, fromPath: NONE, comment };
}
