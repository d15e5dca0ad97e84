import { MsrpError } from '../errors.js';
import { fileSource, normalizeSource, type ByteSource } from './byte-source.js';
import { attachmentHeader, FILE_HASH_HEADER, HashTap, type FileSource } from './file-transfer.js';
import type { HasherFactory } from './hasher.js';
import type { SendFileOptions, SendOptions } from './options.js';
import { openFile, type SessionRuntime } from './session-runtime.js';

/** A file ready to send as one message: its body, the options to send it with, its hash. */
export interface FileMessage {
  /** The bytes to send: hashed at once when in memory, as they are read when streamed. */
  readonly body: Uint8Array | AsyncIterable<Uint8Array>;
  /** Content-Type, size, Content-Disposition and the File-Hash header of the last chunk. */
  readonly sendOptions: SendOptions;
  /** The whole file's hash (`sha-256:AB:...`): call once every byte was read. */
  readonly hash: () => string;
}

/**
 * Opens what `Session.sendFile` was given: a path through the runtime's file system (read
 * in pieces of `readSize`), anything else as it is. When `options.signal` has aborted by the
 * time it is open, it is released: the send rejected at the abort and will never read it.
 * @throws {MsrpError} as {@link openFile} does.
 */
export function openFileSource(
  source: string | Exclude<ByteSource, string>,
  options: SendFileOptions,
  runtime: SessionRuntime,
  readSize: number,
): Promise<FileSource> {
  const opening =
    typeof source === 'string'
      ? openFile(runtime, source, options, readSize)
      : Promise.resolve(fileSource(normalizeSource(source), options, runtime.files));
  // An abort while the file opens rejects the send at once (the caller races this promise
  // with the signal), leaving the file nobody's: its descriptor leaked until the GC closed it.
  const { signal } = options;
  if (signal) {
    opening.then(
      (file) => {
        if (signal.aborted) file.release();
      },
      () => undefined,
    );
  }
  return opening;
}

/** The octets of the file that travel: `[skip, stop)`, 0-based; the message's size and offset. */
interface Window {
  readonly skip: number;
  readonly stop: number;
  /**
   * Where the file ends: its size when opened, else the size the caller declared for a
   * stream, else Infinity. Octets past it are neither hashed nor sent: a file that grew since
   * it was opened goes as it was (its hash that of the octets sent); a stream longer than
   * declared fails the send.
   */
  readonly end: number;
  /** Whether the end is the caller's word (a stream's declared size), not the file's own. */
  readonly declared: boolean;
  readonly size: number | undefined;
  readonly offset: number;
}

/**
 * Where the sent octets start and end, from `offset` or `range`.
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` for a range outside the file, or a declared
 * size that is not the one the file tells.
 */
function windowOf(options: SendFileOptions, file: FileSource): Window {
  const { range, offset = 0 } = options;
  if (options.size !== undefined && file.size !== undefined && options.size !== file.size) {
    // Honoured, it cut a Blob short, announced one longer than it is, or sent `size` octets
    // of bytes announced with the hash of them all.
    throw new MsrpError(
      'MSRP_ERR_INVALID_ARGUMENT',
      `Invalid size ${options.size}: the file is ${file.size} octets (a path, bytes or a Blob tell their own size)`,
    );
  }
  const fileSize = file.size ?? options.size;
  const end = fileSize ?? Infinity;
  const declared = file.size === undefined;
  if (range === undefined) {
    return { skip: offset, stop: end, end, declared, size: fileSize, offset };
  }
  const ok =
    options.offset === undefined &&
    Number.isSafeInteger(range.start) &&
    Number.isSafeInteger(range.end) &&
    range.start >= 1 &&
    range.end >= range.start &&
    (fileSize === undefined || range.end <= fileSize);
  if (!ok) {
    throw new MsrpError(
      'MSRP_ERR_INVALID_ARGUMENT',
      `Invalid range ${range.start}-${range.end}${fileSize === undefined ? '' : ` of a file of ${fileSize} octets`}` +
        (options.offset === undefined ? '' : ': give a range or an offset, not both'),
    );
  }
  const size = range.end - range.start + 1;
  return { skip: range.start - 1, stop: range.end, end, declared, size, offset: 0 };
}

/**
 * The octets `[skip, stop)` of a source, all of whose octets pass `tap`. The last octets sent
 * wait until the rest of the source was hashed, so that the last chunk can carry the whole
 * file's hash.
 */
async function* sliced(
  source: AsyncIterable<Uint8Array>,
  tap: HashTap,
  { skip, stop, end, declared }: Window,
): AsyncGenerator<Uint8Array> {
  let at = 0;
  let last: Uint8Array | undefined;
  try {
    for await (const read of source) {
      if (end - at < read.length && declared) {
        throw new MsrpError('MSRP_ERR_LIMIT', `The file is larger than its declared ${end} bytes`);
      }
      // A file that grew since it was opened: what it had then, and no more.
      const piece = end - at < read.length ? read.subarray(0, end - at) : read;
      tap.update(piece);
      await tap.ready();
      const from = Math.max(skip - at, 0);
      const to = Math.min(stop - at, piece.length);
      at += piece.length;
      if (!last && from < to) {
        if (at < stop) yield from === 0 && to === piece.length ? piece : piece.subarray(from, to);
        else last = piece.subarray(from, to);
      }
      // A file's own size reached: the rest is not read (a stream is, to find more than declared).
      if (at >= end && !declared) break;
    }
    // The last chunk carries the hash: it must be known before that chunk is made.
    await tap.settle();
  } finally {
    tap.dispose(); // a send cut short (closed session, abort) asks for no digest
  }
  if (last) yield last;
}

/** Bytes in memory, hashed by a hasher that works elsewhere before they are handed out. */
async function* settled(
  bytes: Uint8Array,
  tap: HashTap,
  { skip, stop }: Window,
): AsyncGenerator<Uint8Array> {
  tap.update(bytes);
  await tap.settle();
  if (Math.min(stop, bytes.length) > skip) yield bytes.subarray(skip, stop);
}

/**
 * An `onProgress` that also tells the source which of its octets the peer confirmed (it may
 * then read into their buffers again), then calls the application's own.
 */
function releasing(
  file: FileSource,
  { skip, offset }: Window,
  onProgress: SendOptions['onProgress'],
): NonNullable<SendOptions['onProgress']> {
  // Progress counts the message's octets from `offset` (a resume) or 0 (a range): the file's
  // are `skip` further on.
  return (progress) => {
    file.released?.(skip + progress.bytes - offset);
    onProgress?.(progress);
  };
}

/**
 * The message that sends `file` (or the part of it `options.offset` or `options.range` says):
 * Content-Disposition with its name, the whole file's hash (`options.hash`, SHA-256 by
 * default) computed on the way, and announced on the last chunk (`File-Hash`).
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` for a range outside the file, or an
 * `options.size` other than the file's own.
 */
export function fileMessage(
  file: FileSource,
  options: SendFileOptions,
  createHasher: HasherFactory,
): FileMessage {
  const tap = new HashTap(createHasher, options.hash ?? 'sha-256');
  const window = windowOf(options, file);
  const sendOptions: SendOptions = {
    ...options,
    contentType: file.contentType,
    ...(window.size !== undefined && { size: window.size }),
    offset: window.offset,
    contentHeaders: attachmentHeader(file.name),
    lastChunkHeaders: () => [{ name: FILE_HASH_HEADER, value: tap.digest() }],
    ...(file.released && { onProgress: releasing(file, window, options.onProgress) }),
  };
  // Bytes in memory are hashed at once and sent whole; streams are hashed as they are read.
  const body =
    file.bytes instanceof Uint8Array
      ? tap.offloaded
        ? settled(file.bytes, tap, window)
        : tap.whole(file.bytes).subarray(window.skip, window.stop)
      : sliced(file.bytes, tap, window);
  return { body, sendOptions, hash: () => tap.digest() };
}
