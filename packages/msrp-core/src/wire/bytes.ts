// Byte helpers for the codec: plain Uint8Array and the Encoding API, so that wire/ runs
// unchanged in a browser. Node's Buffer is used only where it is measurably faster and only
// when present (found on globalThis, never imported), with a JS fallback of the same result.

/** The Buffer methods we borrow: native search, compare and decode (faster than JS). */
interface NativeBytes {
  prototype: {
    indexOf(
      this: Uint8Array,
      value: Uint8Array | string,
      byteOffset: number,
      encoding?: 'latin1',
    ): number;
    utf8Slice(this: Uint8Array, start: number, end: number): string;
    compare(
      this: Uint8Array,
      target: Uint8Array,
      targetStart: number,
      targetEnd: number,
      sourceStart: number,
      sourceEnd: number,
    ): number;
  };
}

const nativeBuffer = (globalThis as { Buffer?: NativeBytes & NativeAlloc }).Buffer;
const nativeBytes = nativeBuffer?.prototype;
/**
 * Node's allocation without zero-filling, for arrays the caller fills at once; seen as a
 * plain Uint8Array, so that results are of one class on every runtime.
 */
const allocUnfilled: (size: number) => Uint8Array<ArrayBuffer> =
  nativeBuffer === undefined
    ? (size) => new Uint8Array(size)
    : (size) => {
        const buffer = nativeBuffer.allocUnsafeSlow(size);
        return new Uint8Array(buffer.buffer as ArrayBuffer, buffer.byteOffset, size);
      };

/** Buffer's allocation without zero-filling, and its encoders (native, pooled). */
interface NativeAlloc {
  allocUnsafeSlow(size: number): Uint8Array;
  from(text: string, encoding: 'latin1' | 'utf8'): Uint8Array;
}

const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF as text, as a plain UTF-8 decode does.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Pool that short byte arrays are carved from, as Node's Buffer pool does: V8 allocates a
 * typed array over 64 bytes outside the JS heap, which costs about a microsecond each.
 * 8 KiB like Node's, so that a small view kept alive (a parser's last header block) pins
 * little memory.
 */
const POOL_SIZE = 8 * 1024;
let pool = new Uint8Array(POOL_SIZE);
let poolOffset = 0;

/** Makes room for `size` bytes at `poolOffset`; false when `size` is too big to pool. */
function reserve(size: number): boolean {
  if (size >= POOL_SIZE >>> 1) return false;
  if (poolOffset + size > POOL_SIZE) {
    pool = new Uint8Array(POOL_SIZE);
    poolOffset = 0;
  }
  return true;
}

/**
 * `size` bytes that no other result shares, for the caller to fill at once: large ones are
 * not zero-filled on Node (as `Buffer.concat` and `Buffer.from` do), which a copy of a
 * 64 KiB socket read would otherwise pay for.
 */
export function allocate(size: number): Uint8Array<ArrayBuffer> {
  if (!reserve(size)) return allocUnfilled(size);
  const out = pool.subarray(poolOffset, poolOffset + size);
  // Keep the next view 8-byte aligned, as Node's own pool does.
  poolOffset = (poolOffset + size + 7) & ~7;
  return out;
}

/**
 * First index at or after `from` where `needle` (non-empty) occurs in `haystack`, or -1.
 * Uses Node's native search when it exists, else {@link indexOfBytesPortable}.
 */
export const indexOfBytes: (haystack: Uint8Array, needle: Uint8Array, from: number) => number =
  nativeBytes
    ? (haystack, needle, from) => nativeBytes.indexOf.call(haystack, needle, from)
    : indexOfBytesPortable;

/**
 * {@link indexOfBytes} of `text`'s Latin-1 bytes (an end-line: ASCII), with no array made
 * for the needle on Node.
 */
export const indexOfLatin1: (haystack: Uint8Array, text: string, from: number) => number =
  nativeBytes
    ? (haystack, text, from) => nativeBytes.indexOf.call(haystack, text, from, 'latin1')
    : (haystack, text, from) => indexOfBytesPortable(haystack, encodeLatin1(text), from);

/**
 * Bytes to search at most for which {@link indexOfBytesPortable} beats Node's search: that is a
 * native call of ~100 ns however short the haystack, where the typed array's own `indexOf` for
 * the needle's first byte scans a chat line's body in tens of ns (issue 12: a 100-byte
 * message's end-line, searched for by its sender and its receiver, ~3 % of its CPU).
 */
export const SHORT_HAYSTACK = 256;

/**
 * {@link indexOfBytes} without Node: finds the needle's first byte with the native
 * `Uint8Array.prototype.indexOf`, then compares the rest. Exported to be tested on Node too.
 */
export function indexOfBytesPortable(
  haystack: Uint8Array,
  needle: Uint8Array,
  from: number,
): number {
  const n = needle.length;
  const first = needle[0];
  const last = haystack.length - n;
  let i = Math.max(0, from);
  if (first === undefined) return i <= haystack.length ? i : -1;
  while (i <= last) {
    i = haystack.indexOf(first, i);
    if (i < 0 || i > last) return -1;
    let j = 1;
    while (j < n && haystack[i + j] === needle[j]) j++;
    if (j === n) return i;
    i++;
  }
  return -1;
}

/**
 * Whether `a[aFrom, aFrom + length)` equals `b[bFrom, bFrom + length)`; false past either end.
 * Uses Node's native compare when it exists, else {@link equalBytesPortable}.
 */
export const equalBytes: (
  a: Uint8Array,
  aFrom: number,
  b: Uint8Array,
  bFrom: number,
  length: number,
) => boolean = nativeBytes
  ? (a, aFrom, b, bFrom, length) =>
      aFrom + length <= a.length &&
      bFrom + length <= b.length &&
      nativeBytes.compare.call(a, b, bFrom, bFrom + length, aFrom, aFrom + length) === 0
  : equalBytesPortable;

/** {@link equalBytes} without Node: a byte loop. Exported to be tested on Node too. */
export function equalBytesPortable(
  a: Uint8Array,
  aFrom: number,
  b: Uint8Array,
  bFrom: number,
  length: number,
): boolean {
  if (aFrom + length > a.length || bFrom + length > b.length) return false;
  for (let k = 0; k < length; k++) if (a[aFrom + k] !== b[bFrom + k]) return false;
  return true;
}

/**
 * `bytes` typed as a view of an `ArrayBuffer` (what `Blob` and WebSocket `send` take): as it
 * is, or copied when it is a view of a `SharedArrayBuffer`.
 */
export function unsharedBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return typeof SharedArrayBuffer !== 'undefined' && bytes.buffer instanceof SharedArrayBuffer
    ? copyBytes(bytes)
    : (bytes as Uint8Array<ArrayBuffer>);
}

/** The bytes of `parts` joined in one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = allocate(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A copy of `view` that owns its memory (unlike `subarray`, and unlike `Buffer#slice`). */
export function copyBytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = allocate(view.length);
  out.set(view);
  return out;
}

/**
 * `bytes[from, to)` decoded as UTF-8; malformed sequences become U+FFFD. Node's native slice
 * when it exists: a head is decoded per frame, and `TextDecoder` needs a `subarray` view
 * each time (an allocation, and twice the time for a short head).
 */
export const decodeUtf8: (bytes: Uint8Array, from: number, to: number) => string =
  nativeBytes === undefined
    ? decodeUtf8Portable
    : (bytes, from, to) => nativeBytes.utf8Slice.call(bytes, from, to);

/** {@link decodeUtf8} without Node: the Encoding API. Exported to be tested on Node too. */
export function decodeUtf8Portable(bytes: Uint8Array, from: number, to: number): string {
  return decoder.decode(bytes.subarray(from, to));
}

/**
 * `text` as Latin-1 bytes, one per character (the low 8 bits of each code unit, as Node's
 * `latin1` encoding does): for end-lines, whose transaction ids are ASCII.
 */
export function encodeLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let k = 0; k < text.length; k++) out[k] = text.charCodeAt(k);
  return out;
}

/**
 * `text` encoded as UTF-8. Short strings are encoded into the shared pool, which
 * `encodeInto` fills about three times faster than `encode` allocates; each result is a view
 * that owns its bytes (the pool is never written twice at the same place).
 */
export function encodeUtf8(text: string): Uint8Array {
  if (!reserve(text.length * 3)) return encoder.encode(text);
  const { written } = encoder.encodeInto(text, pool.subarray(poolOffset));
  const out = pool.subarray(poolOffset, poolOffset + written);
  poolOffset = (poolOffset + written + 7) & ~7;
  return out;
}

/**
 * Bytes of text headed for a socket (heads, end-lines, responses): {@link encodeUtf8} and
 * {@link encodeLatin1}, except that on Node they come from `Buffer.from`. A socket takes a
 * Buffer as it is but wraps any other Uint8Array in a new Buffer on every write: per chunk,
 * that wrapper and the array it wraps cost about as much as the encoding itself.
 */
export const encodeUtf8ForWire: (text: string) => Uint8Array =
  nativeBuffer === undefined ? encodeUtf8 : (text) => nativeBuffer.from(text, 'utf8');

/** {@link encodeLatin1} for bytes headed for a socket: see {@link encodeUtf8ForWire}. */
export const encodeLatin1ForWire: (text: string) => Uint8Array =
  nativeBuffer === undefined ? encodeLatin1 : (text) => nativeBuffer.from(text, 'latin1');
