// Writing a received message into a file at an offset, hashed in the same pass: what
// `saveTo(path, { offset })` and `PartialFile.receive` share.
import { writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { MsrpError } from '../errors.js';
import type { HashTap } from '../session/file-transfer.js';
import type { IncomingMessage } from '../session/incoming-message.js';

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
 * Writes a message's body into an open file from `offset` on, feeding `tap` each piece as it
 * is read (settled at the end: its digest is then known). Each piece is on disk before the
 * next one is pulled, so that with `SessionOptions.confirmWhenRead` every octet the sender
 * was told arrived is written. The write is synchronous: into the page cache it takes
 * microseconds, less than a thread-pool round trip per piece.
 * @param onWritten told the file's end (`offset` + bytes written) after each write.
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
  for await (const piece of body) {
    for (let done = 0; done < piece.length;) {
      done += writeSync(handle.fd, piece, done, piece.length - done, position + done);
    }
    position += piece.length;
    onWritten?.(position);
    tap.update(piece);
    await tap.ready();
  }
  await tap.settle();
  return position - offset;
}
