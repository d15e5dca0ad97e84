import { SdpError } from './errors.js';
import { checkText } from './session-description.js';

interface Headers {
  /** Lower-cased full header names (compact forms expanded) to their first value. */
  readonly fields: ReadonlyMap<string, string>;
}

interface MediaType {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
}

/** RFC 3261 §7.3.3 compact forms of the headers that locate a body. */
const COMPACT: Readonly<Record<string, string>> = { c: 'content-type', l: 'content-length' };
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();
const REQUEST_LINE = /^[A-Za-z!%*_+`'~.-]+ \S+ SIP\/2\.0$/i;
const STATUS_LINE = /^SIP\/2\.0 \d{3}(?: .*)?$/i;
/**
 * How many multipart bodies, one inside another, are read. RFC 2046 and RFC 5621 set no
 * bound; real SIP bodies nest two or three deep (multipart/alternative inside
 * multipart/mixed), and a bound keeps a hostile body from exhausting the stack.
 */
const MAX_MULTIPART_DEPTH = 16;

/** Header lines (start line excluded) to fields, with folded lines joined (RFC 3261 §7.3.1). */
function parseHeaders(lines: readonly string[]): Headers {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && last !== undefined) {
      fields.set(last, `${fields.get(last)!} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // not a header; a lenient reader skips it
    const raw = line.slice(0, colon).trim().toLowerCase();
    const name = COMPACT[raw] ?? raw;
    // The first occurrence counts: these headers are single-valued.
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
    last = name;
  }
  return { fields };
}

/** `type/subtype; name=value; name="quoted value"` to its parts. */
function parseMediaType(value: string): MediaType {
  const params = new Map<string, string>();
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g;
  const semi = value.indexOf(';');
  const type = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  for (const m of (semi < 0 ? '' : value.slice(semi)).matchAll(re)) {
    params.set(m[1]!.toLowerCase(), m[2]?.replace(/\\(.)/g, '$1') ?? m[3]!);
  }
  return { type, params };
}

/** Splits at the first empty line: header lines and the rest. */
function splitHead(text: string): { lines: string[]; body: string } | undefined {
  const end = /\r?\n\r?\n/.exec(text);
  if (!end) return undefined;
  return {
    lines: text.slice(0, end.index).split(/\r?\n/),
    body: text.slice(end.index + end[0].length),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The body parts of a multipart body (RFC 2046 §5.1.1): what lies between `--boundary`
 * delimiter lines, the CRLF before each delimiter belonging to the delimiter.
 */
function multipartParts(body: string, boundary: string): string[] {
  // RFC 2046 §5.1.1: a delimiter is "--" boundary at the start of a line, possibly followed
  // by white space (transport padding); the close delimiter adds "--".
  const delimiter = new RegExp(
    `(?:^|\\r?\\n)--${escapeRegExp(boundary)}(--)?[ \\t]*(?:\\r?\\n|$)`,
    'g',
  );
  const parts: string[] = [];
  let start: number | undefined;
  let closed = false;
  for (const m of body.matchAll(delimiter)) {
    if (start !== undefined) parts.push(body.slice(start, m.index));
    if (m[1] !== undefined) {
      closed = true;
      break;
    }
    start = m.index + m[0].length;
  }
  if (start === undefined) {
    throw new SdpError(
      'SDP_ERR_BAD_MULTIPART',
      `Multipart body has no "--${boundary}" delimiter line`,
    );
  }
  if (!closed) {
    throw new SdpError(
      'SDP_ERR_BAD_MULTIPART',
      `Multipart body has no closing "--${boundary}--" delimiter (truncated?)`,
    );
  }
  return parts;
}

/**
 * Finds `application/sdp` in a body of the given Content-Type, through nested multiparts;
 * `depth` counts the multipart bodies around this one.
 */
function sdpOfBody(contentType: string, body: string, where: string, depth = 0): string {
  const media = parseMediaType(contentType);
  if (media.type === 'application/sdp') return body;
  if (!media.type.startsWith('multipart/')) {
    throw new SdpError('SDP_ERR_NO_SDP', `${where} is ${media.type}, not application/sdp`);
  }
  const boundary = media.params.get('boundary');
  if (boundary === undefined || boundary === '') {
    throw new SdpError('SDP_ERR_BAD_MULTIPART', `${where} is ${media.type} without a boundary`);
  }
  if (depth >= MAX_MULTIPART_DEPTH) {
    throw new SdpError(
      'SDP_ERR_BAD_MULTIPART',
      `${where} nests multipart bodies more than ${MAX_MULTIPART_DEPTH} deep`,
    );
  }
  const parts = multipartParts(body, boundary);
  const types: string[] = [];
  for (const [i, part] of parts.entries()) {
    // A part may have no header at all: then it starts with its empty line.
    const head =
      part.startsWith('\n') || part.startsWith('\r\n')
        ? { lines: [], body: part.replace(/^\r?\n/, '') }
        : splitHead(part);
    if (!head) {
      throw new SdpError(
        'SDP_ERR_BAD_MULTIPART',
        `Part ${i + 1} of the ${media.type} body has no empty line after its headers`,
      );
    }
    // RFC 2046 §5.1: a part without Content-Type is text/plain.
    const partType = parseHeaders(head.lines).fields.get('content-type') ?? 'text/plain';
    const partMedia = parseMediaType(partType).type;
    if (partMedia === 'application/sdp' || partMedia.startsWith('multipart/')) {
      try {
        return sdpOfBody(partType, head.body, `part ${i + 1} of the ${media.type} body`, depth + 1);
      } catch (e) {
        if (!(e instanceof SdpError) || e.code !== 'SDP_ERR_NO_SDP') throw e;
      }
    }
    types.push(partMedia);
  }
  throw new SdpError(
    'SDP_ERR_NO_SDP',
    `No application/sdp part in the ${media.type} body (parts: ${types.join(', ') || 'none'})`,
  );
}

/**
 * The session description carried by a SIP message (RFC 3261 request or response), or the
 * text itself when it is already bare SDP (begins with `v=`). The body is found by
 * Content-Type and Content-Length (or their compact forms `c:` and `l:`), inside
 * `multipart/mixed`, `multipart/alternative` or other multipart bodies (RFC 2046, RFC 5621)
 * when needed, up to 16 multipart bodies deep; CRLF and bare LF line ends are both read.
 *
 * @throws {SdpError} `SDP_ERR_BAD_SIP` when the text is neither SIP nor SDP or its header
 * section never ends; `SDP_ERR_NO_SDP` when the message has no body, or a body without
 * SDP (the message says what it found instead); `SDP_ERR_BAD_MULTIPART` when a multipart
 * body has no boundary, is not delimited by it or nests more than 16 multipart bodies deep
 * (a bound against stack exhaustion); `SDP_ERR_INVALID_ARGUMENT` when the message is no
 * string.
 */
export function extractSdp(message: string): string {
  checkText(message, 'extractSdp');
  // RFC 5626 keep-alives may put empty lines before a message on a stream.
  const text = message.replace(/^(?:\r?\n)+/, '');
  if (text.startsWith('v=')) return text;
  const firstLine = /^[^\r\n]*/.exec(text)![0];
  if (!REQUEST_LINE.test(firstLine) && !STATUS_LINE.test(firstLine)) {
    throw new SdpError(
      'SDP_ERR_BAD_SIP',
      `Neither a SIP message nor SDP: first line is "${firstLine.slice(0, 80)}"`,
      { line: 1, text: firstLine },
    );
  }
  const head = splitHead(text);
  if (!head) {
    throw new SdpError(
      'SDP_ERR_BAD_SIP',
      'SIP message header section does not end (no empty line before the body)',
    );
  }
  const { fields } = parseHeaders(head.lines.slice(1));
  let body = head.body;
  const lengthText = fields.get('content-length');
  if (lengthText !== undefined) {
    if (!/^\d+$/.test(lengthText)) {
      throw new SdpError('SDP_ERR_BAD_SIP', `Invalid Content-Length "${lengthText}"`);
    }
    // Content-Length counts octets (RFC 3261 §20.14), not UTF-16 code units. A message whose
    // CRLFs were turned into LFs (copied from a log) is shorter than it says: take it all.
    // TextEncoder, not Buffer: this package runs in browsers too.
    const bytes = utf8Encoder.encode(body);
    const length = Number(lengthText);
    if (length < bytes.length) body = utf8Decoder.decode(bytes.subarray(0, length));
  }
  const contentType = fields.get('content-type');
  if (body === '') {
    throw new SdpError('SDP_ERR_NO_SDP', `SIP message "${firstLine}" has no body`);
  }
  if (contentType === undefined) {
    throw new SdpError(
      'SDP_ERR_NO_SDP',
      `SIP message "${firstLine}" has a body without Content-Type`,
    );
  }
  return sdpOfBody(contentType, body, 'the SIP message body');
}
