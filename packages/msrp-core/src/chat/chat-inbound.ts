// What one body from the peer is to the chat: a message, a notification, a composing status,
// something else, or a problem. Pure: bytes in, a tagged value out, never a throw.
import { MsrpError } from '../errors.js';
import { mediaTypeOf, type ContentType } from '../wire/content-type.js';
import { accepts } from '../session/inbound.js';
import type { ChatMessage, ChatProblemReason } from './chat-types.js';
import type { CpimAddress } from './cpim-header.js';
import { CPIM_HEADERS_NS } from './cpim-header.js';
import { parseCpim, type CpimMessage, type CpimName } from './cpim-message.js';
import { wrappedType } from './cpim-wrapped-check.js';
import {
  IMDN_CONTENT_DISPOSITION,
  IMDN_HEADER_NAMESPACE,
  parseDispositionNotification,
  type DispositionNotification,
  type ImdnRequest,
} from './imdn-request.js';
import { IMDN_CONTENT_TYPE, parseImdn, type ImdnNotification } from './imdn.js';
import { IS_COMPOSING_CONTENT_TYPE, parseIsComposing, type IsComposing } from './is-composing.js';
import { decodeCharset } from './text-charset.js';
import type { XmlLimits } from './xml-limits.js';

/** The IMDN headers a chat understands, for CPIM `Require` (RFC 3862 §4.7). */
const IMDN_HEADERS: readonly CpimName[] = [
  { namespace: IMDN_HEADER_NAMESPACE, name: 'Message-ID' },
  { namespace: IMDN_HEADER_NAMESPACE, name: 'Disposition-Notification' },
];

const NOTHING_REQUESTED: DispositionNotification = Object.freeze({
  positiveDelivery: false,
  negativeDelivery: false,
  processing: false,
  display: false,
});

/** How {@link readChatBody} reads. */
export interface ChatInboundOptions {
  readonly acceptWrappedTypes: readonly string[] | undefined;
  readonly knownHeaders: readonly CpimName[];
  readonly xmlLimits: XmlLimits | undefined;
}

/** What a body is to the chat. */
export type ChatInbound =
  | { kind: 'message'; message: ChatMessage; request: ImdnRequest | undefined }
  | { kind: 'notification'; imdn: ImdnNotification; from: CpimAddress | undefined }
  | { kind: 'composing'; status: IsComposing }
  | { kind: 'other' }
  | { kind: 'problem'; reason: ChatProblemReason; error: MsrpError };

/**
 * Reads one in-memory body of MSRP type `contentType`. `msrpMessageId` names a message that
 * carries no `imdn.Message-ID`.
 */
export function readChatBody(
  bytes: Uint8Array,
  contentType: ContentType | undefined,
  msrpMessageId: string,
  options: ChatInboundOptions,
): ChatInbound {
  const media = contentType === undefined ? undefined : mediaTypeOf(contentType);
  if (media !== 'message/cpim') {
    return readContent(bytes, contentType, undefined, msrpMessageId, options);
  }
  let cpim: CpimMessage;
  try {
    cpim = parseCpim(bytes);
  } catch (e) {
    return problem('bad-cpim', e, 'message/cpim: unreadable');
  }
  // RFC 3862 §4.7: a receiver that does not understand a header listed by Require must not
  // process the message as if it did; we do not take it at all.
  const unknown = cpim.unsupportedRequired([...IMDN_HEADERS, ...options.knownHeaders]);
  if (unknown.length > 0) {
    const error = new MsrpError('MSRP_ERR_CPIM', `message/cpim: Require ${unknown.join(', ')}`);
    return { kind: 'problem', reason: 'unsupported-require', error };
  }
  const inner = wrappedType(cpim);
  if (inner === undefined) {
    const error = new MsrpError('MSRP_ERR_CPIM', 'message/cpim: bad inner Content-Type');
    return { kind: 'problem', reason: 'bad-cpim', error };
  }
  const accepted = options.acceptWrappedTypes;
  if (accepted !== undefined && !accepts(accepted, inner)) {
    // RFC 4975 §8.6: the peer may wrap only what our accept-wrapped-types lists.
    const error = new MsrpError(
      'MSRP_ERR_UNSUPPORTED_TYPE',
      `${mediaTypeOf(inner)} not accepted in CPIM`,
      { status: 415 },
    );
    return { kind: 'problem', reason: 'unaccepted-type', error };
  }
  return readContent(cpim.body, inner, cpim, msrpMessageId, options);
}

function readContent(
  bytes: Uint8Array,
  contentType: ContentType | undefined,
  cpim: CpimMessage | undefined,
  msrpMessageId: string,
  options: ChatInboundOptions,
): ChatInbound {
  const media = contentType === undefined ? 'text/plain' : mediaTypeOf(contentType);
  const disposition = cpim?.contentHeader('Content-Disposition')?.split(';', 1)[0]?.trim();
  if (media === IMDN_CONTENT_TYPE || disposition?.toLowerCase() === IMDN_CONTENT_DISPOSITION) {
    try {
      return { kind: 'notification', imdn: parseImdn(bytes, options.xmlLimits), from: cpim?.from };
    } catch (e) {
      return problem('bad-imdn', e, 'message/imdn+xml: unreadable');
    }
  }
  if (media === IS_COMPOSING_CONTENT_TYPE) {
    try {
      return { kind: 'composing', status: parseIsComposing(bytes, options.xmlLimits) };
    } catch (e) {
      return problem('bad-is-composing', e, 'is-composing: unreadable');
    }
  }
  const isText = cpim !== undefined ? cpim.isText : contentType?.type.toLowerCase() === 'text';
  if (cpim === undefined && !isText) return { kind: 'other' };
  let text: string | undefined;
  // RFC 2046 §4.1.2: the charset parameter says how the octets are text, bare or in CPIM.
  if (isText && cpim !== undefined) {
    try {
      text = cpim.text();
    } catch (e) {
      return problem('bad-cpim', e, 'message/cpim: undecodable text');
    }
  } else if (isText) {
    try {
      text = decodeCharset(bytes, contentType, unknownCharset);
    } catch (e) {
      return problem('unaccepted-type', e, 'text: undecodable');
    }
  }
  const imdnId = cpim?.get(IMDN_HEADER_NAMESPACE, 'Message-ID')?.text;
  const dn = cpim?.get(IMDN_HEADER_NAMESPACE, 'Disposition-Notification')?.text;
  const requested = dn === undefined ? NOTHING_REQUESTED : parseDispositionNotification(dn);
  const message: ChatMessage = {
    messageId: imdnId ?? msrpMessageId,
    from: cpim?.from,
    to: cpim?.to ?? [],
    dateTime: cpim?.dateTime,
    contentType: media,
    text,
    bytes,
    cpim,
    requested,
  };
  return { kind: 'message', message, request: imdnRequestOf(cpim, imdnId, requested) };
}

/**
 * What answering needs, when notifications were asked for. RFC 5438 §7.1.1.2: a request
 * without DateTime cannot be answered (the IMDN copies it), nor one without From.
 */
function imdnRequestOf(
  cpim: CpimMessage | undefined,
  messageId: string | undefined,
  requested: DispositionNotification,
): ImdnRequest | undefined {
  if (cpim === undefined || messageId === undefined || requested === NOTHING_REQUESTED) {
    return undefined;
  }
  const dateTime = cpim.get(CPIM_HEADERS_NS, 'DateTime')?.text;
  if (dateTime === undefined || cpim.from === undefined) return undefined;
  const request: ImdnRequest = {
    messageId,
    dateTime,
    from: cpim.from.uri,
    dispositionNotification: requested,
  };
  if (cpim.to[0] !== undefined) request.to = cpim.to[0].uri;
  // An IMDN's optional <subject> (RFC 5438) echoes the message's (the first, if several).
  const subject = cpim.subjects[0]?.text;
  if (subject !== undefined) request.subject = subject;
  return request;
}

/** A bare text in a charset we cannot decode is a type we do not take. */
function unknownCharset(label: string, cause: unknown): MsrpError {
  return new MsrpError('MSRP_ERR_UNSUPPORTED_TYPE', `text: unknown charset ${label}`, {
    cause,
    status: 415,
  });
}

function problem(reason: ChatProblemReason, e: unknown, fallback: string): ChatInbound {
  const error = e instanceof MsrpError ? e : new MsrpError('MSRP_ERR_CPIM', fallback, { cause: e });
  return { kind: 'problem', reason, error };
}
