// The bounds every XML body from a peer passes before a parser sees it: size, no markup
// declarations (so no entity can ever expand: no "billion laughs"), nesting depth, and
// namespace declarations (each element's scope holds them all); and the characters XML
// forbids, raw or referred to. The scan is one linear pass over the text, so a hostile body
// costs at most its (bounded) size.
import { MsrpError } from '../errors.js';

/** Bounds on a peer's XML body (IMDN, is-composing). */
export interface XmlLimits {
  /** Largest body, in bytes, checked before decoding or parsing; larger gets 413. Default 64 KiB. */
  maxBytes?: number;
  /** Deepest element nesting (the root is depth 1). Default 32. */
  maxDepth?: number;
  /**
   * Most namespace declarations (`xmlns` and `xmlns:*` attributes) in the whole document.
   * Default 64; an IMDN or is-composing document makes one to three.
   */
  maxNamespaceDeclarations?: number;
}

/** The defaults of {@link XmlLimits}: 64 KiB, 32 levels and 64 namespace declarations. */
export const DEFAULT_XML_LIMITS: Readonly<Required<XmlLimits>> = Object.freeze({
  maxBytes: 64 * 1024,
  maxDepth: 32,
  maxNamespaceDeclarations: 64,
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** An `MSRP_ERR_XML` error: a peer's fault, answered with `status` (400 unless told). */
export function xmlError(message: string, status = 400, cause?: unknown): MsrpError {
  return new MsrpError('MSRP_ERR_XML', message, { status, cause });
}

/**
 * Checks `bytes` against `limits` and returns them as text: size first (before any decoding),
 * then strict UTF-8 and XML characters, then a scan that refuses DOCTYPE, ENTITY and any other
 * `<!` declaration, nesting deeper than `maxDepth`, more than `maxNamespaceDeclarations`, and
 * a character reference that is malformed or names a character XML does not allow, and an
 * entity reference other than the five predefined ones (or a bare `&`).
 *
 * @throws {MsrpError} `MSRP_ERR_XML` (status 413 when too large, 400 otherwise).
 */
export function checkedXmlText(bytes: Uint8Array, limits: XmlLimits = {}): string {
  const maxBytes = limits.maxBytes ?? DEFAULT_XML_LIMITS.maxBytes;
  const maxDepth = limits.maxDepth ?? DEFAULT_XML_LIMITS.maxDepth;
  const maxNamespaces =
    limits.maxNamespaceDeclarations ?? DEFAULT_XML_LIMITS.maxNamespaceDeclarations;
  if (bytes.byteLength > maxBytes) {
    throw xmlError(`XML body of ${bytes.byteLength} bytes exceeds maxBytes ${maxBytes}`, 413);
  }
  let text: string;
  try {
    // IMDN and is-composing documents are UTF-8 (both schemas' examples declare it).
    text = utf8.decode(bytes);
  } catch (e) {
    throw xmlError('XML body is not valid UTF-8', 400, e);
  }
  const bad = notXmlChar(text);
  if (bad !== undefined) throw xmlError(`XML body is not well-formed: it holds ${bad}`);
  scanMarkup(text, maxDepth, maxNamespaces);
  return text;
}

/** A character outside XML 1.0's `Char` (§2.2): controls but TAB, LF, CR; lone surrogates. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The first character of `text` XML 1.0 does not allow, as `U+XXXX`; undefined when none. */
export function notXmlChar(text: string): string | undefined {
  const found = NOT_XML_CHAR.exec(text);
  if (found === null) return undefined;
  return `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** XML 1.0 §2.2 `Char`, for a code point. */
const isXmlChar = (c: number): boolean =>
  c === 0x09 ||
  c === 0x0a ||
  c === 0x0d ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  (c >= 0x10000 && c <= 0x10ffff);

/** XML 1.0 §4.1 `CharRef`: `&#` decimal digits `;`, or `&#x` hex digits `;`. */
const CHAR_REF = /&#(?:x([0-9a-fA-F]+)|([0-9]+));/y;
/** The entities every XML document has (§4.6): without a DTD, the only ones it may name. */
const PREDEFINED_REF = /&(?:amp|lt|gt|apos|quot);/y;

/** Checks the reference at `at` (its `&`). */
function checkReference(text: string, at: number): void {
  if (text.charCodeAt(at + 1) !== 0x23 /* # */) {
    PREDEFINED_REF.lastIndex = at;
    // XML 1.0 §4.1 "WFC: Entity Declared": with no DTD an entity reference MUST name one of
    // the predefined five (the parser would expand &nbsp; or &copy; as HTML does); §2.4: a
    // bare "&" is markup and MUST NOT stand for itself.
    if (!PREDEFINED_REF.test(text)) {
      throw xmlError(
        `XML body is not well-formed: ${JSON.stringify(text.slice(at, at + 12))} at offset ${at} is no predefined entity or character reference`,
      );
    }
    return;
  }
  CHAR_REF.lastIndex = at;
  const m = CHAR_REF.exec(text);
  if (m === null) {
    throw xmlError(`XML body is not well-formed: a bad character reference at offset ${at}`);
  }
  const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
  // XML 1.0 §4.1 "WFC: Legal Character": what a reference names MUST be a Char.
  if (!isXmlChar(code)) {
    throw xmlError(`XML body is not well-formed: ${m[0].slice(0, 16)} names no XML character`);
  }
}

/** XML 1.0 §2.3 `S`: space, tab, CR, LF. */
const isXmlSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

/** Whether an `xmlns` or `xmlns:prefix` attribute (Namespaces in XML §3) starts at `at`. */
function isXmlnsAt(text: string, at: number): boolean {
  if (!text.startsWith('xmlns', at)) return false;
  const next = text.charCodeAt(at + 5);
  return next === 0x3a /* : */ || next === 0x3d /* = */ || isXmlSpace(next);
}

/**
 * One pass over the markup: refuses declarations, counts depth and namespace declarations,
 * checks character references.
 */
function scanMarkup(text: string, maxDepth: number, maxNamespaces: number): void {
  let depth = 0;
  const namespaces = { count: 0, max: maxNamespaces };
  // The next `&` not yet passed: a reference in character data or a start tag (an attribute
  // value) is checked; in a comment, CDATA section or processing instruction it is just text.
  let ref = text.indexOf('&');
  const references = (to: number, check: boolean): void => {
    for (; ref >= 0 && ref < to; ref = text.indexOf('&', ref + 1)) {
      if (check) checkReference(text, ref);
    }
  };
  let i = 0;
  for (;;) {
    const lt = text.indexOf('<', i);
    references(lt < 0 ? text.length : lt, true);
    if (lt < 0) return;
    if (text.startsWith('<!--', lt)) {
      i = endOf(text, '-->', lt + 4, 'comment');
      references(i, false);
    } else if (text.startsWith('<![CDATA[', lt)) {
      i = endOf(text, ']]>', lt + 9, 'CDATA section');
      references(i, false);
    } else if (text.startsWith('<!', lt)) {
      // A DTD is where entities are declared; without one no entity can expand. Neither
      // RFC 5438 nor RFC 3994 documents have any use for one.
      throw xmlError('XML body has a DOCTYPE or other markup declaration; refused');
    } else if (text.startsWith('<?', lt)) {
      i = endOf(text, '?>', lt + 2, 'processing instruction');
      references(i, false);
    } else if (text.startsWith('</', lt)) {
      depth--;
      i = endOf(text, '>', lt + 2, 'end tag');
    } else {
      const gt = startTagEnd(text, lt + 1, namespaces);
      if (text.charCodeAt(gt - 1) !== 0x2f /* '/': an empty element */) {
        depth++;
        if (depth > maxDepth) throw xmlError(`XML nesting exceeds maxDepth ${maxDepth}`);
      }
      i = gt + 1;
      references(i, true);
    }
  }
}

function endOf(text: string, terminator: string, from: number, what: string): number {
  const at = text.indexOf(terminator, from);
  if (at < 0) throw xmlError(`XML body ends inside a ${what}`);
  return at + terminator.length;
}

/**
 * The index of the `>` closing a start tag, skipping `>` inside quoted attribute values;
 * counts the tag's namespace declarations into `namespaces`.
 */
function startTagEnd(
  text: string,
  from: number,
  namespaces: { count: number; readonly max: number },
): number {
  let quote = 0;
  for (let j = from; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3e) {
      return j;
    } else if (isXmlSpace(c) && isXmlnsAt(text, j + 1)) {
      namespaces.count++;
      if (namespaces.count > namespaces.max) {
        throw xmlError(
          `XML namespace declarations exceed maxNamespaceDeclarations ${namespaces.max}`,
        );
      }
    }
  }
  throw xmlError('XML body ends inside a start tag');
}
