import { encodeEndLine } from '../wire/serializer.js';
import type { Chunk, Sending } from './sending.js';
import type { SessionPort, Transaction } from './session-link.js';

/** Chunks larger than this are written in slices of this size, and can be interrupted between them. */
export const INTERRUPT_SLICE = 256 * 1024;

/** What writing a chunk in slices needs of the scheduler that cut it. */
export interface SliceHost {
  /** Whether another message of the session waits for its turn. */
  othersWaiting(sending: Sending): boolean;
  /**
   * The chunk was cut short: its last `unwritten` bytes go back to the message and out of
   * the window, and the message queues for its next turn.
   */
  interrupted(sending: Sending, unwritten: Uint8Array): void;
}

/**
 * Writes a large chunk in slices and ends it early with `+` when another message of the
 * session is waiting (RFC 4975 §7.1: bodies over 2048 bytes MUST be interruptible; the
 * range-end is then `*`, as `head` has it). `inFlight.bytes` ends up as what was written.
 */
export function writeInterruptible(
  port: SessionPort,
  sending: Sending,
  chunk: Chunk,
  transactionId: string,
  head: Uint8Array,
  inFlight: { bytes: number },
  host: SliceHost,
): Transaction {
  const { body } = chunk;
  let offset = 0;
  const { message } = sending;
  sending.writing = true;
  const nextPart = (): Uint8Array | undefined => {
    if (offset >= body.length || message.finished) return undefined;
    if (offset > 0 && host.othersWaiting(sending)) return undefined;
    const part = body.subarray(offset, offset + INTERRUPT_SLICE);
    offset += part.length;
    return part;
  };
  const endLine = (): Uint8Array => {
    sending.writing = false;
    sending.written = chunk.start - 1 + offset;
    // Aborted while it was written: the chunk itself ends the message (RFC 4975 §7.1).
    if (message.finished) return encodeEndLine(transactionId, '#', true);
    const interrupted = offset < body.length;
    if (interrupted) {
      inFlight.bytes = offset;
      host.interrupted(sending, body.subarray(offset));
    }
    sending.endWritten = !interrupted && chunk.last;
    return encodeEndLine(transactionId, sending.endWritten ? '$' : '+', true);
  };
  return port.sendParts(transactionId, head, nextPart, endLine);
}
