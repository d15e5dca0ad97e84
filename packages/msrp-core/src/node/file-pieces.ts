// Reading a file to send into buffers that are used again once the peer confirmed their
// octets (issue 12): a new buffer per read was garbage until the next scavenge (`msrp send`
// of 1 GiB: 3-7 MiB of them at its peak RSS), and the kernel faulted in its fresh pages.
import type { FileHandle } from 'node:fs/promises';
import { MsrpError } from '../errors.js';

/**
 * Bytes of pieces read and not yet confirmed that are tracked, at most (two pieces at least):
 * past it the oldest is forgotten (left to the GC, as any buffer), so that a peer that
 * confirms nothing (`Failure-Report: no`) does not make us hold the file. It covers a session's
 * default window (up to 2 MiB in flight) and the pieces read ahead of it: `msrp send` had 10
 * pieces of 256 KiB lent at once.
 */
const MAX_LENT_BYTES = 4 * 1024 * 1024;

/**
 * A file's pieces, in order from octet 0 to its end, each read into a buffer of `pieceSize`
 * (one read ahead, so that the next piece is read while this one is sent). A buffer is
 * read into again only after {@link released} said that every octet it held was confirmed by
 * the peer. That is safe because a peer answers a chunk only once it has it, so our write of
 * it (and of every chunk before it on the connection) has left the process; a peer that
 * answers before it read the body gets, at worst, other octets of the same file, which its
 * hash check then refuses.
 */
export class FilePieces implements AsyncIterable<Uint8Array> {
  readonly #handle: FileHandle;
  readonly #pieceSize: number;
  /** File offset of the next read. */
  #position = 0;
  /** Buffers read into and not released, oldest first, with the offset where each ends. */
  #lent: { end: number; buffer: Buffer }[] = [];
  #free: Buffer[] = [];
  #closed = false;
  readonly #maxLent: number;
  /** The file's path and its size when opened: it must not end before. */
  readonly #file: { readonly path: string; readonly size: number } | undefined;

  constructor(
    handle: FileHandle,
    pieceSize: number,
    file?: { readonly path: string; readonly size: number },
  ) {
    this.#handle = handle;
    this.#pieceSize = pieceSize;
    this.#file = file;
    this.#maxLent = Math.max(2, Math.floor(MAX_LENT_BYTES / pieceSize));
  }

  /**
   * Every octet before `position` (0-based file offset) was confirmed: their buffers are free.
   * All are kept while lent and free ones stay within the lent bound: the window that grows
   * and shrinks with the rate (see `SendWindow`) releases and reads pieces in bursts, and a
   * pool of 1 MiB dropped what the next burst then allocated anew (`msrp send` of 128 MiB:
   * 63 buffers of 256 KiB allocated, peak RSS 59 -> 69 MiB).
   */
  released(position: number): void {
    while (this.#lent.length > 0 && this.#lent[0]!.end <= position) {
      const { buffer } = this.#lent.shift()!;
      if (this.#free.length + this.#lent.length < this.#maxLent) this.#free.push(buffer);
    }
  }

  /** Closes the file (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handle.close().catch(() => undefined);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      let next = this.#read();
      for (;;) {
        const piece = await next;
        if (!piece) return;
        next = this.#read();
        next.catch(() => undefined); // thrown at the next turn, if it comes
        yield piece;
      }
    } finally {
      this.close();
    }
  }

  async #read(): Promise<Uint8Array | undefined> {
    // Not zero-filled: the read overwrites what is handed on.
    const buffer = this.#free.pop() ?? Buffer.allocUnsafeSlow(this.#pieceSize);
    const { bytesRead } = await this.#handle.read(buffer, 0, buffer.length, this.#position);
    if (bytesRead === 0) {
      const file = this.#file;
      // Cut short (truncated, rewritten) while it was sent: its end is not the file's.
      if (file && this.#position < file.size) {
        throw new MsrpError(
          'MSRP_ERR_FILE',
          `${file.path} ended at byte ${this.#position} of ${file.size}: it was cut short while being sent`,
        );
      }
      return undefined;
    }
    this.#position += bytesRead;
    this.#lent.push({ end: this.#position, buffer });
    if (this.#lent.length > this.#maxLent) this.#lent.shift();
    return buffer.subarray(0, bytesRead);
  }
}
