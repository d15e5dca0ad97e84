import { MsrpError } from '../errors.js';
import { mediaTypeOf } from '../wire/content-type.js';
import { hashAlgorithmOf, HashTap, hashMatches } from './file-transfer.js';
import type { HasherFactory } from './hasher.js';
import type { IncomingMessage } from './incoming-message.js';

/** Options of {@link receiveBlob}. */
export interface ReceiveBlobOptions {
  /**
   * The hash the bytes must have, in RFC 5547 `hash` form: `sha-1:AB:CD:...` (SDP
   * `a=file-selector`, RFC 5547 §5) or `sha-256:AB:CD:...`. Default: the hash the sender
   * announced on the last chunk (`File-Hash`), if any; with neither, nothing is checked.
   */
  hash?: string;
  /** The Blob's `type`. Default: the message's media type (`image/png`), else none. */
  type?: string;
  /**
   * Where hashes come from. Default: the runtime of the endpoint that received the message
   * (Node's `nodeHasher`, the browser Endpoint's `nobleHasher`).
   */
  createHasher?: HasherFactory;
  /** Told the bytes received so far after each piece: for a progress bar. */
  onProgress?: (bytes: number) => void;
}

/**
 * Receives a message whole into a `Blob` (browsers, Node >= 18), on any runtime: what
 * `saveTo(path)` is where there is no file system. The bytes are hashed as they arrive
 * (with the algorithm of `options.hash`, else SHA-256) and checked, once the last one came, against `options.hash` or the
 * hash the sender announced; the Blob is only handed out when they match. The whole body
 * is held in memory (as the Blob's parts) until then.
 *
 * A message that resumes another (`message.offset` > 0: its first octets came before, in the
 * message it resumes) is refused: its Blob would lack them, and the hash, the whole file's,
 * covers them. Read its stream into what holds them (on Node, `PartialFile.receive` or
 * `saveTo(path, { offset })`, which hash them from disk). A range resume (RFC 5547 §6, a new
 * message of the missing octets) carries the whole file's `File-Hash` too: checked against
 * it, its Blob fails.
 *
 * @example
 * ```ts
 * const blob = await receiveBlob(message, { hash: fileSelector.hash });
 * link.href = URL.createObjectURL(blob);
 * ```
 * @throws {MsrpError} (rejects) `MSRP_ERR_HASH_MISMATCH` when the bytes do not match the
 * hash; `MSRP_ERR_ABORTED` when the sender aborted the message or its stream was destroyed;
 * `MSRP_ERR_INVALID_ARGUMENT` when the hash is not `sha-1:` or `sha-256:`, a hash is to be
 * checked and no hasher is known, the message resumes another (its stream is left unread:
 * read it, or `discard()` it), or its stream was read already (once only).
 */
export async function receiveBlob(
  message: IncomingMessage,
  options: ReceiveBlobOptions = {},
): Promise<Blob> {
  if (options.hash !== undefined) checkAlgorithm(options.hash);
  if (message.offset > 0) {
    throw new MsrpError(
      'MSRP_ERR_INVALID_ARGUMENT',
      `Message ${message.messageId} resumes at octet ${message.offset + 1}: a Blob of it would lack the ${message.offset} before, which its file's hash covers; read message.stream (on Node, PartialFile.receive)`,
    );
  }
  message.stream?.claim();
  const createHasher = options.createHasher ?? message.hasherFactory;
  // The sender's File-Hash comes with the last chunk: hash in case it does (SHA-256 unless
  // options.hash names SHA-1).
  const tap = createHasher
    ? new HashTap(createHasher, hashAlgorithmOf(options.hash ?? '') ?? 'sha-256')
    : undefined;
  const pieces: Uint8Array<ArrayBuffer>[] = [];
  let received = 0;
  try {
    for await (const piece of message.stream ?? [message.body ?? new Uint8Array(0)]) {
      tap?.update(piece);
      await tap?.ready();
      pieces.push(piece);
      received += piece.length;
      options.onProgress?.(received);
    }
    // Rejects when the message was aborted (an in-memory body is then incomplete).
    await message.completed;
    await checkHash(message, options.hash ?? message.announcedHash, tap, createHasher, pieces);
  } finally {
    // A cut message (or a throwing onProgress) asks for no digest: a worker hasher (Node's
    // workerHasher) held its state, and kept its thread from ending, for good.
    tap?.dispose();
  }
  const type =
    options.type ?? (message.contentType === undefined ? '' : mediaTypeOf(message.contentType));
  return new Blob(pieces, { type });
}

/**
 * Checks the bytes `tap` hashed (`pieces`, hashed again when `expected` is of another
 * algorithm) against `expected`, when one is known.
 * @throws {MsrpError} `MSRP_ERR_HASH_MISMATCH`; `MSRP_ERR_INVALID_ARGUMENT` without a hasher.
 */
async function checkHash(
  message: IncomingMessage,
  expected: string | undefined,
  tap: HashTap | undefined,
  createHasher: HasherFactory | undefined,
  pieces: readonly Uint8Array[],
): Promise<void> {
  if (expected === undefined) return;
  if (!tap || !createHasher) {
    throw new MsrpError(
      'MSRP_ERR_INVALID_ARGUMENT',
      'Checking a hash needs a hasher: pass createHasher',
    );
  }
  await tap.settle();
  let hash = tap.digest();
  const algorithm = hashAlgorithmOf(expected);
  if (algorithm !== undefined && algorithm !== tap.algorithm) {
    // The sender announced another algorithm (sha-1) after the bytes passed: they are all
    // held here, so hash them again with it.
    const again = new HashTap(createHasher, algorithm);
    try {
      for (const piece of pieces) again.update(piece);
      await again.settle();
      hash = again.digest();
    } finally {
      again.dispose();
    }
  }
  if (!hashMatches(expected, hash)) {
    throw new MsrpError(
      'MSRP_ERR_HASH_MISMATCH',
      `Message ${message.messageId} does not match ${expected} (its hash is ${hash})`,
    );
  }
}

function checkAlgorithm(hash: string): void {
  if (hashAlgorithmOf(hash) === undefined) {
    throw new MsrpError(
      'MSRP_ERR_INVALID_ARGUMENT',
      `Cannot check hash "${hash}": RFC 5547 hashes are sha-1:... or sha-256:...`,
    );
  }
}
