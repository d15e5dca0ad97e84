// Where `msrp listen` keeps files being received after a resume offer: msrp-core's
// PartialFile, `NAME.part` and its record `NAME.part.json` in the output directory. The record
// names the file (name, size, type, modification date): a part is resumed only for that file.
// With confirmWhenRead every octet we confirmed was written before (PartialFile.receive writes
// each piece before pulling the next), so a crash, even SIGKILL, loses nothing confirmed.
// Only our own parts are ever removed: a NAME.part or NAME.part.json that is no part of ours
// (a file received earlier as "report.part", a user's own) leaves NAME unresumable instead.
import { lstat, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PartialFile, type PartialFileRecord } from '@msrp-ts/msrp-core';
import type { FileOfferBody } from './file-offer.js';
import { firstFreeName } from './files.js';

/** A part ready to receive the rest of a file: the octets it holds, and where it resumes. */
export interface Part {
  /**
   * The part on disk, made on first use: an offer whose file never comes (its sender went
   * away) writes nothing, and leaves the part of another file of its name as it was.
   */
  open(): Promise<PartialFile>;
  /** Octets held, from the first: the file's next octet to ask for is `held + 1`. */
  readonly held: number;
  readonly offer: FileOfferBody;
}

/** Whether a part's record (or another offer) names the file `offer` offers. */
export function sameFile(
  record: Pick<PartialFileRecord, 'name' | 'size' | 'type' | 'modified'>,
  offer: FileOfferBody,
): boolean {
  return (
    record.name === offer.name &&
    record.size === offer.size &&
    record.modified === offer.modified &&
    (record.type ?? '') === (offer.type ?? '')
  );
}

/**
 * Whether the names of the part of `path` are free for us: neither NAME.part nor
 * NAME.part.json is there, or NAME.part.json is a record (ours: the part beside it is the
 * one it describes).
 */
async function ownNames(path: string): Promise<boolean> {
  const record = await readFile(`${path}.part.json`, 'utf8').then(
    (text) => isRecord(text),
    (e: NodeJS.ErrnoException) => (absent(e) ? undefined : false),
  );
  if (record !== undefined) return record;
  // A part without a record is no part of ours (PartialFile writes its record before its part
  // and removes it after).
  return lstat(`${path}.part`).then(() => false, absent);
}

/**
 * Whether a failure to read a file says there is none (ENOTDIR: --out itself is gone, which
 * making the part then reports).
 */
function absent(e: NodeJS.ErrnoException): boolean {
  return e.code === 'ENOENT' || e.code === 'ENOTDIR';
}

/** Whether `text` is a record as PartialFile writes it (what a user's JSON would not be). */
function isRecord(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null) return false;
  const { transferId, size, received, name } = value as Partial<PartialFileRecord>;
  return (
    typeof transferId === 'string' &&
    Number.isSafeInteger(size) &&
    Array.isArray(received) &&
    typeof name === 'string'
  );
}

/** The partial files of one output directory. */
export class PartStore {
  constructor(readonly dir: string) {}

  partPath(name: string): string {
    return join(this.dir, `${name}.part`);
  }

  /**
   * Gets the part for the offered file `name` (already a safe file name) ready: the part
   * already held when its record names the same file (name, size, type, modification date),
   * else an empty part and a new record once {@link Part.open} is called (a different file of
   * the same name then replaces it, and so does a part whose record does not match it).
   * Undefined when NAME.part or NAME.part.json is a file that is no part of ours: the file
   * then comes whole, as any other, and is not resumable.
   */
  async prepare(name: string, offer: FileOfferBody): Promise<Part | undefined> {
    const path = join(this.dir, name);
    const held = await PartialFile.load(path).catch(() => undefined);
    if (held && sameFile(held.record, offer)) {
      // A complete part written but not yet renamed (a crash right at the end): ask for its
      // last octet again rather than for nothing, so that the file does come and is checked.
      const octets = Math.min(held.held, Math.max(0, offer.size - 1));
      return { open: () => Promise.resolve(held), held: octets, offer };
    }
    if (!(await ownNames(path))) return undefined;
    let opening: Promise<PartialFile> | undefined;
    const open = (): Promise<PartialFile> =>
      (opening ??= (async () => {
        // Checked again: since the offer, a file of these names may have come.
        if (!(await ownNames(path))) {
          throw new Error(`${name}.part or ${name}.part.json is another file: left alone`);
        }
        // Another file's part, or a record that does not match its part: ours to replace.
        // The part first: killed between, a record without its part stays ours to replace.
        await rm(`${path}.part`, { force: true });
        await rm(`${path}.part.json`, { force: true });
        return PartialFile.open(path, {
          size: offer.size,
          transferId: offer.transferId,
          name: offer.name,
          ...(offer.type !== undefined && { type: offer.type }),
          modified: offer.modified,
        });
      })());
    return { open, held: 0, offer };
  }

  /**
   * Moves a complete part to a free name (never replacing a file), its whole hash checked.
   * @throws {MsrpError} `MSRP_ERR_HASH_MISMATCH` (the part stays: discard it).
   */
  async complete(partial: PartialFile): Promise<{ path: string; hash: string; checked: boolean }> {
    const name = partial.path.slice(this.dir.length + 1);
    // Moved, not reserved first: killed in between, a reserved name held an empty file.
    const done = await firstFreeName(this.dir, name, (path) =>
      partial.complete(path, { replace: false }),
    );
    return { path: done.path, hash: done.hash, checked: done.checkedAgainst !== undefined };
  }
}
