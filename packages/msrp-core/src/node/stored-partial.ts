// A partial file as it lies on disk (RFC 5547 §8.3.2 resume): `name.part.json`, its record,
// read and checked against `name.part`, the octets it describes.
import { readFile, stat } from 'node:fs/promises';
import { MsrpError } from '../errors.js';
import { parseRecord, prefixOf, type PartialFileRecord } from './partial-record.js';

/** The `MSRP_ERR_FILE` error of a partial file that cannot be used as it is. */
export function refused(message: string, cause?: unknown): MsrpError {
  return new MsrpError('MSRP_ERR_FILE', message, cause === undefined ? undefined : { cause });
}

/** A record read from disk, and the octets its part holds from the file's start. */
export interface StoredPartial {
  readonly record: PartialFileRecord;
  readonly held: number;
}

/**
 * The record of `path` (`path + '.part.json'`) and what its part (`path + '.part'`) holds,
 * or undefined when there is no record.
 * @throws {MsrpError} `MSRP_ERR_FILE` for a record that is no record, or that does not
 * match its part (missing, shorter than the octets it claims, longer than the file).
 */
export async function readStoredPartial(path: string): Promise<StoredPartial | undefined> {
  const recordPath = `${path}.part.json`;
  let text: string;
  try {
    text = await readFile(recordPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw refused(`Cannot read ${recordPath}: ${(e as Error).message}`, e);
  }
  const record = parseRecord(text, recordPath);
  const claimed = prefixOf(record.received);
  const onDisk = await stat(`${path}.part`).then(
    (s) => s.size,
    (e: NodeJS.ErrnoException) => {
      // A record of nothing yet, its part never made: PartialFile.open writes the record
      // first, and a crash came before the part.
      if (e.code === 'ENOENT' && claimed === 0) return 0;
      throw refused(
        `${path}.part, the part ${recordPath} describes, cannot be read: ${e.message}`,
        e,
      );
    },
  );
  if (onDisk < claimed) {
    throw refused(
      `${path}.part holds ${onDisk} octets, fewer than the ${claimed} its record claims`,
    );
  }
  if (onDisk > record.size) {
    throw refused(`${path}.part holds ${onDisk} octets, more than the file's ${record.size}`);
  }
  // Octets past the record's end were written, in order, after its last update (a crash
  // came before the next one): they are held too.
  return { record, held: onDisk };
}
