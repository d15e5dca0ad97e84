import { SdpError, lineError } from './errors.js';

/** One `<type>=<value>` line of a session description (RFC 8866 §5), as written. */
export interface SdpLine {
  /** The one-letter type: `v`, `o`, `s`, `c`, `m`, `a`... */
  readonly type: string;
  /** Everything after `=`, verbatim. */
  readonly value: string;
  /** 1-based line number in the parsed text; absent on lines built in code. */
  readonly line?: number;
}

/** A media section: its `m=` line and every line up to the next `m=` (RFC 8866 §5). */
export interface MediaDescription {
  /** The section's lines in order; the first is the `m=` line. */
  readonly lines: readonly SdpLine[];
}

/**
 * A session description, kept line by line so that {@link serializeSdp} gives back the
 * text {@link parseSdp} read: unknown lines and attributes stay where they were.
 */
export interface SessionDescription {
  /** The session-level lines, from `v=` up to the first `m=`. */
  readonly session: readonly SdpLine[];
  /** The media sections in order. */
  readonly media: readonly MediaDescription[];
  /**
   * The line ending: CRLF as RFC 8866 §5 writes it, or a bare LF, which parsers accept.
   * A text that mixes both is written back with the ending of its first line.
   */
  readonly eol: '\r\n' | '\n';
  /** What followed the last line: its line ending (usually) and any empty lines. */
  readonly trailer: string;
}

/** The fields of an `m=` line (RFC 8866 §5.14). */
export interface MediaLine {
  /** Media type: `message` for MSRP, `audio`, `video`... */
  readonly media: string;
  /** Transport port; 0 rejects or disables the stream (RFC 3264 §6). */
  readonly port: number;
  /** The `/<number of ports>` suffix, when present. */
  readonly portCount?: number;
  /** Transport protocol, e.g. `TCP/MSRP`. */
  readonly proto: string;
  /** Media formats; `*` for MSRP (RFC 4975 §8.1). */
  readonly formats: readonly string[];
}

/** An `a=` line split at its first colon (RFC 8866 §5.13). */
export interface SdpAttribute {
  /** Attribute name, as written. */
  readonly name: string;
  /** Attribute value; absent for property attributes such as `a=sendonly`. */
  readonly value?: string;
  /** The line it came from. */
  readonly source: SdpLine;
}

const LINE = /^([a-z])=(.*)$/s;

/**
 * Parses a session description (RFC 8866). Every line is kept in order, including types and
 * attributes this package does not interpret; both CRLF and bare LF line ends are read.
 * @throws {SdpError} `SDP_ERR_SYNTAX` naming the first line that is not `<type>=<value>`,
 * or when the text does not begin with `v=0`; `SDP_ERR_INVALID_ARGUMENT` when it is no string.
 */
export function parseSdp(text: string): SessionDescription {
  checkText(text, 'parseSdp');
  const firstBreak = text.indexOf('\n');
  const eol = firstBreak < 0 || text[firstBreak - 1] === '\r' ? '\r\n' : '\n';
  // Empty lines at the end belong to the transport (a SIP body often ends with one); they
  // are kept as the trailer so that the text round-trips. Scanned from the end: a regex such
  // as /(?:\r?\n)*$/ retries at every offset of a long run of empty lines, quadratic in it.
  let end = text.length;
  while (text.charCodeAt(end - 1) === 0x0a) {
    end--;
    if (text.charCodeAt(end - 1) === 0x0d) end--;
  }
  const trailer = text.slice(end);
  const content = text.slice(0, end);
  const rawLines = content === '' ? [] : content.split(/\r?\n/);

  const session: SdpLine[] = [];
  const media: { lines: SdpLine[] }[] = [];
  rawLines.forEach((raw, i) => {
    const number = i + 1;
    const m = LINE.exec(raw);
    // RFC 8866 §5: "<type>=<value>", where <type> MUST be exactly one case-significant
    // character and whitespace MUST NOT be used on either side of the "=" sign.
    if (!m || raw.includes('\r') || raw.includes('\0')) {
      throw lineError(
        'SDP_ERR_SYNTAX',
        { number, text: raw },
        'not an SDP line of the form <type>=<value>',
      );
    }
    const line: SdpLine = { type: m[1]!, value: m[2]!, line: number };
    if (number === 1 && (line.type !== 'v' || line.value !== '0')) {
      // RFC 8866 §5.1: the description begins with "v=0".
      throw lineError('SDP_ERR_SYNTAX', { number, text: raw }, 'SDP must begin with v=0');
    }
    if (line.type === 'm') media.push({ lines: [line] });
    else (media.at(-1)?.lines ?? session).push(line);
  });
  if (session.length === 0) throw new SdpError('SDP_ERR_SYNTAX', 'Empty session description');
  return { session, media, eol, trailer };
}

/**
 * Writes a session description as text: the lines in order, joined by its `eol`, then its
 * trailer. The inverse of {@link parseSdp}: `serializeSdp(parseSdp(x)) === x` for any `x`
 * that uses one kind of line ending.
 */
export function serializeSdp(description: SessionDescription): string {
  const lines = [...description.session, ...description.media.flatMap((m) => m.lines)];
  return lines.map((l) => `${l.type}=${l.value}`).join(description.eol) + description.trailer;
}

/**
 * Parses the value of an `m=` line: `<media> <port>[/<number of ports>] <proto> <fmt> ...`.
 * @throws {SdpError} `SDP_ERR_BAD_ATTRIBUTE` naming the line when a field is missing or
 * the port is not a number.
 */
export function parseMediaLine(line: SdpLine): MediaLine {
  const fields = line.value.split(' ');
  const [media, portField, proto, ...formats] = fields;
  const where = { number: line.line ?? 0, text: `m=${line.value}` };
  if (media === undefined || portField === undefined || proto === undefined || media === '') {
    throw lineError('SDP_ERR_BAD_ATTRIBUTE', where, 'expected m=<media> <port> <proto> <fmt> ...');
  }
  const port = /^(\d{1,5})(?:\/(\d{1,5}))?$/.exec(portField);
  if (!port || Number(port[1]) > 65535) {
    throw lineError('SDP_ERR_BAD_ATTRIBUTE', where, `invalid port "${portField}"`);
  }
  return {
    media,
    port: Number(port[1]),
    ...(port[2] !== undefined && { portCount: Number(port[2]) }),
    proto,
    formats,
  };
}

/** The attributes (`a=` lines) among `lines`, in order. */
export function sdpAttributes(lines: readonly SdpLine[]): SdpAttribute[] {
  const attributes: SdpAttribute[] = [];
  for (const source of lines) {
    if (source.type !== 'a') continue;
    const colon = source.value.indexOf(':');
    attributes.push(
      colon < 0
        ? { name: source.value, source }
        : { name: source.value.slice(0, colon), value: source.value.slice(colon + 1), source },
    );
  }
  return attributes;
}

/**
 * Throws when `text` is no string: from JavaScript a caller may pass what a SIP stack gave,
 * `null` or a Buffer, which would fail deep inside with a TypeError.
 * @throws {SdpError} `SDP_ERR_INVALID_ARGUMENT` naming `what` and the type given.
 */
export function checkText(text: unknown, what: string): asserts text is string {
  if (typeof text !== 'string') {
    throw new SdpError('SDP_ERR_INVALID_ARGUMENT', `${what} takes a string, not ${kindOf(text)}`);
  }
}

/**
 * The description `sdp` stands for: parsed when it is text, as it is when already parsed.
 * From JavaScript a caller may pass a Buffer or `null`, which would fail deep inside with a
 * TypeError.
 * @throws {SdpError} `SDP_ERR_INVALID_ARGUMENT` naming `what` and the type given when `sdp`
 * is neither; the errors of {@link parseSdp} for malformed text.
 */
export function toDescription(sdp: unknown, what: string): SessionDescription {
  if (typeof sdp === 'string') return parseSdp(sdp);
  if (isDescription(sdp)) return sdp;
  throw new SdpError(
    'SDP_ERR_INVALID_ARGUMENT',
    `${what} takes SDP text or a SessionDescription, not ${kindOf(sdp)}`,
  );
}

/** Whether `value` has the lists of a {@link SessionDescription}. */
function isDescription(value: unknown): value is SessionDescription {
  if (typeof value !== 'object' || value === null) return false;
  const d = value as { readonly session?: unknown; readonly media?: unknown };
  return Array.isArray(d.session) && Array.isArray(d.media);
}

/** What a wrong argument is, for an error message. */
function kindOf(value: unknown): string {
  return value === null
    ? 'null'
    : value instanceof Uint8Array
      ? 'bytes (decode them)'
      : typeof value;
}
