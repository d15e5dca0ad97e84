// The record beside a partial file, parsed and saved: the shape of sdp-msrp's
// PartialFileRecord (msrp-core cannot import sdp-msrp, so it is written again here; the two
// must stay assignable).
import { rename, rm, writeFile } from 'node:fs/promises';
import { MsrpError } from '../errors.js';
import { hashAlgorithmOf } from '../session/file-transfer.js';
import { temporaryPath } from './temporary-copy.js';

/** A run of octets of a file, 1-based and inclusive, as Byte-Range and `a=file-range` count. */
export interface OctetSpan {
  /** First octet, 1 for the first octet of the file. */
  readonly start: number;
  /** Last octet, inclusive. */
  readonly end: number;
}

/** A file's hash as sdp-msrp's `FileHash` holds it: `{ algorithm: 'sha-256', value: 'AB:CD:...' }`. */
export interface RecordHash {
  readonly algorithm: string;
  readonly value: string;
}

interface RecordFields {
  /** `a=file-transfer-id` of the interrupted transfer; a resume offer must use a new one. */
  readonly transferId: string;
  /** The whole file's size in octets. */
  readonly size: number;
  /** The octets held (written to the part), from its first octet. */
  readonly received: readonly OctetSpan[];
  /** The file's name. */
  readonly name?: string;
  /** The file's media type, when known. */
  readonly type?: string;
  /**
   * The file's modification date as `a=file-date` carries it (RFC 5547 §5), when known: with
   * name, size and type, what tells a receiver that a file offered again is this one.
   */
  readonly modified?: string;
}

/**
 * What a receiver keeps beside a partial file (`name.part.json`) so that the transfer can be
 * resumed (RFC 5547 §6): structurally sdp-msrp's `PartialFileRecord`, except that the hash
 * may be unknown until the sender announced it. Once `record.hash` is checked defined, the
 * record narrows to one with a hash: `if (record.hash) resumeOffer(record, 'pull')`.
 */
export type PartialFileRecord = RecordFields &
  ({ readonly hash: RecordHash } | { readonly hash?: undefined });

/** `sha-256:AB:...` as a {@link RecordHash}, or undefined when it is no RFC 5547 hash. */
export function toFileHash(hash: string): RecordHash | undefined {
  const algorithm = hashAlgorithmOf(hash);
  if (algorithm === undefined) return undefined;
  return { algorithm, value: hash.slice(algorithm.length + 1).toUpperCase() };
}

/** The octets held from the first one on: the end of the run of spans that starts at 1. */
export function prefixOf(received: readonly OctetSpan[]): number {
  let end = 0;
  for (const span of [...received].sort((a, b) => a.start - b.start)) {
    if (span.start > end + 1) break;
    end = Math.max(end, span.end);
  }
  return end;
}

function isSpan(value: unknown, size: number): value is OctetSpan {
  const span = value as Partial<OctetSpan> | null;
  return (
    typeof span === 'object' &&
    span !== null &&
    Number.isSafeInteger(span.start) &&
    Number.isSafeInteger(span.end) &&
    span.start! >= 1 &&
    span.end! >= span.start! &&
    span.end! <= size
  );
}

function isRecordHash(value: unknown): value is RecordHash {
  const hash = value as Partial<Record<keyof RecordHash, unknown>> | null;
  return (
    typeof hash === 'object' &&
    hash !== null &&
    typeof hash.algorithm === 'string' &&
    typeof hash.value === 'string'
  );
}

/**
 * Reads a record written by `PartialFile` (or by hand, in the same shape).
 * @throws {MsrpError} `MSRP_ERR_FILE` naming `where` when the text is not such a record.
 */
export function parseRecord(text: string, where: string): PartialFileRecord {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new MsrpError('MSRP_ERR_FILE', `${where} is not JSON: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const bad = (why: string): MsrpError =>
    new MsrpError('MSRP_ERR_FILE', `${where} is not a partial-file record: ${why}`);
  if (typeof value !== 'object' || value === null) throw bad('not an object');
  const { transferId, size, received, name, type, modified, hash } = value;
  if (typeof transferId !== 'string') throw bad('no transferId');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw bad('no size');
  if (!Array.isArray(received) || !received.every((span) => isSpan(span, size))) {
    throw bad(`received is not a list of spans within 1-${size}`);
  }
  if (name !== undefined && typeof name !== 'string') throw bad('name is not a string');
  if (type !== undefined && typeof type !== 'string') throw bad('type is not a string');
  if (modified !== undefined && typeof modified !== 'string') throw bad('modified is not a string');
  const fields: RecordFields = {
    transferId,
    size,
    received: received.map(({ start, end }) => ({ start, end })),
    ...(name !== undefined && { name }),
    ...(type !== undefined && { type }),
    ...(modified !== undefined && { modified }),
  };
  if (hash === undefined) return fields;
  if (!isRecordHash(hash)) throw bad('hash is not { algorithm, value }');
  return { ...fields, hash: { algorithm: hash.algorithm, value: hash.value } };
}

/**
 * Writes `record` to `path` through a temporary file and an atomic rename: the record on
 * disk is the old one or the new one, never half of one. A failed write (a full disk) leaves
 * the old one, and no temporary file beside it.
 */
export async function writeRecord(path: string, record: PartialFileRecord): Promise<void> {
  const temporary = temporaryPath(path);
  try {
    await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
    await rename(temporary, path);
  } catch (e) {
    await rm(temporary, { force: true });
    throw e;
  }
}
