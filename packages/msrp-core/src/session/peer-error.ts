import { MsrpError } from '../errors.js';

/** A fault of the peer's request, carrying the status to answer it with (413 or 400). */
export function peerError(status: number, message: string): MsrpError {
  return new MsrpError(status === 413 ? 'MSRP_ERR_LIMIT' : 'MSRP_ERR_BAD_HEADER', message, {
    status,
  });
}
