// `msrp send --file`'s side of resuming: describes the file to the listener before sending
// it, and learns from the answer's a=file-range how much of it the listener already holds.
import { randomUUID } from 'node:crypto';
import type { FileDelivery, IncomingMessage, Session } from '@msrp-ts/msrp-core';
import { DeliveryError, mediaTypeOf } from '@msrp-ts/msrp-core';
import {
  FILE_ANSWER_TYPE,
  FILE_OFFER_TYPE,
  formatFileOffer,
  parseFileAnswer,
  type FileOfferBody,
} from './file-offer.js';
import type { Output } from './output.js';

/** How long to wait for the listener's answer: a peer that does not resume never answers. */
export const RESUME_ANSWER_MS = 3000;

/** The file as the offer describes it. */
export interface OfferedFile {
  readonly name: string;
  readonly size: number;
  readonly type?: string | undefined;
  readonly modified: Date;
}

/** RFC 5322 date-time, as `a=file-date` carries it (second precision, UTC). */
function rfc5322(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * Offers `file` on `session` and waits up to `waitMs` for the answer.
 * @returns the octets the listener already holds (0: send it all): where the file resumes.
 * Undefined when the peer refuses the offer or gives no valid answer in time (not an `msrp
 * listen`): send it all.
 */
export async function negotiateResume(
  session: Session,
  file: OfferedFile,
  waitMs = RESUME_ANSWER_MS,
): Promise<number | undefined> {
  const offer: FileOfferBody = {
    transferId: randomUUID(),
    name: file.name,
    size: file.size,
    type: file.type,
    modified: rfc5322(file.modified),
  };
  const answered = waitForAnswer(session, offer.transferId, waitMs);
  try {
    await session.send(formatFileOffer(offer), { contentType: FILE_OFFER_TYPE });
  } catch {
    // Refused (e.g. 415 from a peer that accepts only some types): send the whole file.
    answered.stop();
    return undefined;
  }
  const range = await answered.range;
  // RFC 5547 §6: the range must lie within the file and run to its end (we send the rest).
  if (!range || range.start < 1 || range.start > file.size || range.stop !== file.size) {
    return undefined;
  }
  return range.start - 1;
}

/**
 * Sends a file (`send(offset, listening)`) from where the listener's part of it ends (`file`:
 * offered first, see {@link negotiateResume}), or whole (`file` undefined: not resumable);
 * `listening` tells that the peer answered the offer: it is an `msrp listen`. A part
 * that turns out to be of another file of the same name, size and date is refused at its end
 * (the listener's hash check: 413 `Hash mismatch`, `MSRP_ERR_HASH_MISMATCH` here) and
 * dropped: the file is offered again, once, which the listener now answers from its first
 * byte, so the send goes through whole instead of failing.
 * @returns the delivery and the offset it went from.
 */
export async function sendResuming(
  session: Session,
  file: OfferedFile | undefined,
  out: Output,
  send: (offset: number, listening: boolean) => Promise<FileDelivery>,
): Promise<{ delivery: FileDelivery; offset: number }> {
  if (!file) return { delivery: await send(0, false), offset: 0 };
  const { name, size } = file;
  for (let retried = false; ; retried = true) {
    const held = await negotiateResume(session, file);
    const offset = held ?? 0;
    if (offset > 0) {
      out.status(`resuming ${name} at byte ${offset + 1} of ${size}`, {
        event: 'resume',
        offset,
        size,
      });
    }
    try {
      return { delivery: await send(offset, held !== undefined), offset };
    } catch (e) {
      const stale = e instanceof DeliveryError && e.code === 'MSRP_ERR_HASH_MISMATCH';
      if (offset === 0 || retried || !stale) throw e;
      out.status(
        `the listener's part of ${name} was of another file (its hash did not match); sending it whole`,
        { event: 'resume-refused', offset, size },
      );
    }
  }
}

/** Reads the session's incoming messages until the answer to `transferId` comes or time runs out. */
function waitForAnswer(
  session: Session,
  transferId: string,
  waitMs: number,
): { range: Promise<{ start: number; stop: number } | undefined>; stop: () => void } {
  const messages = session[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), waitMs);
  });
  const stop = (): void => {
    clearTimeout(timer);
  };
  const read = async (): Promise<{ start: number; stop: number } | undefined> => {
    try {
      for (;;) {
        const next = await messages.next();
        if (next.done) return undefined;
        const answer = answerOf(next.value);
        if (answer?.transferId === transferId) return answer.range;
      }
    } finally {
      // Answered: the session's messages are free to be read again (an offer made again).
      void messages.return(undefined);
    }
  };
  const range = Promise.race([read(), timeout]).finally(stop);
  return { range, stop };
}

function answerOf(message: IncomingMessage): ReturnType<typeof parseFileAnswer> {
  if (!message.body || !message.contentType) {
    void message.drain();
    return undefined;
  }
  if (mediaTypeOf(message.contentType).toLowerCase() !== FILE_ANSWER_TYPE) return undefined;
  return parseFileAnswer(message.text());
}
