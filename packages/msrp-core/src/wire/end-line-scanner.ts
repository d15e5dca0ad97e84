import {
  concatBytes,
  copyBytes,
  encodeLatin1,
  indexOfBytes,
  indexOfBytesPortable,
  SHORT_HAYSTACK,
} from './bytes.js';
import type { ContinuationFlag } from './frame-sink.js';

const CR = 0x0d;
const LF = 0x0a;
/** The continuation flags by byte (RFC 4975 §7.1). */
export const FLAGS: Record<number, ContinuationFlag | undefined> = {
  0x24: '$',
  0x2b: '+',
  0x23: '#',
};
/** The flag of `line` when it is the end-line of transaction `tid`, without its CRLF. */
export function endLineFlag(line: string, tid: string): ContinuationFlag | undefined {
  if (line.length !== tid.length + 8 || !line.startsWith('-------') || !line.startsWith(tid, 7)) {
    return undefined;
  }
  return FLAGS[line.charCodeAt(line.length - 1)];
}
/** Stands in front of a body: the CRLF that ended the header block may also begin the end-line. */
const VIRTUAL_CRLF = encodeLatin1('\r\n');

/**
 * Finds the end of a body: its end-line, `CRLF "-------" transact-id flag CRLF` (RFC 4975
 * §7.1), which may be cut across pushes. Only the trailing bytes of a push that could still
 * begin the end-line are held back (copied); the parser emits everything before them as
 * views. The CRLF that ended the header block is held as a virtual prefix, so that an empty
 * body's end-line, which shares it, is found too.
 */
export class EndLineScanner {
  /** `CRLF "-------" transact-id`: the end-line with the CRLF that ends the body. */
  marker: Uint8Array = VIRTUAL_CRLF;
  /** Bytes held back because they could begin the end-line. */
  carry: Uint8Array | undefined;
  /** Leading bytes of `carry` that are not body (the virtual CRLF). */
  virtual = 0;
  /** After {@link find} returned -1: where the bytes to hold back start. */
  hold = 0;
  /** After {@link find} found the end-line: its continuation flag. */
  flag: ContinuationFlag = '$';

  /**
   * The body is said to be short (its Byte-Range): its end-line is searched for without Node,
   * whose search costs a native call of ~100 ns however near the end-line is (a chat line's
   * body; see {@link SHORT_HAYSTACK}). Dropped at the first search that does not find it.
   */
  #short = false;

  /**
   * Starts a body that ends at `marker`, holding the virtual CRLF; `length`, when known (a
   * Byte-Range with an end), is how long the head says the body is.
   */
  begin(marker: Uint8Array, length?: number): void {
    this.#short = length !== undefined && length <= SHORT_HAYSTACK;
    this.marker = marker;
    this.carry = VIRTUAL_CRLF;
    this.virtual = VIRTUAL_CRLF.length;
  }

  /**
   * Whether bytes are held before `buf[pos..]`. When only the virtual CRLF is held and
   * `buf[pos..]` cannot begin the end-line (the body is not empty), it is dropped first.
   */
  holding(buf: Uint8Array, pos: number): boolean {
    const carry = this.carry;
    if (carry === undefined) return false;
    if (this.virtual === carry.length && !this.#mayEndAtStart(buf, pos)) {
      this.carry = undefined;
      this.virtual = 0;
      return false;
    }
    return true;
  }

  /**
   * The held-back bytes joined with the start of `buf`, no longer than an end-line: enough to
   * decide whether they begin it. Returns the joined bytes and how many of `buf` they took.
   */
  joinCarry(buf: Uint8Array): { joined: Uint8Array; taken: number } {
    const taken = Math.min(buf.length, this.marker.length + 3);
    const joined = concatBytes([this.carry!, buf.subarray(0, taken)]);
    this.carry = undefined;
    return { joined, taken };
  }

  /**
   * The index of the end-line in `buf` at or after `pos` (then {@link flag} is set), or -1
   * when it is not there whole (then {@link hold} says where the bytes that could still
   * begin it start).
   */
  find(buf: Uint8Array, pos: number): number {
    const marker = this.marker;
    const full = marker.length + 3; // marker, flag, CRLF
    let from = pos;
    for (;;) {
      const i = this.#short
        ? indexOfBytesPortable(buf, marker, from)
        : indexOfBytes(buf, marker, from);
      if (i < 0) {
        this.#short = false;
        this.hold = this.#holdFrom(buf, Math.max(pos, buf.length - full + 1));
        return -1;
      }
      if (i + full > buf.length) {
        if (this.#couldEndAt(buf, i)) {
          this.hold = i;
          return -1;
        }
        from = i + 1;
        continue;
      }
      const flag = FLAGS[buf[i + marker.length]!];
      if (flag && buf[i + marker.length + 1] === CR && buf[i + marker.length + 2] === LF) {
        this.flag = flag;
        return i;
      }
      from = i + 1;
    }
  }

  /** Keeps `buf[hold..]` as carry; the bytes before it were emitted. */
  keep(buf: Uint8Array, hold: number): void {
    this.virtual = Math.max(0, this.virtual - hold);
    if (hold < buf.length) this.carry = copyBytes(buf.subarray(hold));
  }

  /** First index at or after `start` from which the rest of `buf` could begin the end-line. */
  #holdFrom(buf: Uint8Array, start: number): number {
    for (let k = start; k < buf.length; k++) {
      if (buf[k] === CR && this.#couldEndAt(buf, k)) return k;
    }
    return buf.length;
  }

  /** Whether `buf` could begin with the end-line minus its leading CRLF (an empty body). */
  #mayEndAtStart(buf: Uint8Array, pos: number): boolean {
    const marker = this.marker;
    const n = Math.min(buf.length - pos, marker.length - 2);
    // A byte loop: it stops at the first byte of nearly every body, where a native compare
    // would cost a call into C++ per frame.
    for (let k = 0; k < n; k++) if (buf[pos + k] !== marker[2 + k]) return false;
    return true;
  }

  /** Whether `buf[k..]` (shorter than an end-line) is a prefix of `marker flag CRLF`. */
  #couldEndAt(buf: Uint8Array, k: number): boolean {
    const marker = this.marker;
    const n = buf.length - k;
    const m = Math.min(n, marker.length);
    for (let j = 0; j < m; j++) if (buf[k + j] !== marker[j]) return false;
    if (n > marker.length && !FLAGS[buf[k + marker.length]!]) return false;
    if (n > marker.length + 1 && buf[k + marker.length + 1] !== CR) return false;
    return true;
  }
}
