// Writing a received message into a file at an offset, hashed in the same pass: what
// `saveTo(path, { offset })` and `PartialFile.receive` share.
import { writevSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { MsrpError } from '../errors.js';
import { HashTap, type FileHashAlgorithm } from '../session/file-transfer.js';
import type { HasherFactory } from '../session/hasher.js';
import type { IncomingMessage } from '../session/incoming-message.js';
import { returnReads } from '../transport/lent-reads.js';

/** Bytes read at once when hashing what a file already holds. */
const READ_SIZE = 1024 * 1024;

/**
 * Feeds `tap` the octets `[start, end)` of an open file.
 * @throws {MsrpError} `MSRP_ERR_FILE` when the file ends before `end`.
 */
export async function hashFileRange(
  handle: FileHandle,
  start: number,
  end: number,
  tap: HashTap,
): Promise<void> {
  const buffer = new Uint8Array(Math.min(READ_SIZE, Math.max(end - start, 1)));
  for (let at = start; at < end;) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - at), at);
    if (bytesRead === 0) {
      throw new MsrpError('MSRP_ERR_FILE', `The file ends at octet ${at}, before ${end}`);
    }
    // The hasher keeps nothing of what it is given (Hasher.update), so the buffer is reused.
    tap.update(buffer.subarray(0, bytesRead));
    await tap.ready();
    at += bytesRead;
  }
}

/**
 * The hash (`algorithm:hex`) of the first `end` octets of an open file, read for it.
 * @throws {MsrpError} `MSRP_ERR_FILE` when the file ends before `end`.
 */
export async function hashFile(
  handle: FileHandle,
  end: number,
  createHasher: HasherFactory,
  algorithm: FileHashAlgorithm,
): Promise<string> {
  const tap = new HashTap(createHasher, algorithm);
  try {
    await hashFileRange(handle, 0, end, tap);
    await tap.settle();
  } finally {
    tap.dispose();
  }
  return tap.digest();
}

/**
 * Bytes per write call: 128 KiB is plenty for the cost of a call. Larger page-cache writes
 * save little warm (1 GiB: 132-150 ms of system time in 1 MiB writes, 156-161 in 128 KiB;
 * Linux 6.18, ext4) and want larger pages, which on a VM that hands free memory back can be
 * cold: a first series of 1 MiB writes took 0.7-1.2 s (docs/performance.md).
 */
export const WRITE_BYTES = 128 * 1024;

/** The first `limit` octets of `pieces` (all of them when they hold fewer), as pieces. */
function upTo(pieces: readonly Uint8Array[], limit: number): readonly Uint8Array[] {
  let n = 0;
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (n + piece.length >= limit) return [...pieces.slice(0, i), piece.subarray(0, limit - n)];
    n += piece.length;
  }
  return pieces;
}

/** What is left of `pieces` once their first `written` octets went out. */
function after(pieces: readonly Uint8Array[], written: number): readonly Uint8Array[] {
  let i = 0;
  while (i < pieces.length && written >= pieces[i]!.length) written -= pieces[i++]!.length;
  return i < pieces.length ? [pieces[i]!.subarray(written), ...pieces.slice(i + 1)] : [];
}

function byteCount(pieces: readonly Uint8Array[]): number {
  let n = 0;
  for (const piece of pieces) n += piece.length;
  return n;
}

/**
 * Writes `pieces` into `fd` at `position`, all of them: one `writev` call per
 * {@link WRITE_BYTES} (a piece across the line is split), more only for what a short write
 * left (a page-cache write takes the call whole).
 * @returns the bytes written.
 */
export function writePiecesSync(
  fd: number,
  pieces: readonly Uint8Array[],
  position: number,
): number {
  let at = position;
  for (let rest = pieces; rest.length > 0;) {
    const written = writevSync(fd, upTo(rest, WRITE_BYTES), at);
    at += written;
    rest = after(rest, written);
  }
  return at - position;
}

/** What {@link writeBody} does beside writing. */
export interface WriteBodyOptions {
  /** Told the file's end (`offset` + bytes written) after each write. */
  readonly onWritten?: (end: number) => void;
  /**
   * Run once a streamed message is written whole and hashed (`tap` settled), its end-line
   * read (with the hash the sender announces on it), and before its last chunk is confirmed
   * (`confirmWhenRead`), whether its size was known or not; what it throws refuses that
   * chunk (the caller discards the message: 413).
   */
  readonly beforeLast?: (end: number) => void;
  /**
   * The file octet (0-based, exclusive) the body must not go past: a file's size, for a
   * message whose size is unknown until its end.
   */
  readonly end?: number;
}

/**
 * Writes a message's body into an open file from `offset` on, hashed in the same pass
 * (`tap` settled at the end: its digest is then known). The pieces queued when the writer
 * comes back go out together, in `writev`s at their offset, and only then is the stream
 * pulled again (`PieceStream.nextPieces`), which with `SessionOptions.confirmWhenRead`
 * answers their chunks: every octet the sender was told arrived is in the file (issue 12:
 * a killed receiver loses nothing confirmed). They are hashed after that pull, once the
 * 200s it made have left (on the next turn of the event loop), while they travel. The
 * write is synchronous: into the page cache it takes microseconds, less than a thread-pool
 * round trip (which would also delay the 200s).
 * @returns the bytes of the body written.
 * @throws {MsrpError} `MSRP_ERR_ABORTED` when the message is aborted;
 * `MSRP_ERR_INVALID_ARGUMENT` when pieces would go past `options.end` (none of them is
 * written, nor confirmed: the caller discards the message); the fs error of a write.
 */
export async function writeBody(
  message: IncomingMessage,
  handle: FileHandle,
  offset: number,
  tap: HashTap,
  options: WriteBodyOptions = {},
): Promise<number> {
  const { stream } = message;
  const { onWritten, beforeLast, end } = options;
  // Its `$` end-line marks the last chunk, of a known size or not: no 200 for it before the
  // check, so that a file failing it is refused (413), never confirmed.
  if (beforeLast !== undefined) stream?.holdEnd();
  let position = offset;
  let pieces = stream ? await stream.nextPieces() : [message.body ?? new Uint8Array(0)];
  while (pieces) {
    if (end !== undefined && position + byteCount(pieces) > end) {
      // Before they are written or confirmed: the caller discards the message, which answers
      // its chunks not confirmed yet 413 so that the sender stops (RFC 4975 §7.1).
      throw new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        `Message ${message.messageId} goes past the file's ${end} octets`,
      );
    }
    position += writePiecesSync(handle.fd, pieces, position);
    onWritten?.(position);
    // The pull confirms them now (confirmWhenRead; the last chunk once checked, below). The
    // connection sends those 200s at the end of the tick (it corks its writes until then):
    // let them leave before the hash holds the thread, so that the sender's window refills.
    const next = stream?.nextPieces();
    next?.catch(() => undefined); // thrown below, once hashed
    if (next) await new Promise<void>((resolve) => setImmediate(resolve));
    for (const piece of pieces) tap.update(piece);
    // Written and hashed (a hasher keeps nothing it is given): the reads may be reused.
    returnReads(pieces);
    await tap.ready();
    pieces = await next;
  }
  await tap.settle();
  if (beforeLast !== undefined && stream !== undefined) {
    await message.completed;
    beforeLast(position);
    stream.endChecked(); // the last chunk's 200
  }
  return position - offset;
}
