// Byte helpers of the relay's fast path (fast-path.ts): where its frames are written, and how
// it compares and reads the bytes of a socket read.

/** Bytes a frame must hold at some place, with a DataView to compare them eight at a time. */
export interface Pattern {
  readonly bytes: Buffer;
  readonly view: DataView;
}

/** `bytes` as a {@link Pattern}. */
export function pattern(bytes: Buffer): Pattern {
  return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.length) };
}

/** Output written here and handed out as views never written over (as msrp-core's WireSlab). */
let slab = Buffer.allocUnsafeSlow(64 * 1024);
let slabStart = 0;
let slabAt = 0;

/** Starts a frame of at most `size` bytes. */
export function begin(size: number): void {
  if (slabStart + size > slab.length) {
    slab = Buffer.allocUnsafeSlow(Math.max(64 * 1024, size));
    slabStart = 0;
  }
  slabAt = slabStart;
}
/** Adds `bytes[from, to)`. */
export function put(bytes: Uint8Array, from = 0, to = bytes.length): void {
  if (to - from > 256) {
    slab.set(from === 0 && to === bytes.length ? bytes : bytes.subarray(from, to), slabAt);
    slabAt += to - from;
    return;
  }
  // A loop: a native copy costs more in the call for the few bytes of an id or a flag.
  for (let k = from; k < to; k++) slab[slabAt++] = bytes[k]!;
}
/** `text`, ASCII (an ident), one byte a character. */
export function ascii(text: string): void {
  for (let k = 0; k < text.length; k++) slab[slabAt++] = text.charCodeAt(k);
}
/** The frame written since {@link begin}, as a view never written over. */
export function take(): Buffer {
  const view = slab.subarray(slabStart, slabAt);
  slabStart = slabAt;
  return view;
}

/** How many digits {@link digits} read last. */
export let digitCount = 0;

/**
 * The decimal at `at`, 1 to 9 digits without a leading zero (as `formatHead` writes it),
 * followed by `stop`; -1 otherwise. Sets {@link digitCount}.
 */
export function digits(buf: Buffer, at: number, stop: number): number {
  let n = 0;
  let k = at;
  for (; k < buf.length && k - at < 9; k++) {
    const c = buf[k]!;
    if (c < 0x30 || c > 0x39 || (k === at && c === 0x30)) break;
    n = n * 10 + c - 0x30;
  }
  if (k === at || buf[k] !== stop) return -1;
  digitCount = k - at;
  return n;
}

/** A DataView of the read last matched in (one per read), and that read. */
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));
let viewed: Buffer | undefined;

/**
 * Whether `pattern` lies in `buf` (the read, {@link view}) at `at`, compared eight bytes at a
 * time as float64s, as msrp-core's HeadTemplate does (a native compare costs more in the
 * call): two are equal only with the same bits but for ±0 and NaN, which text never is
 * (seven NUL bytes; an exponent of all ones needs a byte 0x7F or 0xFF).
 */
export function match(buf: Buffer, at: number, pattern: Pattern): boolean {
  const { bytes, view: pv } = pattern;
  const n = bytes.length;
  if (at + n > buf.length) return false;
  if (n < 8) return same(buf, at, bytes, 0, n);
  // Made for each read, not at its start: a frame taken may lead to another connection's read
  // being matched in before this one's next frame (a response resuming a held-back sender).
  if (viewed !== buf) {
    view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    viewed = buf;
  }
  for (let k = 0; k + 8 < n; k += 8)
    if (view.getFloat64(at + k, true) !== pv.getFloat64(k, true)) return false;
  return view.getFloat64(at + n - 8, true) === pv.getFloat64(n - 8, true);
}

/** Whether `n` bytes of `a` at `p` equal those of `b` at `q` (a few bytes: a loop). */
export function same(a: Uint8Array, p: number, b: Uint8Array, q: number, n: number): boolean {
  if (p + n > a.length) return false;
  for (let k = 0; k < n; k++) if (a[p + k] !== b[q + k]) return false;
  return true;
}
