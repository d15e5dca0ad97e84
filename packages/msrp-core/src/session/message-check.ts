// An application's look at a whole incoming message before it is answered: the one moment a
// receiver can still refuse it by content (RFC 4975 §7.1: the response follows the chunk's
// end-line, so the body of a message in one chunk is known before its 200 goes out).
import type { MsrpError } from '../errors.js';
import type { ContentType } from '../wire/content-type.js';
import type { HeaderField } from '../wire/head.js';
import { peerError } from './peer-error.js';

/** A message that arrived whole and is not answered yet (see `SessionOptions.checkMessage`). */
export interface MessageCheck {
  readonly messageId: string;
  readonly contentType: ContentType | undefined;
  readonly contentHeaders: readonly HeaderField[];
  /** The whole body. A view: copy what you keep. */
  readonly body: Uint8Array;
}

/**
 * Decides on a whole message before its last chunk is answered: a status refuses it (e.g.
 * 415 for a type wrapped in CPIM that our accept-wrapped-types does not list), undefined
 * takes it.
 */
export type MessageChecker = (message: MessageCheck) => 400 | 413 | 415 | undefined;

/**
 * Runs `checker`; the error to answer with when it refuses. A checker that throws is an
 * application bug, not the peer's: the message is then taken as if unchecked.
 */
export function runMessageCheck(
  checker: MessageChecker,
  message: MessageCheck,
): MsrpError | undefined {
  let status: ReturnType<MessageChecker>;
  try {
    status = checker(message);
  } catch {
    return undefined;
  }
  // An async checker (typed otherwise, so from JavaScript or a cast) cannot decide before the
  // answer: the message is taken as if unchecked, and a rejection is not left unhandled.
  const promise = status as unknown as PromiseLike<unknown> | undefined;
  if (typeof promise?.then === 'function') {
    promise.then(undefined, () => undefined);
    return undefined;
  }
  if (status !== 400 && status !== 413 && status !== 415) return undefined;
  return peerError(status, `Message ${message.messageId} refused by its content`);
}
