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
  readonly partial: PartialFile;
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
   * else an empty part and a new record (a different file of the same name replaces it, and
   * so does a part whose record does not match it).
   */
  async prepare(name: string, offer: FileOfferBody): Promise<Part> {
    const path = join(this.dir, name);
    let partial = await PartialFile.load(path).catch(() => undefined);
    if (!partial || !sameFile(partial.record, offer)) {
      // Another file's part, or a record that cannot be read or does not match its part.
      await rm(`${path}.part.json`, { force: true });
      await rm(`${path}.part`, { force: true });
      partial = await PartialFile.open(path, {
        size: offer.size,
        transferId: offer.transferId,
        name: offer.name,
        ...(offer.type !== undefined && { type: offer.type }),
        modified: offer.modified,
      });
    }
    // A complete part written but not yet renamed (a crash right at the end): ask for its
    // last octet again rather than for nothing, so that the file does come and is checked.
    const held = Math.min(partial.held, Math.max(0, offer.size - 1));
    return { partial, held, offer };
  }

  /**
   * Moves a complete part to a free name (never replacing a file), its whole hash checked.
   * @throws {MsrpError} `MSRP_ERR_HASH_MISMATCH` (the part stays: discard it).
   */
  async complete(part: Part): Promise<{ path: string; hash: string; checked: boolean }> {
    const name = part.partial.path.slice(this.dir.length + 1);
    const path = await reserveFile(this.dir, name);
    const done = await part.partial.complete(path).catch(async (e: unknown) => {
      await rm(path, { force: true });
      throw e;
    });
    return { path: done.path, hash: done.hash, checked: done.checkedAgainst !== undefined };
  }
}
