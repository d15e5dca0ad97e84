// Receiving a file in the page: the pieces of the message are collected into a Blob for a
// download link, hashed on the way with the browser endpoint's hasher (@noble/hashes), and
// the hash is compared with the one the sender announced (RFC 5547 File-Hash).
// When msrp-core gains a Blob-receiving helper with the hash check, this file becomes a call
// to it (the core engineer is adding one for issue 10).
import {
  formatHash,
  hashMatches,
  nobleHasher,
  type IncomingMessage,
} from '@msrp-ts/msrp-core/browser';

/** A file received in the page. */
export interface ReceivedFile {
  readonly name: string;
  readonly type: string;
  readonly blob: Blob;
  /** SHA-256 of what arrived, `AB:CD:...` (RFC 4572 form). */
  readonly sha256: string;
  /** The hash the sender announced, e.g. `sha-256:AB:...`, if any. */
  readonly announcedHash: string | undefined;
  /** Whether the announced hash matches; undefined when none was announced. */
  readonly hashMatches: boolean | undefined;
}

/** Whether a message is a file rather than a chat line: it has a name, or is not text. */
export function isFile(message: IncomingMessage): boolean {
  const type = message.contentType?.type.toLowerCase();
  return message.filename !== undefined || message.stream !== undefined || type !== 'text';
}

/**
 * Reads a message into a Blob, hashing it. `onBytes` is told the bytes received so far.
 * @throws {MsrpError} `MSRP_ERR_ABORTED` when the sender aborts or the connection is lost.
 */
export async function receiveFile(
  message: IncomingMessage,
  onBytes: (bytes: number) => void = () => undefined,
): Promise<ReceivedFile> {
  const sha1 = nobleHasher('sha-1');
  const sha256 = nobleHasher('sha-256');
  const pieces: Uint8Array[] = [];
  let bytes = 0;
  for await (const piece of message.stream ?? [message.body ?? new Uint8Array(0)]) {
    sha1.update(piece);
    sha256.update(piece);
    pieces.push(piece);
    bytes += piece.length;
    onBytes(bytes);
  }
  const type = message.contentType
    ? `${message.contentType.type}/${message.contentType.subtype}`
    : 'application/octet-stream';
  const hashes = { sha1: formatHash(sha1.digest()), sha256: formatHash(sha256.digest()) };
  const announcedHash = message.announcedHash;
  return {
    name: message.filename ?? 'file.bin',
    type,
    blob: new Blob(pieces, { type }),
    sha256: hashes.sha256,
    announcedHash,
    hashMatches: announcedHash === undefined ? undefined : hashMatches(announcedHash, hashes),
  };
}
