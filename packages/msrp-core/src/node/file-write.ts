// Writing a received message into a file at an offset, hashed in the same pass: what
// `saveTo(path, { offset })` and `PartialFile.receive` share.
import type { FileHandle } from 'node:fs/promises';
import { MsrpError } from '../errors.js';
import type { HashTap } from '../session/file-transfer.js';
import type { IncomingMessage } from '../session/incoming-message.js';

/** Bytes read at once when hashing what a file already holds. */
const READ_SIZE = 1024 * 1024;

/** Pieces gathered while a write is in flight, at most, before the reader waits for it. */
const MAX_BATCH_BYTES = 1024 * 1024;

const ignore = (): void => undefined;

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

/** Writes all of `pieces` at `position` (writev may write less than asked). */
async function writeAll(handle: FileHandle, pieces: Uint8Array[], position: number): Promise<void> {
  let rest = pieces;
  let at = position;
  while (rest.length > 0) {
    const { bytesWritten } = await handle.writev(rest, at);
    at += bytesWritten;
    let skip = bytesWritten;
    const next: Uint8Array[] = [];
    for (const piece of rest) {
      if (skip >= piece.length) skip -= piece.length;
      else {
        next.push(skip > 0 ? piece.subarray(skip) : piece);
        skip = 0;
      }
    }
    rest = next;
  }
}

/**
 * Writes a message's body into an open file from `offset` on, feeding `tap` each piece as it
 * is read (settled at the end: its digest is then known). Pieces that arrive while a write is in flight go together in the next `writev`
 * (up to 1 MiB, then the reader waits), so that 8 KiB chunks do not cost a write each.
 * @param onWritten told the file's end (`offset` + bytes written) after each write completed.
 * @returns the bytes of the body written.
 * @throws {MsrpError} `MSRP_ERR_ABORTED` when the message is aborted; the fs error of a write.
 */
export async function writeBody(
  message: IncomingMessage,
  handle: FileHandle,
  offset: number,
  tap: HashTap,
  onWritten?: (end: number) => void,
): Promise<number> {
  const body: Iterable<Uint8Array> | AsyncIterable<Uint8Array> = message.stream ?? [
    message.body ?? new Uint8Array(0),
  ];
  let position = offset;
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  let idle = true;
  let writing: Promise<void> = Promise.resolve();
  const startWrite = (): void => {
    const pieces = batch;
    const at = position;
    position += batchBytes;
    const end = position;
    batch = [];
    batchBytes = 0;
    idle = false;
    writing = writeAll(handle, pieces, at).then(() => {
      idle = true;
      onWritten?.(end);
    });
    // A failed write rejects when awaited below; it must not count as unhandled meanwhile.
    writing.catch(ignore);
  };
  try {
    for await (const piece of body) {
      tap.update(piece);
      batch.push(piece);
      batchBytes += piece.length;
      await tap.ready();
      if (!idle && batchBytes >= MAX_BATCH_BYTES) await writing;
      if (idle) startWrite();
    }
    await writing;
    if (batchBytes > 0) {
      startWrite();
      await writing;
    }
    await tap.settle();
  } finally {
    // Never leave a write running on a handle that the caller is about to close.
    await writing.catch(ignore);
  }
  return position - offset;
}
