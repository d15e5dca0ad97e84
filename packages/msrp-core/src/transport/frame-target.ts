import type { MsrpError } from '../errors.js';
import type { ContinuationFlag } from '../wire/parser.js';

/**
 * Receives the rest of one inbound frame after its head: what a connection's owner (an
 * endpoint, a relay) returns when it has looked at a head and decided where the frame goes.
 */
export interface FrameTarget {
  /** A piece of body (a view, not a copy); `false` pauses reading the connection. */
  body(part: Uint8Array): boolean | void;
  /** The end-line arrived with its flag. */
  end(flag: ContinuationFlag): void;
  /** The connection closed before the end-line; `error` says why. */
  abort(error: MsrpError): void;
}

/** Takes a frame nobody wants: reads its body and drops it. */
export const discardFrame: FrameTarget = {
  body: () => true,
  end: () => undefined,
  abort: () => undefined,
};

/** A target that reads the body, drops it, and calls `onEnd` at the end-line. */
export function atEnd(onEnd: (flag: ContinuationFlag) => void): FrameTarget {
  return { body: () => true, end: onEnd, abort: () => undefined };
}
