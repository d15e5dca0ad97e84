// Node's file system for sessions: `sendFile(path)` and `IncomingMessage.saveTo(path)`.
import { open as openHandle, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type * as MimeTypes from 'mime-types';
import { MsrpError } from '../errors.js';
import {
  checkBeforeLast,
  hashAlgorithmOf,
  HashTap,
  savedFile,
  type FileSource,
  type SavedFile,
  type SaveOptions,
} from '../session/file-transfer.js';
import type { HasherFactory } from '../session/hasher.js';
import type { IncomingMessage } from '../session/incoming-message.js';
import type { FileAccess, OpenFileOptions } from '../session/session-runtime.js';
import { FilePieces } from './file-pieces.js';
import { hashFile, hashFileRange, writeBody } from './file-write.js';
import { lazyRequire } from './lazy-require.js';

let mime: typeof MimeTypes | undefined;

/**
 * Bytes read from a file at once, at least. Node reads a file on its thread pool, one round
 * trip per piece: 128 MiB in 64 KiB pieces cost 190–270 ms of CPU, in 256 KiB pieces 80 ms
 * (measured), and the pieces are cut into chunks without a copy.
 */
const MIN_READ_SIZE = 256 * 1024;
/**
 * Bytes read from a file at once, at most. A chunk is cut from one piece, so a larger
 * `chunkSize` sends a file in chunks of this size: bigger pieces would only hold more memory
 * until confirmed, and `fs.read` takes at most 2 GiB - 1 (a 2 GiB `chunkSize` aborted the
 * process on an assertion in Node).
 */
const MAX_READ_SIZE = 16 * 1024 * 1024;

/** The Content-Type of a file name (mime-types), when known. */
function contentTypeOf(name: string): string | undefined {
  // Required on first use: its database costs ~3 MiB of RSS (41.1 → 44.2 MiB, measured) in
  // every process that imports msrp-core, and only a file's sender needs it.
  mime ??= lazyRequire('mime-types') as typeof MimeTypes;
  return mime.lookup(name) || undefined;
}

/**
 * Opens a path for sending: size from `stat`, Content-Type from the file name (mime-types),
 * read in pieces of `readSize` bytes (256 KiB to 16 MiB, no more than the file), each handed
 * over as read (no copy), into buffers read into again once the peer confirmed them
 * ({@link FilePieces}).
 * @throws {MsrpError} `MSRP_ERR_FILE` when the path is missing or no regular file.
 */
async function open(path: string, options: OpenFileOptions): Promise<FileSource> {
  let size: number;
  let handle;
  try {
    // stat first: opening a FIFO to read would wait for a writer.
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
    handle = await openHandle(path, 'r');
  } catch (e) {
    throw new MsrpError('MSRP_ERR_FILE', `Cannot send ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const name = options.name ?? basename(path);
  // No piece larger than the file: 2000 bytes sent with a 100 MiB chunkSize read into
  // 100 MiB buffers.
  const pieceSize = Math.min(Math.max(options.readSize, MIN_READ_SIZE), MAX_READ_SIZE);
  const pieces = new FilePieces(handle, Math.max(1, Math.min(pieceSize, size)), { path, size });
  return {
    bytes: pieces,
    name,
    size,
    contentType: options.contentType ?? contentTypeOf(name) ?? 'application/octet-stream',
    release: () => pieces.close(),
    released: (position) => pieces.released(position),
  };
}

/**
 * Writes a message at `options.offset` of a file (default the message's own `offset`: a
 * resumed message goes after what the file holds; replaced when 0, else an existing file of
 * at least that many octets, cut there first), hashing the octets before the offset and then
 * the message's as they are written: one pass, one hash, the whole file's.
 * @throws {MsrpError} `MSRP_ERR_FILE` for a file shorter than the offset;
 * `MSRP_ERR_INVALID_ARGUMENT` for a bad offset; `MSRP_ERR_ABORTED` when the message is.
 */
async function save(
  message: IncomingMessage,
  path: string,
  options: SaveOptions,
  createHasher: HasherFactory,
): Promise<SavedFile> {
  const offset = options.offset ?? message.offset;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `Invalid offset ${offset}`);
  }
  // Before the try: refused, it must not discard the message another call is saving.
  message.stream?.claim();
  const expected = options.expectedHash;
  const tap = new HashTap(createHasher, hashAlgorithmOf(expected ?? '') ?? 'sha-256');
  let handle: FileHandle | undefined;
  /** The file was not there before: made by this save, removed if it fails. */
  let created = false;
  /** Where the file ends, once written past `offset`. */
  let written: number | undefined;
  try {
    ({ handle, created } = await openTarget(path, offset).catch((e: unknown) => {
      throw new MsrpError('MSRP_ERR_FILE', `Cannot save to ${path}: ${(e as Error).message}`, {
        cause: e,
      });
    }));
    if (offset > 0) {
      await hashFileRange(handle, 0, offset, tap);
      await handle.truncate(offset);
    }
    const bytes = await writeBody(message, handle, offset, tap, {
      onWritten: (end) => (written = end),
      beforeLast:
        options.refuseMismatch === true
          ? () => checkBeforeLast(path, tap, expected ?? message.announcedHash)
          : undefined,
    });
    await message.completed;
    let hash = tap.digest();
    // The sender's File-Hash arrives with the last chunk: when no expected hash chose the
    // algorithm and the sender's is another one (sha-1), hash the file again to check it.
    const announced = hashAlgorithmOf(message.announcedHash ?? '');
    if (expected === undefined && announced !== undefined && announced !== tap.algorithm) {
      hash = await hashFile(handle, offset + bytes, createHasher, announced);
    }
    return savedFile(message, path, bytes, hash, expected);
  } catch (e) {
    // Not stored (a full disk, no file): the rest is refused, and with confirmWhenRead the
    // chunks not confirmed yet get 413 now, where they would wait for a reader that is gone.
    message.discard(e);
    if (handle) {
      // Closed first: an open file cannot be removed everywhere (Windows).
      await handle.close().catch(() => undefined);
      handle = undefined;
      const partial = options.keepPartial === true;
      const keep = partial ? offset + message.confirmed - message.offset : offset;
      await undoSave(path, created && !partial, keep, written);
    }
    throw e;
  } finally {
    tap.dispose(); // a cut message: its hash is never asked for
    await handle?.close();
  }
}

/**
 * Opens the file a message is saved into: the existing one at `offset` > 0; else a new one
 * (`created`), or the one there, replaced.
 */
async function openTarget(
  path: string,
  offset: number,
): Promise<{ handle: FileHandle; created: boolean }> {
  if (offset > 0) return { handle: await openHandle(path, 'r+'), created: false };
  try {
    return { handle: await openHandle(path, 'wx+'), created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return { handle: await openHandle(path, 'w+'), created: false };
}

/**
 * After a failed save, so that no partial message passes for a file: removes the file when
 * the save made it (`remove`), else cuts a regular file back to `keep` octets if it was
 * written past them. Never a file that was there before (a device such as /dev/full, one the
 * caller owns); best effort: the save's own error is the one to tell.
 */
async function undoSave(
  path: string,
  remove: boolean,
  keep: number,
  written: number | undefined,
): Promise<void> {
  try {
    if (remove) await rm(path, { force: true });
    else if (written !== undefined && keep < written && (await stat(path)).isFile())
      await truncate(path, keep);
  } catch {
    // Left as it is: the caller learns of the save's failure, which came first.
  }
}

/** Node's {@link FileAccess}: `node:fs` files, `mime-types` for Content-Type. */
export const nodeFiles: FileAccess = { open, contentTypeOf, save };
