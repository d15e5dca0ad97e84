// message/cpim (RFC 3862 §2): [MIME headers, blank line,] metadata headers, blank line, the
// encapsulated MIME object (its headers, blank line, body). Within MSRP the outer MIME
// headers are the frame's own Content-Type, so a SEND body starts at the metadata.
import { MsrpError } from '../errors.js';
import { concatBytes, decodeUtf8 } from '../wire/bytes.js';
import { mediaTypeOf, parseContentType, type ContentType } from '../wire/content-type.js';
import { parseCpimDateTime, type CpimDateTime } from './cpim-datetime.js';
import {
  CPIM_HEADERS_NS,
  parseAddress,
  parseCpimHeader,
  parseNamespace,
  parseRequire,
  splitHeaderName,
  type CpimAddress,
  type CpimHeader,
  type CpimNamespace,
} from './cpim-header.js';
import { LineReader, type CpimLimits } from './cpim-lines.js';
import { mimeField, parseMimeFields, type MimeField } from './cpim-mime.js';
import { decodeCharset } from './text-charset.js';

/** A header name in a namespace: what a receiver knows, independent of the sender's prefix. */
export interface CpimName {
  /** The namespace URI, e.g. `urn:ietf:params:imdn`. */
  readonly namespace: string;
  /** The name without prefix, e.g. `Message-ID`. Case-sensitive. */
  readonly name: string;
}

/** A Subject header: its text (escapes decoded) and its `;lang=` when given. */
export interface CpimSubject {
  readonly text: string;
  readonly lang?: string | undefined;
}

/** A name listed by `Require`, with the namespace its prefix resolved to where Require stood. */
interface Required {
  readonly name: string;
  readonly namespace: string | undefined;
  readonly localName: string;
}

/** Headers RFC 3862 defines: a receiver always understands them. */
const CORE_HEADERS = new Set(['From', 'To', 'cc', 'DateTime', 'Subject', 'NS', 'Require']);

/**
 * A parsed `message/cpim` body. Every header keeps its raw bytes, so that
 * {@link formatCpim} gives back the input octet for octet (with CRLF line ends); the
 * standard headers (From, To, cc, DateTime, Subject, NS, Require) are parsed and checked.
 * Obtain one with {@link parseCpim} or {@link createCpim}.
 */
export class CpimMessage {
  /** The outer MIME headers (`Content-Type: message/cpim`) when the bytes had them; else empty. */
  readonly mimeHeaders: readonly MimeField[];
  /** The metadata headers in order, as received. */
  readonly headers: readonly CpimHeader[];
  /** The headers of the encapsulated MIME object (Content-Type...), in order. */
  readonly contentHeaders: readonly MimeField[];
  /** The encapsulated body, bytes as received (a view of the parsed input). */
  readonly body: Uint8Array;
  /** The NS declarations, in order. */
  readonly namespaces: readonly CpimNamespace[];
  /** The header names listed by `Require` headers, as written. */
  readonly require: readonly string[];
  /** The From header, if present (RFC 3862 §4.1). */
  readonly from: CpimAddress | undefined;
  /** The To headers (§4.2). */
  readonly to: readonly CpimAddress[];
  /** The cc headers (§4.3). */
  readonly cc: readonly CpimAddress[];
  /** The DateTime header, if present (§4.4). */
  readonly dateTime: CpimDateTime | undefined;
  /** The Subject headers, one per language (§4.5). */
  readonly subjects: readonly CpimSubject[];
  readonly #required: readonly Required[];

  /** @internal Use {@link parseCpim} or {@link createCpim}. */
  constructor(
    mimeHeaders: readonly MimeField[],
    metadataLines: readonly Uint8Array[],
    contentHeaders: readonly MimeField[],
    body: Uint8Array,
  ) {
    this.mimeHeaders = mimeHeaders;
    this.contentHeaders = contentHeaders;
    this.body = body;
    const namespaces: CpimNamespace[] = [];
    const bound = new Map<string | undefined, string>([[undefined, CPIM_HEADERS_NS]]);
    const resolve = (prefix: string | undefined): string | undefined => bound.get(prefix);
    const headers: CpimHeader[] = [];
    const required: Required[] = [];
    const to: CpimAddress[] = [];
    const cc: CpimAddress[] = [];
    const subjects: CpimSubject[] = [];
    let from: CpimAddress | undefined;
    let dateTime: CpimDateTime | undefined;
    for (const line of metadataLines) {
      const h = parseCpimHeader(line, resolve);
      headers.push(h);
      if (h.namespace !== CPIM_HEADERS_NS) continue;
      switch (h.localName) {
        case 'NS': {
          // RFC 3862 §4.6: a prefix names the namespace for the headers after it.
          const ns = parseNamespace(h.value);
          namespaces.push(ns);
          bound.set(ns.prefix, ns.uri);
          break;
        }
        case 'Require':
          for (const name of parseRequire(h.value)) {
            const [prefix, localName] = splitHeaderName(name)!;
            required.push({ name, namespace: resolve(prefix), localName });
          }
          break;
        case 'From':
          from ??= parseAddress(h.value, 'From');
          break;
        case 'To':
          to.push(parseAddress(h.value, 'To'));
          break;
        case 'cc':
          cc.push(parseAddress(h.value, 'cc'));
          break;
        case 'DateTime':
          dateTime ??= parseCpimDateTime(h.value);
          break;
        case 'Subject': {
          const lang = h.params.find((p) => p.name === 'lang')?.value;
          subjects.push(lang === undefined ? { text: h.text } : { text: h.text, lang });
          break;
        }
      }
    }
    this.headers = headers;
    this.namespaces = namespaces;
    this.#required = required;
    this.require = required.map((r) => r.name);
    this.from = from;
    this.to = to;
    this.cc = cc;
    this.dateTime = dateTime;
    this.subjects = subjects;
  }

  /**
   * The first metadata header `name` of `namespace`, whatever prefix the sender bound it to
   * (RFC 3862 §3.4: a receiver matches names by namespace, never by prefix).
   *
   * @example
   * ```ts
   * message.get('urn:ietf:params:imdn', 'Message-ID')?.text;  // with `imdn.` or `foo.`
   * ```
   */
  get(namespace: string, name: string): CpimHeader | undefined {
    return this.headers.find((h) => h.namespace === namespace && h.localName === name);
  }

  /** Every metadata header `name` of `namespace`, in order. */
  getAll(namespace: string, name: string): CpimHeader[] {
    return this.headers.filter((h) => h.namespace === namespace && h.localName === name);
  }

  /**
   * The names listed by `Require` that are not in `known` (nor headers RFC 3862 defines), as
   * written. RFC 3862 §3.5, §4.7: Require names the headers a receiver must understand to process
   * the message; a caller refuses the message when this is not empty.
   */
  unsupportedRequired(known: Iterable<CpimName>): string[] {
    const keys = new Set<string>();
    for (const k of known) keys.add(`${k.namespace} ${k.name}`);
    return this.#required
      .filter((r) => {
        if (r.namespace === undefined) return true;
        if (r.namespace === CPIM_HEADERS_NS && CORE_HEADERS.has(r.localName)) return false;
        return !keys.has(`${r.namespace} ${r.localName}`);
      })
      .map((r) => r.name);
  }

  /** The value of the encapsulated object's header `name` (case-insensitive), if present. */
  contentHeader(name: string): string | undefined {
    return mimeField(this.contentHeaders, name);
  }

  /** The encapsulated object's Content-Type, when present and well-formed. */
  get contentType(): ContentType | undefined {
    const value = this.contentHeader('Content-Type');
    return value === undefined ? undefined : parseContentType(value);
  }

  /**
   * Whether the body is text: `text/*`, XML or JSON media types. An encapsulated object
   * without Content-Type is text/plain (RFC 2045 §5.2).
   */
  get isText(): boolean {
    if (this.contentHeader('Content-Type') === undefined) return true;
    const ct = this.contentType;
    if (ct === undefined) return false;
    const media = mediaTypeOf(ct);
    return (
      ct.type.toLowerCase() === 'text' ||
      /\+(xml|json)$/.test(media) ||
      media === 'application/xml' ||
      media === 'application/json'
    );
  }

  /**
   * The body decoded as text in its charset (UTF-8 when none is given). Throws an
   * MsrpError `MSRP_ERR_CPIM` when the body is not text ({@link isText}) or its charset is
   * unknown: a binary body stays bytes, read it from {@link body}.
   */
  text(): string {
    if (!this.isText) {
      throw new MsrpError('MSRP_ERR_CPIM', 'message/cpim: the encapsulated body is not text');
    }
    return decodeCharset(
      this.body,
      this.contentType,
      (label, cause) =>
        new MsrpError('MSRP_ERR_CPIM', `message/cpim: unknown charset ${label}`, { cause }),
    );
  }
}

/** Options of {@link parseCpim}. */
export type ParseCpimOptions = CpimLimits;

/**
 * Parses a `message/cpim` body. The bytes may start with the outer MIME headers
 * (`Content-Type: message/cpim` and a blank line), or directly with the metadata headers as
 * in an MSRP SEND. LF-only line ends are accepted. The body and each header's `raw` are
 * views of `bytes`: do not reuse `bytes` while the message is in use. The first From and
 * DateTime count when a peer repeats them; an inner Content-Length is kept as a header, and
 * the body is everything after the content headers' blank line.
 *
 * Throws an MsrpError `MSRP_ERR_CPIM` (status 400) naming what is wrong: a missing blank
 * line, a header without a colon, a broken NS, a bad From/To/cc or DateTime, more than
 * `maxHeaders` lines or `maxHeaderBytes` bytes of headers.
 *
 * @example
 * ```ts
 * const m = parseCpim(incoming.body);
 * if (m.unsupportedRequired(KNOWN).length > 0) refuse();
 * console.log(m.from?.uri, m.dateTime?.date, m.isText ? m.text() : m.body);
 * ```
 */
export function parseCpim(bytes: Uint8Array, options: ParseCpimOptions = {}): CpimMessage {
  const reader = new LineReader(bytes, options);
  let first = reader.block('metadata headers');
  let mimeHeaders: MimeField[] = [];
  if (isOuterMime(first)) {
    mimeHeaders = parseMimeFields(first, 'MIME header');
    first = reader.block('metadata headers');
  }
  const content = parseMimeFields(reader.block('content headers'), 'content header');
  return new CpimMessage(mimeHeaders, first, content, reader.rest());
}

/** Whether a first header block is the outer MIME one: it declares message/cpim. */
function isOuterMime(lines: readonly Uint8Array[]): boolean {
  for (const line of lines) {
    const text = decodeUtf8(line, 0, Math.min(line.length, 200));
    const m = /^content-type[ \t]*:(.*)$/i.exec(text);
    if (m === null) continue;
    const ct = parseContentType(m[1]!);
    if (ct !== undefined && mediaTypeOf(ct) === 'message/cpim') return true;
  }
  return false;
}

const CRLF = new Uint8Array([0x0d, 0x0a]);

/**
 * The bytes of `message`: each header as received (or built), CRLF line ends always
 * (RFC 3862 §3.6), then the body unchanged. For a parsed CRLF input, the same octets.
 */
export function formatCpim(message: CpimMessage): Uint8Array {
  const parts: Uint8Array[] = [];
  const block = (lines: Iterable<Uint8Array>): void => {
    for (const line of lines) parts.push(line, CRLF);
    parts.push(CRLF);
  };
  if (message.mimeHeaders.length > 0) block(message.mimeHeaders.flatMap((f) => f.raw));
  block(message.headers.map((h) => h.raw));
  block(message.contentHeaders.flatMap((f) => f.raw));
  parts.push(message.body);
  return concatBytes(parts);
}

/** @internal For the builder: an error about a caller's argument, not a peer's bytes. */
export function invalidCpim(message: string): MsrpError {
  return new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `createCpim: ${message}`);
}
