// The request side of IMDN (RFC 5438 §6, §7.1): the CPIM metadata a sender adds to ask for
// notifications, and what a recipient takes from it to answer. The CPIM codec carries these
// values as header strings; this file only produces and reads the strings.
import { uuidV4 } from '../wire/uuid-v4.js';
import { MsrpError } from '../errors.js';
import { notXmlChar } from './xml-limits.js';
import type {
  ImdnDeliveryStatus,
  ImdnDisplayStatus,
  ImdnNotification,
  ImdnProcessingStatus,
} from './imdn.js';

/** The CPIM header namespace of IMDN: `NS: imdn <urn:ietf:params:imdn>` (RFC 5438 §6.1). */
export const IMDN_HEADER_NAMESPACE = 'urn:ietf:params:imdn';
/** The prefix RCS and the RFC examples bind to {@link IMDN_HEADER_NAMESPACE}. */
export const IMDN_HEADER_PREFIX = 'imdn';
/** The `Content-Disposition` of a CPIM-wrapped IMDN (RFC 5438 §7.2.1). */
export const IMDN_CONTENT_DISPOSITION = 'notification';

/** Which notifications a sender asks for (`imdn.Disposition-Notification`, RFC 5438 §6.2). */
export interface DispositionNotification {
  /** `positive-delivery`: send `delivered`. */
  positiveDelivery: boolean;
  /** `negative-delivery`: send `failed` (or `forbidden`, `error`) when delivery fails. */
  negativeDelivery: boolean;
  /** `processing`: send processing notifications. */
  processing: boolean;
  /** `display`: send `displayed` when the user has seen the message. */
  display: boolean;
}

const TOKENS = [
  ['positive-delivery', 'positiveDelivery'],
  ['negative-delivery', 'negativeDelivery'],
  ['processing', 'processing'],
  ['display', 'display'],
] as const;

/**
 * Reads an `imdn.Disposition-Notification` value: comma-separated tokens, compared
 * case-insensitively, parameters after `;` ignored; unknown tokens (extensions) are ignored.
 */
export function parseDispositionNotification(value: string): DispositionNotification {
  const result: DispositionNotification = {
    positiveDelivery: false,
    negativeDelivery: false,
    processing: false,
    display: false,
  };
  for (const item of value.split(',')) {
    const token = item.split(';', 1)[0]!.trim().toLowerCase();
    const known = TOKENS.find(([name]) => name === token);
    if (known !== undefined) result[known[1]] = true;
  }
  return result;
}

/**
 * Writes an `imdn.Disposition-Notification` value in the RFC's order, e.g.
 * `positive-delivery, negative-delivery, display`.
 *
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` when nothing is asked for (the header
 * would then be empty and should be left out).
 */
export function formatDispositionNotification(request: Partial<DispositionNotification>): string {
  const tokens = TOKENS.filter(([, key]) => request[key] === true).map(([name]) => name);
  if (tokens.length === 0) {
    throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'no notification asked for');
  }
  return tokens.join(', ');
}

/**
 * A new `imdn.Message-ID`: a random (v4) UUID, 122 random bits. RFC 5438 §6.3: the
 * Message-ID MUST be globally unique with at least 64 bits of randomness.
 */
export function newImdnMessageId(): string {
  return uuidV4();
}

/**
 * The CPIM metadata headers that ask for notifications, as `[name, value]` pairs in the order
 * to write them, with the {@link IMDN_HEADER_PREFIX} prefix:
 * `NS: imdn <urn:ietf:params:imdn>`, `imdn.Message-ID` and `imdn.Disposition-Notification`.
 * The CPIM `DateTime` header is also required (RFC 5438 §7.1.1.2); the CPIM layer writes it.
 *
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` when nothing is asked for.
 */
export function imdnRequestHeaders(
  request: Partial<DispositionNotification>,
  messageId: string = newImdnMessageId(),
): Array<[name: string, value: string]> {
  return [
    ['NS', `${IMDN_HEADER_PREFIX} <${IMDN_HEADER_NAMESPACE}>`],
    [`${IMDN_HEADER_PREFIX}.Message-ID`, messageId],
    [`${IMDN_HEADER_PREFIX}.Disposition-Notification`, formatDispositionNotification(request)],
  ];
}

/**
 * What a recipient needs from a message to answer it with IMDNs: CPIM metadata values as
 * the CPIM codec reads them.
 */
export interface ImdnRequest {
  /** Its `imdn.Message-ID`. */
  messageId: string;
  /** Its `DateTime` (RFC 5438 §7.1.1.2: required when notifications are asked for). */
  dateTime: string;
  /** Its CPIM `From`: where the notification goes (the IMDN's CPIM `To`). */
  from: string;
  /** Its CPIM `To`: the recipient that reports, unless told otherwise. */
  to?: string;
  /** Its `Subject`, echoed in the notification. */
  subject?: string;
  /** Its `imdn.Disposition-Notification`, parsed. */
  dispositionNotification: DispositionNotification;
}

/** A notification to send: a kind and a status valid for it. */
export type ImdnOutcome =
  | { kind: 'delivery'; status: ImdnDeliveryStatus }
  | { kind: 'display'; status: ImdnDisplayStatus }
  | { kind: 'processing'; status: ImdnProcessingStatus };

/**
 * Whether `request` asked for `outcome`: `delivered` needs `positive-delivery`, any other
 * delivery status `negative-delivery`; display and processing statuses need `display` and
 * `processing`. RFC 5438 §7.2: a recipient sends only the notifications asked for.
 */
export function isImdnRequested(request: DispositionNotification, outcome: ImdnOutcome): boolean {
  switch (outcome.kind) {
    case 'delivery':
      return outcome.status === 'delivered' ? request.positiveDelivery : request.negativeDelivery;
    case 'display':
      return request.display;
    case 'processing':
      return request.processing;
  }
}

/**
 * The IMDN that answers `request` with `outcome`. RFC 5438 §7.2.1: `<message-id>` and
 * `<datetime>` are copied from the message's `imdn.Message-ID` and `DateTime`.
 * `recipientUri` (our own URI) defaults to the message's `To`. The message's `Subject` is
 * copied when XML can carry it.
 *
 * The CPIM wrapper of the notification is the caller's: `To` is `request.from`, a fresh
 * {@link newImdnMessageId}, `Content-Type: message/imdn+xml` and
 * `Content-Disposition: notification`.
 */
export function imdnFor(
  request: ImdnRequest,
  outcome: ImdnOutcome,
  recipientUri: string | undefined = request.to,
): ImdnNotification {
  const n: ImdnNotification = {
    messageId: request.messageId,
    dateTime: request.dateTime,
    ...outcome,
  };
  if (recipientUri !== undefined) n.recipientUri = recipientUri;
  // Optional in the IMDN (RFC 5438's schema): a subject XML cannot carry (a control character
  // a CPIM escape made) is left out, not the notification with it.
  if (request.subject !== undefined && notXmlChar(request.subject) === undefined) {
    n.subject = request.subject;
  }
  return n;
}
