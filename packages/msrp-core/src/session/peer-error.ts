import { MsrpError, type MsrpErrorCode } from '../errors.js';

/** A fault of the peer's request, carrying the status to answer it with (400, 413 or 415). */
export function peerError(status: 400 | 413 | 415, message: string): MsrpError {
  const code: MsrpErrorCode =
    status === 413
      ? 'MSRP_ERR_LIMIT'
      : status === 415
        ? 'MSRP_ERR_UNSUPPORTED_TYPE'
        : 'MSRP_ERR_BAD_HEADER';
  return new MsrpError(code, message, { status });
}

/**
 * The comment of the 413 that refuses a file whose octets do not match its hash (RFC 5547
 * `hash`, `File-Hash`): the sender learns that the file, not the session, was refused (one
 * resumed into a part of another file can go again whole). No RFC names a status for it.
 */
const HASH_MISMATCH = 'Hash mismatch';
/** The comment of a 413 whose reader could not store the message (a full disk, say). */
const CANNOT_STORE = 'The receiver could not store this message';

/**
 * The comment of a 413 refusing the rest of a message whose reader failed with `reason`:
 * what kind of failure, never its message (which may name local paths), but for a limit.
 */
export function refusalComment(reason: Error | undefined): string {
  if (reason instanceof MsrpError) {
    if (reason.code === 'MSRP_ERR_HASH_MISMATCH') return HASH_MISMATCH;
    if (reason.code === 'MSRP_ERR_FILE') return CANNOT_STORE;
    // A limit the message broke (max-size, ...): our own words, with nothing local in them,
    // that the sender can act on; the chunks held for the reader are answered before the one
    // that broke it, and the first 413 is the one the sender reports.
    if (reason.code === 'MSRP_ERR_LIMIT' && reason.status === 413) return reason.message;
  }
  // A system error of the store (Node's `ENOSPC`, `EIO`, `EACCES`...).
  const code = (reason as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return CANNOT_STORE;
  return 'The receiver did not read this message';
}

/**
 * The peer refused one of our requests: its response (`how`: "Peer answered"), or a failure
 * REPORT (RFC 4975 §7.1.2), carries `status` and a `comment`. A 415 says the content type is
 * what it refused; a 413 whose comment is `Hash mismatch`, that the file's octets did not
 * match its hash (MSRP_ERR_HASH_MISMATCH).
 */
export function peerRefusal(how: string, status: number | undefined, comment = ''): MsrpError {
  const code: MsrpErrorCode =
    status === 415
      ? 'MSRP_ERR_UNSUPPORTED_TYPE'
      : status === 413 && comment.trim().toLowerCase() === HASH_MISMATCH.toLowerCase()
        ? 'MSRP_ERR_HASH_MISMATCH'
        : 'MSRP_ERR_REMOTE';
  const message = [how, status, comment.trim()]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  return new MsrpError(code, message, status === undefined ? {} : { status });
}
