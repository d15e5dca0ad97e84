// Where `msrp listen` keeps files being received after a resume offer: msrp-core's
// PartialFile, `NAME.part` and its record `NAME.part.json` in the output directory. The record
// names the file (name, size, type, modification date): a part is resumed only for that file.
// With confirmWhenRead every octet we confirmed was written before (PartialFile.receive writes
// each piece before pulling the next), so a crash, even SIGKILL, loses nothing confirmed.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PartialFile, type PartialFileRecord } from '@msrp-ts/msrp-core';
import type { FileOfferBody } from './file-offer.js';
import { reserveFile } from './files.js';

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
   */
  async prepare(name: string, offer: FileOfferBody): Promise<Part> {
    const path = join(this.dir, name);
    const held = await PartialFile.load(path).catch(() => undefined);
    if (held && sameFile(held.record, offer)) {
      // A complete part written but not yet renamed (a crash right at the end): ask for its
      // last octet again rather than for nothing, so that the file does come and is checked.
      const octets = Math.min(held.held, Math.max(0, offer.size - 1));
      return { open: () => Promise.resolve(held), held: octets, offer };
    }
    let opening: Promise<PartialFile> | undefined;
    const open = (): Promise<PartialFile> =>
      (opening ??= (async () => {
        // Another file's part, or a record that cannot be read or does not match its part.
        await rm(`${path}.part.json`, { force: true });
        await rm(`${path}.part`, { force: true });
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
    const path = await reserveFile(this.dir, name);
    const done = await partial.complete(path).catch(async (e: unknown) => {
      await rm(path, { force: true });
      throw e;
    });
    return { path: done.path, hash: done.hash, checked: done.checkedAgainst !== undefined };
  }
}
