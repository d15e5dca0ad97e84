// What PartialFile (partial-file.ts) takes and gives: its options, and what a receive and a
// completion made.
import type { HasherFactory } from '../session/hasher.js';

/** Options of {@link PartialFile.open}. */
export interface PartialFileOptions {
  /** The whole file's size in octets (a=file-selector `size`, or the message's Byte-Range total). */
  readonly size: number;
  /** The whole file's hash in RFC 5547 form (`sha-256:AB:...`), when known before its end. */
  readonly hash?: string;
  /** `a=file-transfer-id` of the transfer; default a fresh random token. */
  readonly transferId?: string;
  /** The file's name for the record; default the path's base name. */
  readonly name?: string;
  /** The file's media type for the record. */
  readonly type?: string;
  /** The file's modification date for the record (`a=file-date`'s text). */
  readonly modified?: string;
  /**
   * Where hashes come from; default Node's `node:crypto`, in a worker thread on a machine of
   * more than 2 cores (`workerHasher`), else on the main thread (`nodeHasher`).
   */
  readonly createHasher?: HasherFactory;
  /**
   * Milliseconds between updates of the record while bytes are written (each after the
   * bytes reached the disk: `fdatasync`). Default 250.
   */
  readonly recordInterval?: number;
}

/** What {@link PartialFile.receive} wrote. */
export interface ReceivedPart {
  /** Octets of the message written. */
  readonly bytes: number;
  /** The octets the part holds from its start, after the message. */
  readonly held: number;
  /** The whole file's hash (`sha-256:AB:...`), once the message filled the part to its size. */
  readonly hash: string | undefined;
}

/** What {@link PartialFile.complete} made. */
export interface CompletedFile {
  /** The file's final path (`name`, the part renamed). */
  readonly path: string;
  /** Its hash in RFC 5547 form. */
  readonly hash: string;
  /** The hash it was checked against (the record's, else the sender's `File-Hash`), if any. */
  readonly checkedAgainst: string | undefined;
}
