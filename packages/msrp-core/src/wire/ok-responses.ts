import { allocate, encodeUtf8 } from './bytes.js';
import type { RequestHead } from './head.js';
import { formatUri, type MsrpUri } from './uri.js';

/** Room for some 100 answers at a time; one allocation per batch, none per answer. */
const BUFFER_BYTES = 16 * 1024;
const PREFIX = [0x4d, 0x53, 0x52, 0x50, 0x20]; // "MSRP "
const STATUS = [0x20, 0x32, 0x30, 0x30, 0x20, 0x4f, 0x4b]; // " 200 OK"
const END = [0x24, 0x0d, 0x0a]; // "$" CRLF

/**
 * Writes `200 OK` responses (RFC 4975 §7.2) one after the other into shared memory: every
 * answer of a batch ends up in one array, written from a template in which only the
 * transaction id and, when the session changes, To-Path and From-Path differ. The bytes are
 * those of `encodeResponse(request, 200, 'OK')`.
 */
export class OkResponses {
  #to: MsrpUri | undefined;
  #from: MsrpUri | undefined;
  /** `CRLF "To-Path: " ... CRLF "From-Path: " ... CRLF "-------"` of the last paths. */
  #middle: Uint8Array = new Uint8Array(0);
  #buf: Uint8Array<ArrayBuffer> = allocate(0);
  /** Where the bytes not yet taken start, and where they end. */
  #start = 0;
  #used = 0;

  /** Adds the 200 OK answering `request` (its transaction id is ASCII: RFC 4975 §9 ident). */
  add(request: RequestHead): void {
    const to = request.fromPath[0]!;
    const from = request.toPath[0]!;
    if (to !== this.#to || from !== this.#from) {
      this.#to = to;
      this.#from = from;
      this.#middle = encodeUtf8(
        `\r\nTo-Path: ${formatUri(to)}\r\nFrom-Path: ${formatUri(from)}\r\n-------`,
      );
    }
    const tid = request.transactionId;
    const size = PREFIX.length + STATUS.length + this.#middle.length + 2 * tid.length + END.length;
    if (this.#used + size > this.#buf.length) this.#renew(size);
    const buf = this.#buf;
    const middle = this.#middle;
    // The id twice, in the start line and the end-line: written by one loop.
    const first = put(buf, this.#used, PREFIX);
    const second = first + tid.length + STATUS.length + middle.length;
    for (let k = 0; k < tid.length; k++) buf[first + k] = buf[second + k] = tid.charCodeAt(k);
    buf.set(middle, put(buf, first + tid.length, STATUS));
    this.#used = put(buf, second + tid.length, END);
  }

  /** The answers added since the last take, as one view (never written over), if any. */
  take(): Uint8Array | undefined {
    if (this.#used === this.#start) return undefined;
    const bytes = this.#buf.subarray(this.#start, this.#used);
    this.#start = this.#used;
    return bytes;
  }

  /** New memory for what is not taken yet and `size` more: taken views keep the old. */
  #renew(size: number): void {
    const pending = this.#buf.subarray(this.#start, this.#used);
    const buf = allocate(Math.max(BUFFER_BYTES, 2 * (pending.length + size)));
    buf.set(pending, 0);
    this.#buf = buf;
    this.#start = 0;
    this.#used = pending.length;
  }
}

function put(buf: Uint8Array, at: number, bytes: readonly number[]): number {
  for (let k = 0; k < bytes.length; k++) buf[at + k] = bytes[k]!;
  return at + bytes.length;
}
