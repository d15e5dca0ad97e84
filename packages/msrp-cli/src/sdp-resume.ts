// `msrp sdp resume`: the SIP way to resume a file transfer (RFC 5547 §8.3.2). From the offer
// that began the interrupted transfer and the octets the receiver holds, prints the new
// offer: the same file by its hash, a new a=file-transfer-id, a=file-range of what is
// missing. The holder of the file answers it with `msrp sdp answer`, which repeats the range.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import mime from 'mime-types';
import {
  createOffer,
  parseMsrpMedia,
  parseSdp,
  resumeOffer,
  type FileDescription,
  type PartialFileRecord,
} from '@msrp-ts/sdp-msrp';
import { formatHash, type MsrpUri } from '@msrp-ts/msrp-core';
import { CliError, EXIT, usage } from './cli-error.js';

/** What --help says about `msrp sdp resume`. */
export const SDP_RESUME_HELP = `  resume   print the offer that resumes the file transfer of the SDP (RFC 5547 §8.3.2):
           the same file by its hash, a new a=file-transfer-id and a=file-range from the
           first octet we miss; a pull offer (recvonly) from the side holding the partial file

Resume options:
  --uri URI              our session URI for a=path
  --part FILE            the partial file: its size is the octets we hold
  --held N               or the octets we hold, as a number
  The side holding the file answers with: msrp sdp answer --uri URI --file PATH
  (--file serves PATH to a pull offer for it: same size, and same hash when it names one)`;

/** Octets held, from --part (its size) or --held. */
export async function heldFlag(
  part: string | undefined,
  held: string | undefined,
): Promise<number> {
  if ((part === undefined) === (held === undefined)) throw usage('give one of --part and --held');
  if (part !== undefined) {
    let info;
    try {
      info = await stat(part);
    } catch (e) {
      throw usage(`--part: cannot read ${part}: ${(e as NodeJS.ErrnoException).code ?? ''}`);
    }
    // A directory's size (4096) is no count of octets held.
    if (!info.isFile()) throw usage(`--part: cannot read ${part}: not a regular file`);
    return info.size;
  }
  const n = /^\d+$/.test(held!) ? Number(held) : NaN;
  if (!Number.isSafeInteger(n)) throw usage(`--held must be a number of octets, not "${held}"`);
  return n;
}

/**
 * The resume offer for the file of `sdp` (the offer of the interrupted transfer) when we
 * hold its first `held` octets.
 * @throws {CliError} exit 1 when the SDP offers no file with a hash and size (RFC 5547 §8.3.2
 * names the file by its hash), or when nothing is missing.
 */
export function sdpResumeOffer(sdp: string, localUri: MsrpUri, held: number): string {
  const file = parseMsrpMedia(parseSdp(sdp)).find((m) => m.file)?.file;
  const { hash, size, name, type } = file?.selector ?? {};
  if (!file || !hash || size === undefined) {
    throw new CliError(
      'cannot resume: the SDP offers no file with a hash and a size in a=file-selector',
      EXIT.failed,
    );
  }
  if (held > size) throw usage(`we hold ${held} octets of a file of ${size}`);
  const record: PartialFileRecord = {
    transferId: file.transferId ?? '',
    hash,
    size,
    received: held > 0 ? [{ start: 1, end: held }] : [],
    ...(name !== undefined && { name }),
    ...(type !== undefined && { type }),
  };
  const offer = resumeOffer(record, 'pull');
  if (!offer) throw new CliError('nothing to resume: we hold the whole file', EXIT.failed);
  return createOffer({ localUri, acceptTypes: [type ?? '*'], file: offer });
}

/**
 * `msrp sdp answer --file PATH`: serves PATH to pull offers (RFC 5547 §8) that ask for it, as
 * a resume offer does: its size must match, and its SHA-256 the offer's hash when it has one.
 */
export async function serveFileFlag(
  path: string,
): Promise<(requested: FileDescription) => FileDescription | undefined> {
  let size: number;
  const hash = createHash('sha256');
  try {
    size = (await stat(path)).size;
    for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  } catch (e) {
    throw usage(`--file: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? ''}`);
  }
  const value = formatHash(hash.digest());
  const name = basename(path);
  const type = mime.lookup(name) || 'application/octet-stream';
  const ours: FileDescription = {
    selector: { name, type, size, hash: { algorithm: 'sha-256', value } },
  };
  return (requested) => {
    const want = requested.selector;
    if (want.size !== undefined && want.size !== size) return undefined;
    if (want.hash) {
      const same =
        want.hash.algorithm.toLowerCase() === 'sha-256' && want.hash.value.toUpperCase() === value;
      if (!same) return undefined;
    } else if (want.name !== undefined && want.name !== name) return undefined;
    // The same file by its hash (or name and size): the type the offer calls it by is its
    // type, whatever our copy's extension says.
    if (want.type === undefined) return ours;
    const { typeParams } = want;
    return { selector: { ...ours.selector, type: want.type, ...(typeParams && { typeParams }) } };
  };
}
