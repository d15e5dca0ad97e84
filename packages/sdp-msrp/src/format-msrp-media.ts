import { formatUri } from '@msrp-ts/msrp-core/uri';
import { isAcceptType } from './accept-types.js';
import { formatChatroom } from './chatroom.js';
import { SdpError } from './errors.js';
import { formatFileDate, isToken } from './file-description.js';
import { formatFileSelector } from './file-selector.js';
import type { MsrpMedia } from './msrp-media.js';
import { canonicalProto } from './proto.js';
import type { SdpLine } from './session-description.js';

/** What {@link formatMsrpMedia} writes: an {@link MsrpMedia} without its position. */
export type MsrpMediaInit = Omit<MsrpMedia, 'index'>;

function checkTypes(name: string, types: readonly string[]): string {
  const bad = types.find((t) => !isAcceptType(t));
  if (bad !== undefined) {
    throw new SdpError(
      'SDP_ERR_INVALID_ARGUMENT',
      `${name}: "${bad}" is not *, type/* or type/subtype`,
    );
  }
  return types.join(' ');
}

function token(name: string, value: string): string {
  if (!isToken(value)) throw new SdpError('SDP_ERR_INVALID_ARGUMENT', `Invalid ${name} "${value}"`);
  return value;
}

/**
 * Writes an MSRP media section: the inverse of {@link parseMsrpMedia} for one section.
 * Lines come in the order deployed clients write them: `m=`, `i=`, `c=`, direction,
 * accept-types, accept-wrapped-types, max-size, path, setup, connection, msrp-cema,
 * chatroom, fingerprints, then the RFC 5547 file attributes. A rejected section (port 0) is written as
 * its `m=` line alone, which RFC 3264 §6 allows. The proto is written as
 * {@link canonicalProto} gives it: `TCP/WS/MSRP` and `TCP/WSS/MSRP` are never written.
 * @throws {SdpError} `SDP_ERR_INVALID_ARGUMENT` for a value that cannot be written.
 */
export function formatMsrpMedia(media: MsrpMediaInit): SdpLine[] {
  // RFC 7977 §5.2.2: WebSocket shows only in a=path; the m-line stays TCP/MSRP or
  // TCP/TLS/MSRP, so a TCP/WS/MSRP or TCP/WSS/MSRP read from an older peer is not written back.
  const proto = canonicalProto(media.proto);
  const lines: SdpLine[] = [
    { type: 'm', value: `message ${media.port} ${proto} ${media.formats.join(' ') || '*'}` },
  ];
  if (media.port === 0) return lines;
  const a = (value: string): void => void lines.push({ type: 'a', value });
  if (media.title !== undefined)
    lines.push({ type: 'i', value: media.title.replace(/[\r\n]/g, ' ') });
  if (media.connection) {
    const c = media.connection;
    lines.push({ type: 'c', value: `${c.netType} ${c.addrType} ${c.address}` });
  }
  a(media.direction);
  // RFC 4975 §8.6: accept-types MUST be present in MSRP media.
  if (!Array.isArray(media.acceptTypes) || media.acceptTypes.length === 0) {
    throw new SdpError('SDP_ERR_INVALID_ARGUMENT', 'acceptTypes must name at least one type');
  }
  a(`accept-types:${checkTypes('acceptTypes', media.acceptTypes)}`);
  if (media.wrappedTypes.length > 0) {
    a(`accept-wrapped-types:${checkTypes('wrappedTypes', media.wrappedTypes)}`);
  }
  if (media.maxSize !== undefined) {
    if (!Number.isSafeInteger(media.maxSize) || media.maxSize < 0) {
      throw new SdpError('SDP_ERR_INVALID_ARGUMENT', `Invalid maxSize ${media.maxSize}`);
    }
    a(`max-size:${media.maxSize}`);
  }
  // RFC 4975 §8.2: the path attribute MUST be present.
  if (media.path.length === 0) throw new SdpError('SDP_ERR_INVALID_ARGUMENT', 'The path is empty');
  a(`path:${media.path.map(formatUri).join(' ')}`);
  if (media.setup !== undefined) a(`setup:${media.setup}`);
  if (media.connectionMode !== undefined) a(`connection:${media.connectionMode}`);
  if (media.cema) a('msrp-cema');
  if (media.chatroom) a(formatChatroom(media.chatroom));
  for (const f of media.fingerprints) {
    if (!/^\S+$/.test(f.algorithm) || !/^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})*$/.test(f.value)) {
      throw new SdpError(
        'SDP_ERR_INVALID_ARGUMENT',
        `Invalid fingerprint "${f.algorithm} ${f.value}"`,
      );
    }
    a(`fingerprint:${f.algorithm} ${f.value}`);
  }
  const file = media.file;
  if (file) {
    const selector = formatFileSelector(file.selector);
    a(selector === '' ? 'file-selector' : `file-selector:${selector}`);
    if (file.transferId !== undefined)
      a(`file-transfer-id:${token('file-transfer-id', file.transferId)}`);
    if (file.disposition !== undefined)
      a(`file-disposition:${token('file-disposition', file.disposition)}`);
    if (file.date !== undefined) a(`file-date:${formatFileDate(file.date)}`);
    if (file.icon !== undefined) {
      if (!/^\S+$/.test(file.icon))
        throw new SdpError('SDP_ERR_INVALID_ARGUMENT', `Invalid file icon "${file.icon}"`);
      a(`file-icon:${file.icon}`);
    }
    if (file.range !== undefined) a(`file-range:${file.range.start}-${file.range.stop}`);
  }
  return lines;
}
