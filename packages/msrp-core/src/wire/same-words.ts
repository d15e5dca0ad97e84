// Comparing a header block with a template's, eight bytes at a time: what the parser's
// templates (HeadTemplate for requests, ResponseTemplate for 200s) spend on each head.

/**
 * Whether `n` bytes of `a` at `p` equal those of `b` at `q`, `b` being a template's block,
 * read eight at a time as little-endian float64s through the arrays' DataViews (a head is
 * some 200 bytes: a native compare would cost more in the call, and 32-bit reads twice as
 * much). Two float64s are equal only with the same bits, but for +0 and -0, and NaN equals
 * nothing: a block holds no NUL byte (RFC 4975 §9 utf8text, checked when it was read), so
 * neither is ever one of its words, and a NaN in the input only makes the match fail (the
 * head is then read in full).
 */
export function sameWords(
  a: Uint8Array,
  av: DataView,
  p: number,
  b: Uint8Array,
  bv: DataView,
  q: number,
  n: number,
): boolean {
  if (n < 8) {
    for (let k = 0; k < n; k++) if (a[p + k] !== b[q + k]) return false;
    return true;
  }
  for (let k = 0; k + 8 < n; k += 8) {
    if (av.getFloat64(p + k, true) !== bv.getFloat64(q + k, true)) return false;
  }
  // The last eight bytes, overlapping the words before: no byte loop for the rest.
  return av.getFloat64(p + n - 8, true) === bv.getFloat64(q + n - 8, true);
}

/**
 * The DataView {@link sameWords} reads a pushed array through: made once per array (a push
 * holds many heads), let go with the push ({@link release}), so that no view keeps a read
 * block alive after the parser is done with it.
 */
export class PushView {
  #view: DataView | undefined;
  #of: Uint8Array | undefined;

  /** A view of `buf`: the one made last when `buf` is the same array. */
  of(buf: Uint8Array): DataView {
    if (this.#of !== buf || this.#view === undefined) {
      this.#view = new DataView(buf.buffer, buf.byteOffset, buf.length);
      this.#of = buf;
    }
    return this.#view;
  }

  release(): void {
    this.#view = undefined;
    this.#of = undefined;
  }
}
