// Frames framed right but with a header the parser cannot read: what makes one skippable, and
// the error a sink with `FrameSink.invalid` gets for it.
import { MsrpError } from '../errors.js';
import type { FrameSink } from './frame-sink.js';
import type { Head } from './head.js';

/**
 * Errors of a header value, not of the framing: the frame still ends at its end-line, so a
 * sink with {@link FrameSink.invalid} gets it skipped whole and the frames after it read on.
 */
const SKIPPABLE = new Set([
  'MSRP_ERR_BAD_HEADER',
  'MSRP_ERR_DUPLICATE_HEADER',
  'MSRP_ERR_MISSING_HEADER',
]);

/** Whether `e` makes the frame one for `sink` to skip rather than an error of the stream. */
export function skips(sink: FrameSink, e: unknown): e is MsrpError {
  return sink.invalid !== undefined && e instanceof MsrpError && SKIPPABLE.has(e.code);
}

/** `e` with the frame's head, as it ends up (the headers after the bad one still read). */
export function skipped(e: MsrpError, head: Head): MsrpError {
  return new MsrpError(e.code, e.message, {
    ...(e.status !== undefined && { status: e.status }),
    transactionId: head.transactionId,
    head,
    cause: e.cause,
  });
}
