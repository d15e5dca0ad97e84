import { quote } from '../wire/grammar.js';
import type { HeaderField } from '../wire/head.js';
import { toHex, type Hasher, type HasherFactory } from './hasher.js';
import type { IncomingMessage } from './incoming-message.js';

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

  /** @param createHasher where the hashes come from (Node's `nodeHasher`, or a browser's). */
  constructor(createHasher: HasherFactory) {
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

  /** Hashes bytes held in memory, and returns them. */
  whole(bytes: Uint8Array): Uint8Array {
    this.update(bytes);
    return bytes;
  }

  /** Wraps a source so that its bytes are hashed as they are read. */
  async *tap(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const bytes of source) {
      this.update(bytes);
      yield bytes;
    }
  }
}

/** A file to send, opened for streaming. */
export interface FileSource {
  /** Its bytes: in memory, or read on demand. */
  readonly bytes: Uint8Array | AsyncIterable<Uint8Array>;
  readonly name: string | undefined;
  readonly size: number | undefined;
  readonly contentType: string;
  /** Closes the file when it will not be read (a send refused at once). */
  release(): void;
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

/** What `IncomingMessage.saveTo` wrote. */
export interface SavedFile extends FileHashes {
  readonly path: string;
  readonly bytes: number;
  /** The hash the sender announced (`File-Hash` or SDP), if any, e.g. `sha-256:AB:...`. */
  readonly announcedHash: string | undefined;
  /** Whether the announced hash matches what arrived; undefined when none was announced. */
  readonly hashMatches: boolean | undefined;
}

/**
 * The body of a message, hashed by `tap` and counted as it is read: what a file system's
 * `save` writes (see `FileAccess`).
 */
export async function* hashedBody(
  message: IncomingMessage,
  tap: HashTap,
  counter: { bytes: number },
): AsyncGenerator<Uint8Array> {
  const body: Iterable<Uint8Array> | AsyncIterable<Uint8Array> = message.stream ?? [
    message.body ?? new Uint8Array(0),
  ];
  for await (const piece of body) {
    tap.update(piece);
    counter.bytes += piece.length;
    yield piece;
  }
}

/**
 * What a saved message amounts to once all its bytes passed `tap`: the hashes and whether the
 * announced one (`expectedHash`, or the sender's `File-Hash`) matches.
 */
export function savedFile(
  message: IncomingMessage,
  path: string,
  bytes: number,
  tap: HashTap,
  expectedHash: string | undefined,
): SavedFile {
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
