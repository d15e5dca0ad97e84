// Short byte strings headed for a socket, written into shared memory: what a chunk's head
// and end-line cost on the hot path of a transfer, without a string built, flattened and
// encoded for each.

/** Node's Buffer, when present (never imported, so that wire/ runs in a browser). */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(size: number): Uint8Array } })
  .Buffer;

/**
 * Bytes per slab: some 250 chunk heads. A view pins its slab until the socket wrote it, so a
 * slab is small enough to be of no weight and large enough to be renewed rarely.
 */
const SLAB_SIZE = 64 * 1024;
/** `00` to `99`, in ASCII. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, k) =>
  k % 2 === 0 ? 0x30 + Math.floor(k / 20) : 0x30 + (((k - 1) / 2) % 10),
);
/** Digits of the largest safe integer (a Byte-Range value). */
export const MAX_DECIMAL_DIGITS = 16;

/**
 * Writes bytes one after the other into a slab and hands out views of what was written: on
 * Node the slab is a Buffer, so that each view is one (a socket wraps any other Uint8Array
 * in a new Buffer on every write). A view is never written over: a full slab is replaced,
 * not reused.
 */
export class WireSlab {
  #slab: Uint8Array = new Uint8Array(0);
  #start = 0;
  #at = 0;

  /** Starts a view of at most `size` bytes (discarding one begun and not taken). */
  begin(size: number): void {
    if (this.#start + size > this.#slab.length) {
      this.#slab = allocSlab(Math.max(SLAB_SIZE, size));
      this.#start = 0;
    }
    this.#at = this.#start;
  }

  /**
   * Continues `view`, the last view {@link take} gave, with `size` more bytes: true when the
   * slab has room right after it, and the next {@link take} then gives `view` and what was
   * added since as one view; false (nothing changed) otherwise.
   */
  extend(view: Uint8Array, size: number): boolean {
    const slab = this.#slab;
    if (
      view.buffer !== slab.buffer ||
      view.byteOffset + view.length !== slab.byteOffset + this.#start ||
      this.#start + size > slab.length
    ) {
      return false;
    }
    this.#at = this.#start;
    this.#start -= view.length;
    return true;
  }

  /** Adds `bytes`. */
  bytes(bytes: Uint8Array): void {
    this.#slab.set(bytes, this.#at);
    this.#at += bytes.length;
  }

  /**
   * Adds `text`, one byte per character; false (and nothing is kept of it) when a character
   * is not ASCII, for the caller to encode the text another way.
   */
  ascii(text: string): boolean {
    const slab = this.#slab;
    let at = this.#at;
    for (let k = 0; k < text.length; k++) {
      const code = text.charCodeAt(k);
      if (code > 0x7f) return false;
      slab[at++] = code;
    }
    this.#at = at;
    return true;
  }

  /** Adds the decimal digits of `n`, a non-negative safe integer. */
  decimal(n: number): void {
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    const slab = this.#slab;
    let at = this.#at + digits;
    this.#at = at;
    // Two digits a division: a Byte-Range value has some ten.
    while (n >= 100) {
      const q = Math.floor(n / 100);
      const r = (n - q * 100) * 2;
      slab[--at] = DIGIT_PAIRS[r + 1]!;
      slab[--at] = DIGIT_PAIRS[r]!;
      n = q;
    }
    if (n >= 10) {
      slab[at - 1] = DIGIT_PAIRS[2 * n + 1]!;
      slab[at - 2] = DIGIT_PAIRS[2 * n]!;
    } else {
      slab[at - 1] = 0x30 + n;
    }
  }

  /** One byte. */
  byte(b: number): void {
    this.#slab[this.#at++] = b;
  }

  /** The bytes written since {@link begin}, as a view that is never written over. */
  take(): Uint8Array {
    const view = this.#slab.subarray(this.#start, this.#at);
    this.#start = this.#at;
    return view;
  }
}

function allocSlab(size: number): Uint8Array {
  return NodeBuffer === undefined ? new Uint8Array(size) : NodeBuffer.allocUnsafeSlow(size);
}
