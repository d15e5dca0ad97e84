import { MsrpError } from '../errors.js';
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

/** The hashes RFC 5547 names for files: SHA-256 by default, SHA-1 where `hash:sha-1` was negotiated. */
export type FileHashAlgorithm = 'sha-1' | 'sha-256';

/** Formats a digest as RFC 5547 does: `AB:CD:...`. */
export function formatHash(digest: Uint8Array): string {
  return toHex(digest)
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');
}

/**
 * The algorithm of an RFC 5547 hash (`sha-1:AB:...`, `sha-256:AB:...`), or undefined for
 * another one (or none).
 */
export function hashAlgorithmOf(hash: string): FileHashAlgorithm | undefined {
  const algorithm = hash.slice(0, Math.max(0, hash.indexOf(':'))).toLowerCase();
  return algorithm === 'sha-1' || algorithm === 'sha-256' ? algorithm : undefined;
}

/** Computes one hash (SHA-256 unless told otherwise) over bytes as they pass. */
export class HashTap {
  readonly algorithm: FileHashAlgorithm;
  readonly #hasher: Hasher;
  #digest: string | undefined;

  /**
   * @param createHasher where the hash comes from (Node's `nodeHasher`, or a browser's).
   * @param algorithm the hash to compute; default SHA-256.
   * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` for an algorithm not SHA-1 nor SHA-256.
   */
  constructor(createHasher: HasherFactory, algorithm: FileHashAlgorithm = 'sha-256') {
    // From JavaScript any string comes: md5 would be announced as an RFC 5547 hash.
    if (algorithm !== 'sha-1' && algorithm !== 'sha-256') {
      throw new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        `Hash ${JSON.stringify(algorithm)}: RFC 5547 file hashes are 'sha-1' or 'sha-256'`,
      );
    }
    this.algorithm = algorithm;
    this.#hasher = createHasher(algorithm);
  }

  update(bytes: Uint8Array): void {
    this.#hasher.update(bytes);
  }

  /** Whether the hash is computed elsewhere (a worker): `digest()` then needs `settle()`. */
  get offloaded(): boolean {
    return this.#hasher.finish !== undefined;
  }

  /**
   * Undefined when the hasher can take more bytes now, else a promise that resolves when it
   * can (a worker that fell behind): readers that can wait await it.
   */
  ready(): Promise<void> | undefined {
    return this.#hasher.ready?.();
  }

  /** Waits for the hash of everything seen; needed before `digest()` when `offloaded`. */
  async settle(): Promise<void> {
    if (this.#digest !== undefined || !this.#hasher.finish) return;
    const digest = await this.#hasher.finish();
    this.#digest ??= `${this.algorithm}:${formatHash(digest)}`;
  }

  /**
   * The hash of everything seen, in RFC 5547 form: `sha-256:AB:CD:...` (call once all bytes
   * passed, after `settle()`; later calls return the same).
   */
  digest(): string {
    this.#digest ??= `${this.algorithm}:${formatHash(this.#hasher.digest())}`;
    return this.#digest;
  }

  /**
   * Frees what the hash holds elsewhere (a worker's state) when its digest will not be asked
   * for: the bytes stopped coming (a cut transfer, a failed write). A no-op once settled.
   */
  dispose(): void {
    if (this.#digest === undefined) this.#hasher.dispose?.();
  }

  /** Hashes bytes held in memory, and returns them. */
  whole(bytes: Uint8Array): Uint8Array {
    this.update(bytes);
    return bytes;
  }

  /** Wraps a source so that its bytes are hashed as they are read (settled at its end). */
  async *tap(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    try {
      for await (const bytes of source) {
        this.update(bytes);
        await this.ready();
        yield bytes;
      }
      await this.settle();
    } finally {
      this.dispose(); // cut short: its digest is never asked for
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
  /**
   * Told that the peer confirmed every octet of the file before `position` (0-based): a
   * source that reads into buffers may read into theirs again.
   */
  released?(position: number): void;
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
export interface SavedFile {
  readonly path: string;
  /** Bytes of the message written (from the `offset` it was saved at). */
  readonly bytes: number;
  /**
   * The whole file's hash in RFC 5547 form (`sha-256:AB:CD:...`): the algorithm of the
   * expected or announced hash, SHA-256 when none; with an offset, the octets before it too.
   */
  readonly hash: string;
  /** The hash the sender announced (`File-Hash` or SDP), if any, e.g. `sha-256:AB:...`. */
  readonly announcedHash: string | undefined;
  /** Whether the announced hash matches what arrived; undefined when none was announced. */
  readonly hashMatches: boolean | undefined;
}

/** Options of `IncomingMessage.saveTo`. */
export interface SaveOptions {
  /**
   * Writes the message's bytes from this octet of the file on: the file (an existing
   * partial file) holds the octets before it, which are hashed first so that the result's
   * hash is the whole file's; the file is cut at `offset` before writing. Default the
   * message's `offset` (0 unless it resumes a message cut short: `IncomingMessage.offset`);
   * 0 creates or replaces the file.
   */
  readonly offset?: number;
  /**
   * The hash the whole file must have, in RFC 5547 form (`sha-256:AB:...`, `sha-1:AB:...`,
   * e.g. from SDP `a=file-selector`): it chooses the algorithm and `hashMatches` compares
   * with it. Default: the hash the sender announced (`File-Hash`), compared once it came.
   */
  readonly expectedHash?: string;
  /**
   * With `SessionOptions.confirmWhenRead`: check the hash (`expectedHash`, or the sender's
   * `File-Hash` when it is of the same algorithm) before the last chunk is confirmed, and
   * refuse that chunk (413) when it does not match, so that the sender is never told a
   * corrupt file arrived; `saveTo` then rejects with `MSRP_ERR_HASH_MISMATCH` (and the file
   * is undone as for any failure, see {@link keepPartial}). Default false: the file is
   * saved, and `hashMatches` says false.
   */
  readonly refuseMismatch?: boolean;
  /**
   * What a failed `saveTo` (the message aborted or cut, its session closed, a refused hash, a
   * write error) leaves. Default false: nothing of the message, so that no partial file
   * passes for the file: a file the save made is removed, one that was there is cut back to
   * its first `offset` octets (a device such as `/dev/full` is left alone). True: the file
   * keeps the message's octets its sender was told
   * arrived (with `SessionOptions.confirmWhenRead`, every octet confirmed; without, what was
   * written), to resume from with `saveTo(path, { offset })` at the file's size.
   */
  readonly keepPartial?: boolean;
}

/**
 * What a saved message amounts to once all its bytes passed `tap`: the hash and whether the
 * announced one (`expectedHash`, or the sender's `File-Hash`) matches. `hash` replaces the
 * tap's digest when the file was hashed again with the announced algorithm.
 */
export function savedFile(
  message: IncomingMessage,
  path: string,
  bytes: number,
  hash: string,
  expectedHash: string | undefined,
): SavedFile {
  const announcedHash = expectedHash ?? message.announcedHash;
  return {
    path,
    bytes,
    hash,
    announcedHash,
    hashMatches: announcedHash === undefined ? undefined : hashMatches(announcedHash, hash),
  };
}

/**
 * Checks a file's `hash` against the one it must have.
 * @param what names the file in the error, e.g. its path.
 * @throws {MsrpError} `MSRP_ERR_HASH_MISMATCH` when they differ.
 */
export function checkHash(what: string, hash: string, expected: string): void {
  if (!hashMatches(expected, hash)) {
    throw new MsrpError('MSRP_ERR_HASH_MISMATCH', `${what} has the hash ${hash}, not ${expected}`);
  }
}

/**
 * {@link checkHash} of what `tap` hashed, before the last chunk of a file is confirmed: when
 * `expected` is of the tap's algorithm (another one can only be checked once the file is
 * hashed again, after that 200).
 */
export function checkBeforeLast(what: string, tap: HashTap, expected: string | undefined): void {
  if (expected === undefined || hashAlgorithmOf(expected) !== tap.algorithm) return;
  checkHash(what, tap.digest(), expected);
}

/**
 * Whether an RFC 5547 hash (`sha-1:..` or `sha-256:..`, any case) is the same as a computed
 * one; false when their algorithms differ.
 */
export function hashMatches(announced: string, hash: string): boolean {
  const algorithm = hashAlgorithmOf(announced);
  return (
    algorithm !== undefined &&
    algorithm === hashAlgorithmOf(hash) &&
    announced.slice(algorithm.length + 1).toUpperCase() ===
      hash.slice(algorithm.length + 1).toUpperCase()
  );
}
