// Node's file system for sessions: `sendFile(path)` and `IncomingMessage.saveTo(path)`.
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import mime from 'mime-types';
import { MsrpError } from '../errors.js';
import { pieces } from '../session/byte-source.js';
import { hashedBody, HashTap, savedFile, type FileSource } from '../session/file-transfer.js';
import type { FileAccess, OpenFileOptions } from '../session/session-runtime.js';

/** The Content-Type of a file name (mime-types), when known. */
function contentTypeOf(name: string): string | undefined {
  return mime.lookup(name) || undefined;
}

/**
 * Opens a path for sending: size from `stat`, Content-Type from the file name (mime-types),
 * read in pieces of `readSize` bytes, each handed over as read (no copy).
 * @throws {MsrpError} `MSRP_ERR_FILE` when the path is missing or no regular file.
 */
async function open(path: string, options: OpenFileOptions): Promise<FileSource> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
  } catch (e) {
    throw new MsrpError('MSRP_ERR_FILE', `Cannot send ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const name = options.name ?? basename(path);
  const stream = createReadStream(path, { highWaterMark: options.readSize });
  return {
    bytes: pieces(stream),
    name,
    size,
    contentType: options.contentType ?? contentTypeOf(name) ?? 'application/octet-stream',
    release: () => stream.destroy(),
  };
}

/** Node's {@link FileAccess}: `node:fs` streams, `mime-types` for Content-Type. */
export const nodeFiles: FileAccess = {
  open,
  contentTypeOf,
  async save(message, path, expectedHash, createHasher) {
    const tap = new HashTap(createHasher);
    const counter = { bytes: 0 };
    await pipeline(hashedBody(message, tap, counter), createWriteStream(path));
    await message.completed;
    return savedFile(message, path, counter.bytes, tap, expectedHash);
  },
};
