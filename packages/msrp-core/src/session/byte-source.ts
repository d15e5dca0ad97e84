// What can be sent, on any runtime: bytes, text, a Blob (a browser File), a web
// ReadableStream, any AsyncIterable of bytes, and a Node Readable, found by its shape so that
// this file never imports `node:stream`.
import { MsrpError } from '../errors.js';
import { encodeUtf8 } from '../wire/bytes.js';
import type { FileSource } from './file-transfer.js';
import type { FileAccess } from './session-runtime.js';
import { NodePieces } from './node-pieces.js';

/**
 * The part of a Node `Readable` the core uses: flowing mode, one piece at a time. Matched by
 * shape ({@link isNodeReadable}), so that neutral code needs no `node:stream`.
 */
export interface NodeReadableLike {
  on(event: string, listener: (...args: unknown[]) => void): this;
  once(event: string, listener: (...args: unknown[]) => void): this;
  off(event: string, listener: (...args: unknown[]) => void): this;
  pause(): this;
  resume(): this;
  destroy(error?: Error): this;
  pipe: unknown;
}

/**
 * Bytes to send: text (UTF-8), bytes, a Blob or browser `File` (its `type` and `size` are
 * used), a web `ReadableStream`, a Node `Readable`, or any `AsyncIterable<Uint8Array>`.
 */
export type ByteSource =
  | string
  | Uint8Array
  | Blob
  | ReadableStream<Uint8Array>
  | NodeReadableLike
  | AsyncIterable<Uint8Array>;

/** A source made ready to read: all bytes, or pieces read on demand. */
export interface NormalizedSource {
  readonly bytes: Uint8Array | AsyncIterable<Uint8Array>;
  /** Size when the source knows it (bytes, Blob). */
  readonly size: number | undefined;
  /** Media type a Blob carries (empty when unknown is left out). */
  readonly type: string | undefined;
  /** A `File`'s name. */
  readonly name: string | undefined;
  /** Lets go of a source that will not be read (closes a file stream, cancels a web stream). */
  release(): void;
}

/** Whether `value` looks like a Node `Readable` (no import: neutral code may meet one). */
export function isNodeReadable(value: unknown): value is NodeReadableLike {
  const v = value as Partial<Record<keyof NodeReadableLike, unknown>> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.on === 'function' &&
    typeof v.pause === 'function' &&
    typeof v.resume === 'function' &&
    typeof v.destroy === 'function' &&
    typeof v.pipe === 'function'
  );
}

function isBlob(value: object): value is Blob {
  const v = value as Partial<Blob>;
  return (
    typeof v.stream === 'function' &&
    typeof v.arrayBuffer === 'function' &&
    typeof v.size === 'number' &&
    typeof v.type === 'string'
  );
}

function isWebStream(value: object): value is ReadableStream<Uint8Array> {
  return typeof (value as Partial<ReadableStream>).getReader === 'function';
}

const nothing = (): void => undefined;

/** Turns any {@link ByteSource} into bytes or pieces, with what it tells of itself. */
export function normalizeSource(source: ByteSource): NormalizedSource {
  if (typeof source === 'string') return whole(encodeUtf8(source));
  if (source instanceof Uint8Array) return whole(source);
  // From JavaScript anything may come: say what is wanted, not a TypeError from deep inside.
  if (typeof source !== 'object' || source === null) throw notASource(source);
  if (isNodeReadable(source)) {
    return {
      bytes: pieces(source),
      size: undefined,
      type: undefined,
      name: undefined,
      release: () => source.destroy(),
    };
  }
  if (isBlob(source)) {
    const name = (source as Partial<File>).name;
    return {
      bytes: webPieces(() => source.stream()),
      size: source.size,
      type: source.type === '' ? undefined : source.type,
      name: typeof name === 'string' ? name : undefined,
      release: nothing,
    };
  }
  if (isWebStream(source)) {
    return {
      bytes: webPieces(() => source),
      size: undefined,
      type: undefined,
      name: undefined,
      // A locked stream is being read by its reader, which cancels it itself.
      release: () => void (source.locked ? undefined : source.cancel().catch(nothing)),
    };
  }
  if (typeof source[Symbol.asyncIterator] !== 'function') throw notASource(source);
  return { bytes: source, size: undefined, type: undefined, name: undefined, release: nothing };
}

function notASource(source: unknown): MsrpError {
  return new MsrpError(
    'MSRP_ERR_INVALID_ARGUMENT',
    `Cannot send ${kindOf(source)}: give text, bytes, a Blob, a stream or an async iterable of bytes`,
  );
}

/** What a value is, for an error about an argument of the wrong kind: "null", "a number"... */
export function kindOf(value: unknown): string {
  if (value == null) return String(value);
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * A file to send from a source other than a path: name and type from a `File` or Blob unless
 * `options` give them; else the type from the name (when the runtime has a file system), else
 * `application/octet-stream`. Its size is the source's own (bytes, a Blob), or undefined for
 * a stream: the size a caller declares for one is `SendFileOptions.size`, which the file's
 * window holds it to (see `fileMessage`).
 */
export function fileSource(
  source: NormalizedSource,
  options: { name?: string; contentType?: string },
  files?: FileAccess,
): FileSource {
  const name = options.name ?? source.name;
  return {
    bytes: source.bytes,
    name,
    size: source.size,
    contentType:
      options.contentType ??
      source.type ??
      (name === undefined ? undefined : files?.contentTypeOf(name)) ??
      'application/octet-stream',
    release: () => source.release(),
  };
}

function whole(bytes: Uint8Array): NormalizedSource {
  return { bytes, size: bytes.length, type: undefined, name: undefined, release: nothing };
}

/**
 * Reads a web stream through its reader: every runtime has `getReader`, not every one makes
 * streams async-iterable. Stopping early cancels the stream.
 */
async function* webPieces(open: () => ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = open().getReader();
  let done = false;
  try {
    for (;;) {
      const step = await reader.read();
      if (step.done) {
        done = true;
        return;
      }
      yield step.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(nothing);
    reader.releaseLock();
  }
}

/** Reads a Node stream piece by piece as it was pushed (see {@link NodePieces}). */
export function pieces(stream: NodeReadableLike): NodePieces {
  return new NodePieces(stream);
}
