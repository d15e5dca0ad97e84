// Receiving a file in the page: msrp-core's receiveBlob collects the message into a Blob for
// a download link, hashing it on the way, and checks the hash the sender announced
// (RFC 5547 File-Hash); a mismatch rejects.
import { receiveBlob, type IncomingMessage } from '@msrp-ts/msrp-core/browser';

/** A file received in the page. */
export interface ReceivedFile {
  readonly name: string;
  readonly blob: Blob;
  /** The hash the sender announced and the bytes matched, e.g. `sha-256:AB:...`, if any. */
  readonly checkedHash: string | undefined;
}

/** Whether a message is a file rather than a chat line: it has a name, or is not text. */
export function isFile(message: IncomingMessage): boolean {
  const type = message.contentType?.type.toLowerCase();
  return message.filename !== undefined || message.stream !== undefined || type !== 'text';
}

/**
 * Reads a message into a Blob, its hash checked. `onBytes` is told the bytes received so far.
 * @throws {MsrpError} `MSRP_ERR_HASH_MISMATCH` when the bytes do not match the announced hash;
 * `MSRP_ERR_ABORTED` when the sender aborts or the connection is lost.
 */
export async function receiveFile(
  message: IncomingMessage,
  onBytes: (bytes: number) => void = () => undefined,
): Promise<ReceivedFile> {
  const blob = await receiveBlob(message, {
    ...(message.contentType === undefined && { type: 'application/octet-stream' }),
    onProgress: onBytes,
  });
  return {
    name: message.filename ?? 'file.bin',
    blob,
    checkedHash: message.announcedHash,
  };
}
