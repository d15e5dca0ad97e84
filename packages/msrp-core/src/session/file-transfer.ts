import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import mime from 'mime-types';
import { MsrpError } from '../errors.js';
import { nodeHasher } from '../node/node-hasher.js';
import { quote } from '../wire/grammar.js';
import type { HeaderField } from '../wire/head.js';
import { toHex, type Hasher, type HasherFactory } from './hasher.js';
import type { IncomingMessage } from './incoming-message.js';
import { pieces } from './pieces.js';

/**
 * Name of the extension header on the last chunk of a file that carries the sender's
 * hash, in RFC 5547 `hash` form (`sha-256:AB:CD:...`), for receivers that got no SDP.
 * Peers that do not know it ignore it (RFC 4975 §9 ext-header).
 */
export const FILE_HASH_HEADER = 'File-Hash';

/** Hashes of a file's bytes, as RFC 5547 writes them: upper-case hex pairs joined by colons. */
export interface FileHashes {
  /** SHA-1, the hash RFC 5547 §6 names for `a=file-selector`. */
  readonly sha1: string;
  readonly sha256: string;
}

/** Formats a digest as RFC 5547 does: `AB:CD:...`. */
export function formatHash(digest: Uint8Array): string {
  return toHex(digest)
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');
}

/** Computes SHA-1 and SHA-256 over bytes as they pass. */
export class HashTap {
  readonly #sha1: Hasher;
  readonly #sha256: Hasher;
  #digests: FileHashes | undefined;

  /** @param createHasher where the hashes come from; default Node's `node:crypto`. */
  constructor(createHasher: HasherFactory = nodeHasher) {
    this.#sha1 = createHasher('sha-1');
    this.#sha256 = createHasher('sha-256');
  }

  update(bytes: Uint8Array): void {
    this.#sha1.update(bytes);
    this.#sha256.update(bytes);
  }

  /** The hashes of everything seen (call once all bytes passed). */
  digest(): FileHashes {
    this.#digests ??= {
      sha1: formatHash(this.#sha1.digest()),
      sha256: formatHash(this.#sha256.digest()),
    };
    return this.#digests;
  }

  /** Wraps a source so that its bytes are hashed as they are read. */
  async *tap(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const bytes of source instanceof Readable ? pieces(source) : source) {
      this.update(bytes);
      yield bytes;
    }
  }
}

/** A file to send, opened for streaming. */
export interface FileSource {
  readonly stream: Readable;
  readonly name: string | undefined;
  readonly size: number | undefined;
  readonly contentType: string;
}

/**
 * Opens a path (or takes a stream) for sending: size from `stat`, Content-Type from the
 * file name (mime-types), reading in pieces of `readSize` bytes.
 * @throws {MsrpError} `MSRP_ERR_FILE` when the path is missing or no regular file.
 */
export async function openFileSource(
  source: string | Readable,
  options: { name?: string; contentType?: string; size?: number; readSize: number },
): Promise<FileSource> {
  if (typeof source !== 'string') {
    const name = options.name;
    return {
      stream: source,
      name,
      size: options.size,
      contentType:
        options.contentType ?? ((name && mime.lookup(name)) || 'application/octet-stream'),
    };
  }
  let size: number;
  try {
    const info = await stat(source);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
  } catch (e) {
    throw new MsrpError('MSRP_ERR_FILE', `Cannot send ${source}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const name = options.name ?? basename(source);
  return {
    stream: createReadStream(source, { highWaterMark: options.readSize }),
    name,
    size,
    contentType: options.contentType ?? (mime.lookup(name) || 'application/octet-stream'),
  };
}

/** Content-Disposition for a file (RFC 2183), with the name as a quoted-string. */
export function attachmentHeader(name: string | undefined): HeaderField[] {
  if (name === undefined) return [{ name: 'Content-Disposition', value: 'attachment' }];
  // Quoted-strings cannot carry CR or LF; drop them from odd names rather than fail.
  return [
    {
      name: 'Content-Disposition',
      value: `attachment; filename=${quote(name.replace(/[\r\n]/g, ''))}`,
    },
  ];
}

/** What {@link saveMessage} wrote. */
export interface SavedFile extends FileHashes {
  readonly path: string;
  readonly bytes: number;
  /** The hash the sender announced (`File-Hash` or SDP), if any, e.g. `sha-256:AB:...`. */
  readonly announcedHash: string | undefined;
  /** Whether the announced hash matches what arrived; undefined when none was announced. */
  readonly hashMatches: boolean | undefined;
}

/**
 * Streams an incoming message to a file, hashing on the way, and checks the hash the
 * sender announced (or `expectedHash`, e.g. from SDP `a=file-selector`).
 * @throws {MsrpError} `MSRP_ERR_ABORTED` when the sender aborted the message.
 */
export async function saveMessage(
  message: IncomingMessage,
  path: string,
  expectedHash?: string,
  createHasher: HasherFactory = nodeHasher,
): Promise<SavedFile> {
  const tap = new HashTap(createHasher);
  let bytes = 0;
  await pipeline(
    message.stream ?? Readable.from([message.body ?? Buffer.alloc(0)]),
    async function* (chunks: AsyncIterable<Uint8Array>) {
      for await (const chunk of chunks) {
        tap.update(chunk);
        bytes += chunk.length;
        yield chunk;
      }
    },
    createWriteStream(path),
  );
  await message.completed;
  const hashes = tap.digest();
  const announcedHash = expectedHash ?? message.announcedHash;
  return {
    path,
    bytes,
    ...hashes,
    announcedHash,
    hashMatches: announcedHash === undefined ? undefined : hashMatches(announcedHash, hashes),
  };
}

/** Whether an RFC 5547 hash (`sha-1:..` or `sha-256:..`) matches computed hashes. */
export function hashMatches(announced: string, hashes: FileHashes): boolean {
  const colon = announced.indexOf(':');
  const algorithm = announced.slice(0, colon).toLowerCase();
  const value = announced.slice(colon + 1).toUpperCase();
  if (algorithm === 'sha-1') return value === hashes.sha1;
  if (algorithm === 'sha-256') return value === hashes.sha256;
  return false;
}
