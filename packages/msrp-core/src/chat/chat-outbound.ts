// What the chat writes to the peer, in CPIM (RFC 3862): a chat line with its IMDN headers, a
// disposition notification, a composing status. Pure: values in, bytes out.
import { MsrpError } from '../errors.js';
import { createCpim, type CpimAddressInit, type CpimHeaderInit } from './cpim-builder.js';
import { DEFAULT_CPIM_MAX_HEADER_BYTES } from './cpim-lines.js';
import { formatCpim } from './cpim-message.js';
import {
  IMDN_CONTENT_DISPOSITION,
  IMDN_HEADER_NAMESPACE,
  IMDN_HEADER_PREFIX,
  formatDispositionNotification,
  newImdnMessageId,
  type DispositionNotification,
  type ImdnRequest,
} from './imdn-request.js';
import { formatImdn, IMDN_CONTENT_TYPE, type ImdnNotification } from './imdn.js';
import { IS_COMPOSING_CONTENT_TYPE } from './is-composing.js';

const IMDN_NS = { [IMDN_HEADER_PREFIX]: IMDN_HEADER_NAMESPACE };

/** A chat line as {@link formatChatLine} writes it. */
export interface ChatLine {
  readonly from: CpimAddressInit;
  readonly to: CpimAddressInit;
  /** Its `imdn.Message-ID`, by which notifications name it. */
  readonly messageId: string;
  /** The notifications asked for; none when undefined. */
  readonly notifications: Partial<DispositionNotification> | undefined;
  readonly subject: string | undefined;
  readonly contentType: string;
  readonly text: string;
}

/**
 * A chat line in CPIM.
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` when its headers pass 64 KiB, which a peer
 * reading with default limits (a Chat does) refuses as bad CPIM: the caller learns it here,
 * rather than see the message reported sent. Bad addresses or headers as `createCpim`.
 */
export function formatChatLine(line: ChatLine): Uint8Array {
  // RFC 5438 §6.3, §7.1.1.2: Message-ID and DateTime are what the IMDN echoes.
  const headers: CpimHeaderInit[] = [[`${IMDN_HEADER_PREFIX}.Message-ID`, line.messageId]];
  if (line.notifications !== undefined) {
    const value = formatDispositionNotification(line.notifications);
    headers.push([`${IMDN_HEADER_PREFIX}.Disposition-Notification`, value]);
  }
  const cpim = createCpim({
    from: line.from,
    to: line.to,
    dateTime: new Date(),
    ...(line.subject !== undefined && { subject: line.subject }),
    ns: IMDN_NS,
    headers,
    contentType: line.contentType,
    body: line.text,
  });
  const bytes = formatCpim(cpim);
  if (bytes.length - cpim.body.length > DEFAULT_CPIM_MAX_HEADER_BYTES) {
    throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'CPIM headers over 64 KiB');
  }
  return bytes;
}

/**
 * RFC 5438 §7.2.1: an IMDN goes in CPIM, To the message's From, with its own Message-ID.
 */
export function formatImdnCpim(
  from: CpimAddressInit,
  request: ImdnRequest,
  imdn: ImdnNotification,
): Uint8Array {
  const cpim = createCpim({
    from,
    to: request.from,
    dateTime: new Date(),
    ns: IMDN_NS,
    headers: [[`${IMDN_HEADER_PREFIX}.Message-ID`, newImdnMessageId()]],
    contentType: IMDN_CONTENT_TYPE,
    contentHeaders: [['Content-Disposition', IMDN_CONTENT_DISPOSITION]],
    body: formatImdn(imdn),
  });
  return formatCpim(cpim);
}

/** An is-composing document (RFC 3994) wrapped in CPIM. */
export function formatComposingCpim(
  from: CpimAddressInit,
  to: CpimAddressInit,
  xml: Uint8Array,
): Uint8Array {
  const cpim = createCpim({
    from,
    to,
    dateTime: new Date(),
    contentType: IS_COMPOSING_CONTENT_TYPE,
    body: xml,
  });
  return formatCpim(cpim);
}
