import { fileSource, normalizeSource, type ByteSource } from './byte-source.js';
import {
  attachmentHeader,
  FILE_HASH_HEADER,
  HashTap,
  type FileHashes,
  type FileSource,
} from './file-transfer.js';
import type { HasherFactory } from './hasher.js';
import type { SendFileOptions, SendOptions } from './options.js';
import { openFile, type SessionRuntime } from './session-runtime.js';

/** A file ready to send as one message: its body, the options to send it with, its hashes. */
export interface FileMessage {
  /** The bytes to send: hashed at once when in memory, as they are read when streamed. */
  readonly body: Uint8Array | AsyncIterable<Uint8Array>;
  /** Content-Type, size, Content-Disposition and the File-Hash header of the last chunk. */
  readonly sendOptions: SendOptions;
  /** SHA-1 and SHA-256 of the file: call once every byte was read (the first call fixes them). */
  readonly hashes: () => FileHashes;
}

/**
 * Opens what `Session.sendFile` was given: a path through the runtime's file system (read
 * in pieces of `readSize`), anything else as it is.
 * @throws {MsrpError} as {@link openFile} does.
 */
export function openFileSource(
  source: string | Exclude<ByteSource, string>,
  options: SendFileOptions,
  runtime: SessionRuntime,
  readSize: number,
): Promise<FileSource> {
  return typeof source === 'string'
    ? openFile(runtime, source, options, readSize)
    : Promise.resolve(fileSource(normalizeSource(source), options, runtime.files));
}

/**
 * The message that sends `file`: Content-Disposition with its name, SHA-1 and SHA-256
 * computed on the way, and the SHA-256 announced on the last chunk (`File-Hash`).
 */
export function fileMessage(
  file: FileSource,
  options: SendFileOptions,
  createHasher: HasherFactory,
): FileMessage {
  const tap = new HashTap(createHasher);
  const sendOptions: SendOptions = {
    ...options,
    contentType: file.contentType,
    ...(file.size !== undefined && { size: file.size }),
    contentHeaders: attachmentHeader(file.name),
    lastChunkHeaders: () => [{ name: FILE_HASH_HEADER, value: `sha-256:${tap.digest().sha256}` }],
  };
  // Bytes in memory are hashed at once and sent whole; streams are hashed as they are read.
  const body = file.bytes instanceof Uint8Array ? tap.whole(file.bytes) : tap.tap(file.bytes);
  return { body, sendOptions, hashes: () => tap.digest() };
}
