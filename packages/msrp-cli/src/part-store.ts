// Where `msrp listen` keeps files being received after a resume offer: `NAME.part` holds the
// octets written so far, in order from the first, and `NAME.part.json` says which file they
// are of. The part's size on disk is what we hold: with confirmWhenRead every octet we
// confirmed was written before, so a crash (even SIGKILL) loses nothing confirmed.
import { open, readFile, rename, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileOfferBody } from './file-offer.js';
import { reserveFile } from './files.js';

/** What `NAME.part.json` holds: the identity of the file its part is of. */
interface PartRecord {
  readonly transferId: string;
  readonly name: string;
  readonly size: number;
  readonly type?: string | undefined;
  readonly modified: string;
}

/** A part ready to receive the rest of a file: where, and how many octets it already holds. */
export interface Part {
  readonly path: string;
  /** Octets held, from the first: the file's next octet to receive is `held + 1`. */
  readonly held: number;
  readonly offer: FileOfferBody;
}

function sameFile(record: PartRecord, offer: FileOfferBody): boolean {
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

  #recordPath(name: string): string {
    return join(this.dir, `${name}.part.json`);
  }

  /**
   * Gets the part for the offered file `name` (already a safe file name) ready: the part
   * already held when its record names the same file (name, size, type, modification date),
   * else an empty part and a new record (a different file of the same name replaces it).
   */
  async prepare(name: string, offer: FileOfferBody): Promise<Part> {
    const path = this.partPath(name);
    let held = 0;
    try {
      const record = JSON.parse(await readFile(this.#recordPath(name), 'utf8')) as PartRecord;
      if (sameFile(record, offer)) held = (await stat(path)).size;
    } catch {
      // No record or no part: start from nothing.
    }
    // A complete part was written but not yet renamed (a crash right at the end): ask for
    // its last octet again rather than for nothing, so that the file does come and is checked.
    if (held >= offer.size) held = Math.max(0, offer.size - 1);
    const record: PartRecord = {
      transferId: offer.transferId,
      name: offer.name,
      size: offer.size,
      type: offer.type,
      modified: offer.modified,
    };
    // The record first: a part without one is never resumed from.
    await writeFile(this.#recordPath(name), `${JSON.stringify(record)}\n`);
    if (held === 0) {
      const handle = await open(path, 'w');
      await handle.close();
    } else {
      await truncate(path, held);
    }
    return { path, held, offer };
  }

  /** Octets a part holds now (after a broken transfer), or 0 when it is gone. */
  async held(name: string): Promise<number> {
    return stat(this.partPath(name)).then(
      (s) => s.size,
      () => 0,
    );
  }

  /** Moves a complete part to its final name (never overwriting a file); returns the path. */
  async complete(name: string): Promise<string> {
    const path = await reserveFile(this.dir, name);
    await rename(this.partPath(name), path);
    await unlink(this.#recordPath(name)).catch(() => undefined);
    return path;
  }

  /** Drops a part and its record (the whole file's hash did not match). */
  async discard(name: string): Promise<void> {
    await unlink(this.partPath(name)).catch(() => undefined);
    await unlink(this.#recordPath(name)).catch(() => undefined);
  }
}
