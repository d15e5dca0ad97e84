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
 * The peer refused one of our requests: its response, or a failure REPORT (RFC 4975
 * §7.1.2), carries `status`. A 415 says the content type is what it refused.
 */
export function peerRefusal(status: number | undefined, message: string): MsrpError {
  const code: MsrpErrorCode = status === 415 ? 'MSRP_ERR_UNSUPPORTED_TYPE' : 'MSRP_ERR_REMOTE';
  return new MsrpError(code, message, status === undefined ? {} : { status });
}
