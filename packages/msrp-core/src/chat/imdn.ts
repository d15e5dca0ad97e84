// The IMDN document (RFC 5438 §7.2.1 and its XML schema): `message/imdn+xml` in the
// `urn:ietf:params:xml:ns:imdn` namespace, as RCS clients send it inside an MSRP session.
import { MsrpError } from '../errors.js';
import { xmlError, type XmlLimits } from './xml-limits.js';
import {
  buildXmlDocument,
  childrenNamed,
  childText,
  parseXmlDocument,
  type XmlElement,
} from './xml-tree.js';

/** The XML namespace of the IMDN document (RFC 5438). */
export const IMDN_XML_NAMESPACE = 'urn:ietf:params:xml:ns:imdn';
/** The content type of an IMDN (RFC 5438). */
export const IMDN_CONTENT_TYPE = 'message/imdn+xml';

/** Status of a delivery notification (RFC 5438 §5.1). */
export type ImdnDeliveryStatus = 'delivered' | 'failed' | 'forbidden' | 'error';
/** Status of a display notification (RFC 5438 §5.3). */
export type ImdnDisplayStatus = 'displayed' | 'forbidden' | 'error';
/** Status of a processing notification (RFC 5438 §5.2). */
export type ImdnProcessingStatus = 'processed' | 'stored' | 'forbidden' | 'error';
/** Which of the three notifications a document is. */
export type ImdnKind = 'delivery' | 'display' | 'processing';

/** What every IMDN carries about the message it reports on. */
export interface ImdnCommon {
  /** The `imdn.Message-ID` of the message reported on (`<message-id>`). */
  messageId: string;
  /** The `DateTime` of the message reported on (`<datetime>`), RFC 3339, kept as sent. */
  dateTime: string;
  /**
   * The recipient that reports (`<recipient-uri>`). The schema lets it be absent, so
   * parsing tolerates that; RCS clients always send it.
   */
  recipientUri?: string;
  /** The recipient the message was first addressed to, when a list changed it. */
  originalRecipientUri?: string;
  /** The `Subject` of the message reported on, if it had one. */
  subject?: string;
}

/** An IMDN: exactly one of a delivery, display or processing notification. */
export type ImdnNotification = ImdnCommon &
  (
    | { kind: 'delivery'; status: ImdnDeliveryStatus }
    | { kind: 'display'; status: ImdnDisplayStatus }
    | { kind: 'processing'; status: ImdnProcessingStatus }
  );

/** The statuses each kind allows (the RFC 5438 schema). */
const STATUSES: Readonly<Record<ImdnKind, readonly string[]>> = {
  delivery: ['delivered', 'failed', 'forbidden', 'error'],
  display: ['displayed', 'forbidden', 'error'],
  processing: ['processed', 'stored', 'forbidden', 'error'],
};

const KINDS: readonly ImdnKind[] = ['delivery', 'display', 'processing'];

/** Options of {@link parseImdn}. */
export type ParseImdnOptions = XmlLimits;

/**
 * Parses a `message/imdn+xml` body. Any namespace prefix (or the default namespace) is
 * accepted, whitespace around values is trimmed, and elements of other namespaces
 * (vendor extensions) are ignored.
 *
 * @throws {MsrpError} `MSRP_ERR_XML` when the body is over `options`' limits, unsafe or not
 * well-formed, the root is not `imdn` in {@link IMDN_XML_NAMESPACE}, `message-id` or
 * `datetime` is missing, or there is not exactly one notification with one known status.
 */
export function parseImdn(bytes: Uint8Array, options: ParseImdnOptions = {}): ImdnNotification {
  const root = parseXmlDocument(bytes, options);
  if (root.ns !== IMDN_XML_NAMESPACE || root.name !== 'imdn') {
    throw xmlError(`not an IMDN: root <${root.name}> in namespace ${root.ns ?? '(none)'}`);
  }
  const messageId = childText(root, IMDN_XML_NAMESPACE, 'message-id');
  if (!messageId) throw xmlError('IMDN has no <message-id>');
  const dateTime = childText(root, IMDN_XML_NAMESPACE, 'datetime');
  if (!dateTime) throw xmlError('IMDN has no <datetime>');
  const common: ImdnCommon = { messageId, dateTime };
  const recipientUri = childText(root, IMDN_XML_NAMESPACE, 'recipient-uri');
  if (recipientUri) common.recipientUri = recipientUri;
  const original = childText(root, IMDN_XML_NAMESPACE, 'original-recipient-uri');
  if (original) common.originalRecipientUri = original;
  const subject = childText(root, IMDN_XML_NAMESPACE, 'subject');
  if (subject !== undefined) common.subject = subject;

  const found = KINDS.flatMap((kind) =>
    childrenNamed(root, IMDN_XML_NAMESPACE, `${kind}-notification`).map((el) => ({ kind, el })),
  );
  if (found.length !== 1) {
    throw xmlError(`IMDN has ${found.length} notification elements, not exactly 1`);
  }
  const { kind, el } = found[0]!;
  return { ...common, kind, status: statusOf(kind, el) } as ImdnNotification;
}

function statusOf(kind: ImdnKind, notification: XmlElement): string {
  const statuses = childrenNamed(notification, IMDN_XML_NAMESPACE, 'status');
  if (statuses.length !== 1) throw xmlError(`<${kind}-notification> has no single <status>`);
  const values = statuses[0]!.children.filter(
    (c) => c.ns === IMDN_XML_NAMESPACE && STATUSES[kind].includes(c.name),
  );
  if (values.length !== 1) {
    throw xmlError(`<${kind}-notification> status is not one of ${STATUSES[kind].join(', ')}`);
  }
  return values[0]!.name;
}

/**
 * Writes an IMDN as a UTF-8 `message/imdn+xml` document, elements in schema order, values
 * escaped.
 *
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` when `messageId` or `dateTime` is blank,
 * the status does not belong to the kind, or a value holds a character XML cannot carry.
 */
export function formatImdn(notification: ImdnNotification): Uint8Array {
  const { kind, status, messageId, dateTime } = notification;
  // Blank would read back as missing: parseImdn trims values.
  if (!messageId?.trim() || !dateTime?.trim()) {
    throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', 'an IMDN needs a messageId and a dateTime');
  }
  if (!KINDS.includes(kind) || !STATUSES[kind].includes(status)) {
    throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `'${status}' is no ${kind} status`);
  }
  const imdn: Record<string, unknown> = {
    '@xmlns': IMDN_XML_NAMESPACE,
    'message-id': messageId,
    datetime: dateTime,
  };
  if (notification.recipientUri !== undefined) imdn['recipient-uri'] = notification.recipientUri;
  if (notification.originalRecipientUri !== undefined) {
    imdn['original-recipient-uri'] = notification.originalRecipientUri;
  }
  if (notification.subject !== undefined) imdn.subject = notification.subject;
  imdn[`${kind}-notification`] = { status: { [status]: '' } };
  return buildXmlDocument({ imdn });
}
