// The receiver's side of a resumable file transfer (RFC 5547 §6, §8.3.2): `name.part` holds
// the octets received so far, `name.part.json` a record of them that sdp-msrp's
// resumeOffer/resumeRange read as it is.
import { constants } from 'node:fs';
import { open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MsrpError } from '../errors.js';
import {
  checkBeforeLast,
  checkHash,
  hashAlgorithmOf,
  HashTap,
  hashMatches,
} from '../session/file-transfer.js';
import type { HasherFactory } from '../session/hasher.js';
import type { IncomingMessage } from '../session/incoming-message.js';
import { hashFile, hashFileRange, writeBody } from './file-write.js';
import { moveToNew } from './move-new.js';
import { removeTemporaries } from './temporary-copy.js';
import { defaultFileHasher } from './worker-hasher.js';
import { toFileHash, writeRecord, type PartialFileRecord } from './partial-record.js';
import { readStoredPartial, refused } from './stored-partial.js';

import type { CompletedFile, PartialFileOptions, ReceivedPart } from './partial-file-types.js';

export type { OctetSpan, PartialFileRecord, RecordHash } from './partial-record.js';
export type { CompletedFile, PartialFileOptions, ReceivedPart } from './partial-file-types.js';

const RANDOM_ID_BYTES = 12;

/**
 * A file being received, kept so that a broken transfer can resume where it stopped: the
 * octets in `name.part`, and beside it `name.part.json`, a {@link PartialFileRecord} (the
 * shape of sdp-msrp's, so `resumeOffer(partial.record, 'pull')` works on it directly).
 *
 * The record never claims an octet the part does not hold: it is rewritten (temporary file,
 * then an atomic rename) only after the octets it adds reached the disk. The part is written
 * in order, so what it holds past the record's end (written just before a crash) is counted
 * too when it is opened again: a crash loses nothing that was written.
 *
 * @example
 * ```ts
 * const partial = await PartialFile.open('downloads/photo.jpg', { size, hash, transferId });
 * // partial.held octets are there; ask the sender for the rest (sendFile({ range }) or an
 * // SDP a=file-range, sdp-msrp's resumeOffer(partial.record, 'pull')).
 * await partial.receive(message); // written at partial.held
 * if (partial.held === partial.record.size) await partial.complete(); // hash checked, renamed
 * ```
 */
export class PartialFile {
  /** The final path; the part is `path + '.part'`, the record `path + '.part.json'`. */
  readonly path: string;
  readonly partPath: string;
  readonly recordPath: string;
  #record: PartialFileRecord;
  #held: number;
  /** The whole part's hash, hashed by the receive that last wrote it; dropped by any other. */
  #hash: string | undefined;
  /** The hash the sender announced with the last chunk (`File-Hash`), if it did. */
  #announced: string | undefined;
  readonly #createHasher: HasherFactory;
  readonly #interval: number;
  #saving: Promise<void> = Promise.resolve();
  #receiving = false;

  private constructor(
    path: string,
    record: PartialFileRecord,
    held: number,
    options: Pick<PartialFileOptions, 'createHasher' | 'recordInterval'>,
  ) {
    this.path = path;
    this.partPath = `${path}.part`;
    this.recordPath = `${path}.part.json`;
    this.#record = record;
    this.#held = held;
    this.#createHasher = options.createHasher ?? defaultFileHasher();
    this.#interval = options.recordInterval ?? 250;
  }

  /**
   * Opens the partial file of `path`: the one on disk when its record matches `options`
   * (same size, same hash when both are known), else a new, empty one.
   * @throws {MsrpError} `MSRP_ERR_FILE` when a record is there that does not match its part
   * or `options` (another size or hash, a part shorter than the record claims or longer
   * than the file): remove it ({@link discard}) to start again; `MSRP_ERR_INVALID_ARGUMENT`
   * for a size that is not a whole number or a hash that is not RFC 5547's.
   */
  static async open(path: string, options: PartialFileOptions): Promise<PartialFile> {
    if (!Number.isSafeInteger(options.size) || options.size < 0) {
      throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `Invalid file size ${options.size}`);
    }
    const hash = options.hash === undefined ? undefined : toFileHash(options.hash);
    if (options.hash !== undefined && !hash) {
      throw new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        `Invalid hash "${options.hash}": RFC 5547 hashes are sha-256:... or sha-1:...`,
      );
    }
    const existing = await PartialFile.load(path, options);
    if (existing) {
      const { record } = existing;
      if (record.size !== options.size) {
        throw refused(
          `${existing.recordPath} is of a file of ${record.size} octets, not ${options.size}`,
        );
      }
      if (
        hash &&
        record.hash &&
        !hashMatches(options.hash!, `${record.hash.algorithm}:${record.hash.value}`)
      ) {
        throw refused(
          `${existing.recordPath} is of the file ${record.hash.algorithm}:${record.hash.value}, not ${options.hash}`,
        );
      }
      if (hash && !record.hash) existing.#record = { ...record, hash };
      return existing;
    }
    const record: PartialFileRecord = {
      transferId:
        options.transferId ??
        process.getBuiltinModule('node:crypto').randomBytes(RANDOM_ID_BYTES).toString('hex'),
      ...(hash ? { hash } : {}),
      size: options.size,
      received: [],
      name: options.name ?? basename(path),
      ...(options.type !== undefined && { type: options.type }),
      ...(options.modified !== undefined && { modified: options.modified }),
    };
    const partial = new PartialFile(path, record, 0, options);
    // The record first: killed between the two, a record without its part is read as an empty
    // part, where a part without its record is no part of ours (a user's file: msrp listen
    // leaves such a name alone, and the file was never resumable again).
    await partial.#persist();
    await writeFile(partial.partPath, new Uint8Array(0));
    return partial;
  }

  /**
   * The partial file of `path` as its record and part on disk say, or undefined when there
   * is no record.
   * @throws {MsrpError} `MSRP_ERR_FILE` for a record that is no record, or that does not
   * match its part (missing, shorter than the octets it claims, longer than the file).
   */
  static async load(
    path: string,
    options: Pick<PartialFileOptions, 'createHasher' | 'recordInterval'> = {},
  ): Promise<PartialFile | undefined> {
    const stored = await readStoredPartial(path);
    return stored && new PartialFile(path, stored.record, stored.held, options);
  }

  /**
   * The partial file in `dir` whose record has the hash `hash` (RFC 5547 form, any case), or
   * that `hash` accepts when it is a function; undefined when none does. Records that cannot
   * be read, or do not match their part, are passed over.
   */
  static async find(
    dir: string,
    hash: string | ((record: PartialFileRecord) => boolean),
  ): Promise<PartialFile | undefined> {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.part.json')).sort()) {
      const partial = await PartialFile.load(join(dir, name.slice(0, -'.part.json'.length))).catch(
        () => undefined,
      );
      if (!partial) continue;
      const { hash: held } = partial.record;
      const matches =
        typeof hash === 'function'
          ? hash(partial.record)
          : held !== undefined && hashMatches(hash, `${held.algorithm}:${held.value}`);
      if (matches) return partial;
    }
    return undefined;
  }

  /** The record as it stands: what the part holds, from its first octet (`received`). */
  get record(): PartialFileRecord {
    return { ...this.#record, received: this.#held > 0 ? [{ start: 1, end: this.#held }] : [] };
  }

  /** Octets the part holds from the file's start. */
  get held(): number {
    return this.#held;
  }

  /**
   * The octets still missing, 1-based and inclusive (`sendFile({ range })`, `a=file-range`),
   * or undefined when the part is whole.
   */
  get missing(): { readonly start: number; readonly end: number } | undefined {
    return this.#held < this.#record.size
      ? { start: this.#held + 1, end: this.#record.size }
      : undefined;
  }

  /**
   * Writes a message's octets into the part from octet `at` (0-based): where its first octet
   * belongs in the file. Default the message's `offset` when it resumes a message cut short
   * (in-session resume: `sendFile(path, { offset, messageId })`, offset 0 too when the message
   * is the whole file's size), else {@link held} (the range a resume asked for starts there).
   * Each piece is on disk before the next is pulled: with the session's `confirmWhenRead`,
   * nothing confirmed is lost in a crash. The octets before `at` are read back and hashed
   * first, so that once the part is full the result has the whole file's hash (one pass).
   * The record follows as the octets reach the disk, and stays right if the message fails
   * half-way: then the part keeps only the octets whose chunks were confirmed (with
   * `confirmWhenRead`, those the sender was told arrived), which a resume starts after.
   * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` for an `at` past the held octets (a gap)
   * or a message that goes past the file's size (of unknown size: once its octets do, those
   * refused with 413, neither written nor confirmed), while another receive runs, or for a
   * message whose stream was read already;
   * the message's failure (`MSRP_ERR_ABORTED`, `MSRP_ERR_CONNECTION`; what was written stays held);
   * `MSRP_ERR_FILE` when the part cannot be written.
   */
  async receive(message: IncomingMessage, options: { at?: number } = {}): Promise<ReceivedPart> {
    const { size } = this.#record;
    // A message resumed in-session (IncomingMessage.offset) says where it goes itself, and so
    // does one of the whole file's size: the file from its first octet (a send begun again
    // when no 200 came back, though octets were stored). Else it is a range resume of what is
    // missing (RFC 5547 §6), a new message from Byte-Range 1.
    const fromOffset = message.offset > 0 || message.size === size;
    const at = options.at ?? (fromOffset ? message.offset : this.#held);
    const length = message.size === undefined ? undefined : message.size - message.offset;
    if (this.#receiving) {
      throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `${this.partPath} is already receiving`);
    }
    if (!Number.isSafeInteger(at) || at < 0 || at > this.#held) {
      throw new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        `Cannot write at octet ${at} of ${this.partPath}: it holds ${this.#held}`,
      );
    }
    if (length !== undefined && at + length > size) {
      throw new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        `A message of ${length} octets at ${at} goes past the file's ${size}`,
      );
    }
    message.stream?.claim();
    this.#receiving = true;
    const heldBefore = this.#held;
    // A write below `held` changes octets the cached hash covers: it stands again only if
    // this pass hashes the whole part, else complete() reads the part again.
    this.#hash = undefined;
    // The record's algorithm alone ('sha-1'), without a value: hashAlgorithmOf reads the name
    // before a colon. Read as SHA-256, a SHA-1 record (RFC 5547 §5's hash) went unchecked
    // before the last 200, and a mismatched file was confirmed as delivered.
    const algorithm = hashAlgorithmOf(`${this.#record.hash?.algorithm ?? ''}:`) ?? 'sha-256';
    const tap = new HashTap(this.#createHasher, algorithm);
    let handle: FileHandle | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failure: unknown;
    let received: ReceivedPart;
    try {
      // Made if missing (a crash right after the record of a new part was written).
      handle = await open(this.partPath, constants.O_RDWR | constants.O_CREAT);
      const part = handle;
      await hashFileRange(part, 0, at, tap);
      const bytes = await writeBody(message, part, at, tap, {
        onWritten: (end) => {
          this.#held = Math.max(this.#held, end);
          timer ??= setTimeout(() => {
            timer = undefined;
            this.#persist(part).catch((e: unknown) => (failure ??= e));
          }, this.#interval);
        },
        beforeLast: (end) => this.#checkWhole(message, tap, end),
        // A message of unknown size (Byte-Range `*` total) is held to the file's as it comes.
        end: size,
      });
      await message.completed;
      this.#announced = message.announcedHash ?? this.#announced;
      if (!this.#record.hash && this.#announced !== undefined) {
        const announced = toFileHash(this.#announced);
        if (announced) this.#record = { ...this.#record, hash: announced };
      }
      // The tap hashed octets 0 to at + bytes: the whole part when that reaches `held`.
      if (at + bytes >= this.#held && this.#held === size) this.#hash = tap.digest();
      received = { bytes, held: this.#held, hash: this.#hash };
    } catch (e) {
      // Not stored (a full disk): the rest is refused, and with confirmWhenRead the chunks
      // not confirmed yet get 413 now, where they would wait for a reader that is gone.
      message.discard(e);
      // Octets written but not confirmed (the session closed before their 200) are coming
      // again: the part keeps what the sender was told arrived, where a resume starts.
      const confirmed = Math.max(heldBefore, at + message.confirmed - message.offset);
      if (handle && confirmed < this.#held) {
        this.#held = confirmed;
        await handle.truncate(confirmed).catch(() => undefined); // the error told is the cause
      }
      throw e;
    } finally {
      tap.dispose(); // a cut message: its hash is never asked for
      clearTimeout(timer);
      this.#receiving = false;
      try {
        await this.#persist(handle);
      } catch (e) {
        failure ??= e; // thrown below, unless the receive's own failure is on its way
      } finally {
        await handle?.close();
      }
    }
    if (failure !== undefined) throw refused(`Cannot update ${this.recordPath}`, failure);
    return received;
  }

  /**
   * Before the 200 of a message's last octets, written up to `end`: when they make the part
   * whole and hashed in this pass, its hash must be the one recorded or announced, else the
   * last chunk is refused (413) where its 200 would tell the sender the file was delivered.
   * @throws {MsrpError} `MSRP_ERR_HASH_MISMATCH`.
   */
  #checkWhole(message: IncomingMessage, tap: HashTap, end: number): void {
    if (end < this.#held || this.#held !== this.#record.size) return;
    checkBeforeLast(this.partPath, tap, this.#expected(message.announcedHash));
  }

  /** The hash the whole file must have: the record's, else the one the sender announced. */
  #expected(announced = this.#announced): string | undefined {
    const recorded = this.#record.hash;
    return recorded ? `${recorded.algorithm}:${recorded.value}` : announced;
  }

  /**
   * Makes the file whole: checks its hash against the record's (or, without one, the hash
   * the sender announced), renames `name.part` to `name` (or to `to`) and removes the record.
   * With `replace: false` a file already at `to` is kept and the part stays: the caller tries
   * another name. It is moved by a hard link then, so that `to` never holds less than the
   * whole file, even for a process killed mid-way.
   * @throws {MsrpError} `MSRP_ERR_FILE` when octets are missing; `MSRP_ERR_HASH_MISMATCH`
   * when the hash differs (the part and record stay: {@link discard} them); with `replace:
   * false`, the file system's `EEXIST` when `to` exists.
   */
  async complete(
    to: string = this.path,
    options: { readonly replace?: boolean } = {},
  ): Promise<CompletedFile> {
    const { size } = this.#record;
    if (this.#held < size) throw refused(`${this.partPath} holds ${this.#held} of ${size} octets`);
    const expected = this.#expected();
    const algorithm = hashAlgorithmOf(expected ?? '') ?? 'sha-256';
    let hash = this.#hash;
    if (hash === undefined || hashAlgorithmOf(hash) !== algorithm) {
      // Not hashed while received (opened whole, or another algorithm announced): read it.
      const handle = await open(this.partPath, 'r');
      try {
        hash = await hashFile(handle, size, this.#createHasher, algorithm);
      } finally {
        await handle.close();
      }
      // Kept: a `replace: false` that finds `to` taken is called again with another name.
      this.#hash = hash;
    }
    if (expected !== undefined) checkHash(this.partPath, hash, expected);
    if (options.replace === false) await moveToNew(this.partPath, to);
    else await rename(this.partPath, to);
    await rm(this.recordPath, { force: true });
    // Those of writers killed mid-write: nothing else would remove them.
    await removeTemporaries(this.recordPath);
    return { path: to, hash, checkedAgainst: expected };
  }

  /** Removes the part and its record (a transfer given up, or a part that failed its hash). */
  async discard(): Promise<void> {
    // The part first: a crash between leaves a record without its part, which is ours to
    // replace, not a part without a record (see open).
    await rm(this.partPath, { force: true });
    await rm(this.recordPath, { force: true });
    // Those of writers killed mid-write: nothing else would remove them.
    await removeTemporaries(this.recordPath);
  }

  /**
   * Writes the record as it stands, after the octets it names reached the disk (`handle`,
   * when writing), through a temporary file and an atomic rename. Updates run one at a time.
   */
  #persist(handle?: FileHandle): Promise<void> {
    const next = this.#saving.then(async () => {
      const record = this.record;
      await handle?.datasync();
      await writeRecord(this.recordPath, record);
    });
    this.#saving = next.catch(() => undefined);
    return next;
  }
}
