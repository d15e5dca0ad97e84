import { parseUri, type MsrpUri } from '@msrp-ts/msrp-core/uri';
import { isAcceptType } from './accept-types.js';
import { parseChatroom, type Chatroom } from './chatroom.js';
import { SdpError, lineError, type SdpErrorCode } from './errors.js';
import {
  isToken,
  parseFileDate,
  parseFileRange,
  type FileDate,
  type FileDescription,
  type FileRange,
} from './file-description.js';
import { parseFileSelector, type FileSelector } from './file-selector.js';
import {
  parseMediaLine,
  sdpAttributes,
  type SdpAttribute,
  type SdpLine,
  type SessionDescription,
} from './session-description.js';
import { isSetupRole, type SetupRole } from './setup-role.js';

/**
 * Transport protocols of MSRP media lines that this package reads: TCP and TLS (RFC 4975
 * §8.1), and the `TCP/WS/MSRP` and `TCP/WSS/MSRP` that older WebSocket peers write. RFC 7977
 * §5.2.2 keeps WebSocket out of the m-line (`;ws` shows only in `a=path`), so this package
 * writes only `TCP/MSRP` and `TCP/TLS/MSRP` ({@link canonicalProto}).
 */
export type MsrpProto = 'TCP/MSRP' | 'TCP/TLS/MSRP' | 'TCP/WS/MSRP' | 'TCP/WSS/MSRP';

/** SDP direction attributes (RFC 3264 §5.1); `sendrecv` when none is given. */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** A `c=` line: `IN IP4 192.0.2.1` (RFC 8866 §5.7). */
export interface ConnectionData {
  readonly netType: string;
  /** `IP4` or `IP6` (or what the peer wrote). */
  readonly addrType: string;
  /** Address or host name, without any multicast `/ttl` suffix. */
  readonly address: string;
}

/** An `a=fingerprint` (RFC 8122 §5): `SHA-256 AB:CD:...`. */
export interface Fingerprint {
  /** Hash function, e.g. `SHA-256`. */
  readonly algorithm: string;
  /** Hex pairs joined by colons. */
  readonly value: string;
}

/**
 * The MSRP view of one `m=message` media section (RFC 4975 §8), with the session-level
 * attributes that apply to it already folded in.
 */
export interface MsrpMedia {
  /** Position of the section among all media sections of the description (0-based). */
  readonly index: number;
  /** The `m=` port; 0 means rejected or disabled (RFC 3264 §6). */
  readonly port: number;
  /** The `m=` proto as written, upper-cased; {@link canonicalProto} gives what it stands for. */
  readonly proto: MsrpProto;
  /** The `m=` formats; `*` for MSRP (RFC 4975 §8.1). */
  readonly formats: readonly string[];
  /** The `c=` of the section, else of the session. */
  readonly connection?: ConnectionData;
  /** `i=`: a title, e.g. of an offered file (RFC 5547 §8). */
  readonly title?: string;
  /** `a=path` (RFC 4975 §8.2): relays first, the endpoint's own URI last. */
  readonly path: readonly MsrpUri[];
  /** `a=accept-types` (RFC 4975 §8.6): what the side that wrote this section accepts. */
  readonly acceptTypes: readonly string[];
  /** `a=accept-wrapped-types` (RFC 4975 §8.6): types it accepts only inside a container. */
  readonly wrappedTypes: readonly string[];
  /** `a=max-size` (RFC 4975 §8.6): largest message it accepts, in octets. */
  readonly maxSize?: number;
  /** `a=setup` (RFC 6135), media-level or else session-level. */
  readonly setup?: SetupRole;
  /** `a=connection` (RFC 4145 §5, used by RFC 6135). */
  readonly connectionMode?: 'new' | 'existing';
  /** `a=msrp-cema` present (RFC 6714 §5). */
  readonly cema: boolean;
  /** `a=fingerprint` lines, media-level or else session-level (for `TCP/TLS/MSRP`). */
  readonly fingerprints: readonly Fingerprint[];
  /** Direction attribute of the section, else of the session, else `sendrecv`. */
  readonly direction: Direction;
  /** RFC 5547 file-transfer attributes, when `a=file-selector` is present. */
  readonly file?: FileDescription;
  /** `a=chatroom` (RFC 7701 §8): the side that wrote it is a chat room with these features. */
  readonly chatroom?: Chatroom;
}

const PROTOS: readonly string[] = ['TCP/MSRP', 'TCP/TLS/MSRP', 'TCP/WS/MSRP', 'TCP/WSS/MSRP'];
const DIRECTIONS: readonly string[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];
const FILE_ATTRIBUTES: readonly string[] = [
  'file-selector',
  'file-transfer-id',
  'file-disposition',
  'file-date',
  'file-icon',
  'file-range',
];

/** Whether an `m=` proto names MSRP, case-insensitively. */
export function isMsrpProto(proto: string): boolean {
  return PROTOS.includes(proto.toUpperCase());
}

function where(line: SdpLine): { number: number; text: string } {
  return { number: line.line ?? 0, text: `${line.type}=${line.value}` };
}

function fail(code: SdpErrorCode, line: SdpLine, why: string, cause?: unknown): SdpError {
  return lineError(code, where(line), why, cause);
}

/** The one attribute `name` among `attributes`; an error if it appears twice. */
function single(attributes: readonly SdpAttribute[], name: string): SdpAttribute | undefined {
  const found = attributes.filter((a) => a.name.toLowerCase() === name);
  if (found.length > 1) {
    throw fail('SDP_ERR_BAD_ATTRIBUTE', found[1]!.source, `more than one a=${name}`);
  }
  return found[0];
}

function valueOf(attribute: SdpAttribute): string {
  if (attribute.value === undefined) {
    throw fail('SDP_ERR_BAD_ATTRIBUTE', attribute.source, `a=${attribute.name} needs a value`);
  }
  return attribute.value.trim();
}

function parseConnection(line: SdpLine): ConnectionData {
  const m = /^(\S+) (\S+) ([^\s/]+)(?:\/\d+){0,2}$/.exec(line.value);
  if (!m) {
    throw fail('SDP_ERR_BAD_ATTRIBUTE', line, 'expected c=<nettype> <addrtype> <address>');
  }
  return { netType: m[1]!, addrType: m[2]!, address: m[3]! };
}

function parseTypes(attribute: SdpAttribute): string[] {
  const types = valueOf(attribute).split(/\s+/);
  const bad = types.find((t) => !isAcceptType(t));
  if (bad !== undefined) {
    throw fail(
      'SDP_ERR_BAD_ATTRIBUTE',
      attribute.source,
      `"${bad}" is not a media type (expected *, type/* or type/subtype)`,
    );
  }
  return types;
}

function parseFingerprint(attribute: SdpAttribute): Fingerprint {
  const m = /^(\S+)\s+([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})*)$/.exec(valueOf(attribute));
  if (!m) {
    throw fail(
      'SDP_ERR_BAD_ATTRIBUTE',
      attribute.source,
      'expected a=fingerprint:<hash-function> <hex pairs joined by ":">',
    );
  }
  return { algorithm: m[1]!, value: m[2]! };
}

/** Runs a value parser that throws a line-less SdpError, and names the line in its message. */
function onLine<T>(attribute: SdpAttribute, parse: (value: string) => T): T {
  try {
    return parse(attribute.value ?? '');
  } catch (e) {
    if (!(e instanceof SdpError)) throw e;
    throw fail('SDP_ERR_BAD_ATTRIBUTE', attribute.source, e.message, e);
  }
}

function parseFile(attributes: readonly SdpAttribute[]): FileDescription | undefined {
  const get = (name: string): SdpAttribute | undefined => single(attributes, name);
  const selectorAttr = get('file-selector');
  if (!selectorAttr) {
    const orphan = attributes.find((a) => FILE_ATTRIBUTES.includes(a.name.toLowerCase()));
    if (orphan) {
      throw fail(
        'SDP_ERR_BAD_ATTRIBUTE',
        orphan.source,
        `a=${orphan.name} without a=file-selector (RFC 5547 §6)`,
      );
    }
    return undefined;
  }
  const selector: FileSelector = onLine(selectorAttr, parseFileSelector);
  const token = (name: string): string | undefined => {
    const attr = get(name);
    if (!attr) return undefined;
    const value = valueOf(attr);
    if (!isToken(value)) throw fail('SDP_ERR_BAD_ATTRIBUTE', attr.source, 'expected a token');
    return value;
  };
  const transferId = token('file-transfer-id');
  const disposition = token('file-disposition');
  const dateAttr = get('file-date');
  const date: FileDate | undefined = dateAttr && onLine(dateAttr, parseFileDate);
  const iconAttr = get('file-icon');
  const icon = iconAttr && valueOf(iconAttr);
  const rangeAttr = get('file-range');
  const range: FileRange | undefined = rangeAttr && onLine(rangeAttr, parseFileRange);
  return {
    selector,
    ...(transferId !== undefined && { transferId }),
    ...(disposition !== undefined && { disposition }),
    ...(date !== undefined && { date }),
    ...(icon !== undefined && { icon }),
    ...(range !== undefined && { range }),
  };
}

function direction(attributes: readonly SdpAttribute[]): Direction | undefined {
  const found = attributes.filter((a) => DIRECTIONS.includes(a.name.toLowerCase()));
  if (found.length > 1) {
    throw fail('SDP_ERR_BAD_ATTRIBUTE', found[1]!.source, 'more than one direction attribute');
  }
  return found[0]?.name.toLowerCase() as Direction | undefined;
}

function setupOf(attributes: readonly SdpAttribute[]): SetupRole | undefined {
  const attr = single(attributes, 'setup');
  if (!attr) return undefined;
  const value = valueOf(attr).toLowerCase();
  if (!isSetupRole(value)) {
    throw fail(
      'SDP_ERR_BAD_ATTRIBUTE',
      attr.source,
      'a=setup must be active, passive, actpass or holdconn',
    );
  }
  return value;
}

function connectionModeOf(attributes: readonly SdpAttribute[]): 'new' | 'existing' | undefined {
  const attr = single(attributes, 'connection');
  if (!attr) return undefined;
  const value = valueOf(attr).toLowerCase();
  if (value !== 'new' && value !== 'existing') {
    throw fail('SDP_ERR_BAD_ATTRIBUTE', attr.source, 'a=connection must be new or existing');
  }
  return value;
}

/**
 * Reads every MSRP media section of a session description (RFC 4975 §8; RFC 5547, 6135,
 * 6714, 7977 attributes). Media sections of other kinds are skipped; their index still counts.
 * @throws {SdpError} `SDP_ERR_BAD_ATTRIBUTE` naming the offending line: a bad URI in
 * `a=path`, a malformed type, size, setup, fingerprint or file attribute, a repeated
 * single-valued attribute, or an accepted stream without the `a=path` or `a=accept-types`
 * that RFC 4975 §8.2 and §8.6 require.
 */
export function parseMsrpMedia(description: SessionDescription): MsrpMedia[] {
  const sessionAttributes = sdpAttributes(description.session);
  const sessionC = description.session.find((l) => l.type === 'c');
  const sessionConnection = sessionC && parseConnection(sessionC);
  const sessionFingerprints = sessionAttributes
    .filter((a) => a.name.toLowerCase() === 'fingerprint')
    .map(parseFingerprint);
  const sessionDirection = direction(sessionAttributes);
  const sessionSetup = setupOf(sessionAttributes);

  const result: MsrpMedia[] = [];
  description.media.forEach((section, index) => {
    const mLine = section.lines[0]!;
    const m = parseMediaLine(mLine);
    if (m.media.toLowerCase() !== 'message' || !isMsrpProto(m.proto)) return;
    const attributes = sdpAttributes(section.lines);
    const c = section.lines.find((l) => l.type === 'c');
    const connection = c ? parseConnection(c) : sessionConnection;
    const title = section.lines.find((l) => l.type === 'i')?.value;

    const pathAttr = single(attributes, 'path');
    const path = pathAttr
      ? valueOf(pathAttr)
          .split(/\s+/)
          .map((text) => {
            try {
              return parseUri(text);
            } catch (e) {
              throw fail('SDP_ERR_BAD_ATTRIBUTE', pathAttr.source, (e as Error).message, e);
            }
          })
      : [];
    const acceptAttr = single(attributes, 'accept-types');
    const wrappedAttr = single(attributes, 'accept-wrapped-types');
    const maxSizeAttr = single(attributes, 'max-size');
    let maxSize: number | undefined;
    if (maxSizeAttr) {
      const text = valueOf(maxSizeAttr);
      maxSize = Number(text);
      if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(maxSize)) {
        throw fail('SDP_ERR_BAD_ATTRIBUTE', maxSizeAttr.source, 'a=max-size must be an integer');
      }
    }
    if (m.port !== 0) {
      // RFC 4975 §8.2: the path attribute MUST be present; §8.6: so MUST accept-types.
      if (!pathAttr) throw fail('SDP_ERR_BAD_ATTRIBUTE', mLine, 'MSRP media without a=path');
      if (!acceptAttr) {
        throw fail('SDP_ERR_BAD_ATTRIBUTE', mLine, 'MSRP media without a=accept-types');
      }
    }
    const fingerprints = attributes
      .filter((a) => a.name.toLowerCase() === 'fingerprint')
      .map(parseFingerprint);
    const file = parseFile(attributes);
    const setup = setupOf(attributes) ?? sessionSetup;
    const connectionMode = connectionModeOf(attributes);
    const chatroomAttr = single(attributes, 'chatroom');
    const chatroom = chatroomAttr && onLine(chatroomAttr, parseChatroom);
    result.push({
      index,
      port: m.port,
      proto: m.proto.toUpperCase() as MsrpProto,
      formats: m.formats,
      ...(connection && { connection }),
      ...(title !== undefined && { title }),
      path,
      acceptTypes: acceptAttr ? parseTypes(acceptAttr) : [],
      wrappedTypes: wrappedAttr ? parseTypes(wrappedAttr) : [],
      ...(maxSize !== undefined && { maxSize }),
      ...(setup && { setup }),
      ...(connectionMode && { connectionMode }),
      cema: attributes.some((a) => a.name.toLowerCase() === 'msrp-cema'),
      fingerprints: fingerprints.length > 0 ? fingerprints : sessionFingerprints,
      direction: direction(attributes) ?? sessionDirection ?? 'sendrecv',
      ...(file && { file }),
      ...(chatroom && { chatroom }),
    });
  });
  return result;
}

/**
 * The first MSRP media section of a session description.
 * @throws {SdpError} `SDP_ERR_NO_MSRP` when there is none; as {@link parseMsrpMedia} otherwise.
 */
export function findMsrpMedia(description: SessionDescription): MsrpMedia {
  const media = parseMsrpMedia(description)[0];
  if (!media) {
    const found = description.media.map((m) => `m=${m.lines[0]!.value}`).join(', ');
    throw new SdpError(
      'SDP_ERR_NO_MSRP',
      `No MSRP media (m=message ... TCP/MSRP *) in the session description${found ? `; it has ${found}` : ''}`,
    );
  }
  return media;
}
