// What a session needs of its runtime beyond the Encoding API and timers: hashing, and a file
// system for the path forms of sendFile and saveTo. Node's is in node/; a browser gives only
// a hasher (files there are Blobs and streams).
import { MsrpError } from '../errors.js';
import type { FileSource, SavedFile, SaveOptions } from './file-transfer.js';
import type { HasherFactory } from './hasher.js';
import type { IncomingMessage } from './incoming-message.js';

/** How {@link FileAccess.open} opens a file for sending. */
export interface OpenFileOptions {
  /** File name for Content-Disposition; default the path's base name. */
  readonly name?: string;
  /** Content-Type; default from the file name. */
  readonly contentType?: string;
  /** Bytes per read. */
  readonly readSize: number;
}

/** A file system, for `sendFile(path)` and `IncomingMessage.saveTo(path)`. */
export interface FileAccess {
  /**
   * Opens a path for sending: size, Content-Type from the name, pieces read on demand.
   * @throws {MsrpError} `MSRP_ERR_FILE` when the path is missing or no regular file.
   */
  open(path: string, options: OpenFileOptions): Promise<FileSource>;
  /** The Content-Type of a file name (by extension), when known. */
  contentTypeOf(name: string): string | undefined;
  /**
   * Streams a message to a file at `options.offset`, hashing the whole file on the way, and
   * checks the expected or announced hash.
   * @throws {MsrpError} `MSRP_ERR_ABORTED` when the sender aborted the message;
   * `MSRP_ERR_FILE` when the file cannot be written or is shorter than the offset.
   */
  save(
    message: IncomingMessage,
    path: string,
    options: SaveOptions,
    createHasher: HasherFactory,
  ): Promise<SavedFile>;
}

/** What sessions get from their runtime: a hasher always, a file system where there is one. */
export interface SessionRuntime {
  /** Where file hashes come from (SHA-256, SHA-1). */
  readonly createHasher: HasherFactory;
  /**
   * Where the hashes of files (`sendFile`, `saveTo`, `receiveBlob`) come from, when the
   * session is given no `createHasher`: Node's hashes them in a worker thread. Default
   * `createHasher`.
   */
  readonly fileHasher?: HasherFactory;
  /** The file system; without it `sendFile` and `saveTo` take no paths. */
  readonly files?: FileAccess;
}

/**
 * Opens a path through the runtime's file system.
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` on a runtime without one.
 */
export function openFile(
  runtime: SessionRuntime,
  path: string,
  options: { readonly name?: string; readonly contentType?: string },
  readSize: number,
): Promise<FileSource> {
  if (!runtime.files) {
    return Promise.reject(
      new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        "Sending a file by path needs Node's file system; pass a Blob or a stream",
      ),
    );
  }
  return runtime.files.open(path, {
    ...(options.name !== undefined && { name: options.name }),
    ...(options.contentType !== undefined && { contentType: options.contentType }),
    readSize,
  });
}
