// A namespaced element tree over fast-xml-parser, for the small XML documents of chat (IMDN,
// is-composing). Elements are matched by (namespace, local name), never by prefix: a peer
// may bind any prefix, or none, to the namespace (Namespaces in XML §6).
import type { XMLBuilder, XMLParser } from 'fast-xml-parser';
// Loaded on first use on Node (see node/xml-library.ts), statically elsewhere.
import { xmlLibrary } from '#xml-library';
import { MsrpError } from '../errors.js';
import {
  checkedXmlText,
  DEFAULT_XML_LIMITS,
  notXmlChar,
  xmlError,
  type XmlLimits,
} from './xml-limits.js';

/** One element: its namespace (undefined when none is in scope), local name, content. */
export interface XmlElement {
  readonly ns: string | undefined;
  readonly name: string;
  readonly children: readonly XmlElement[];
  /** The element's own text (character data and CDATA), untrimmed. */
  readonly text: string;
}

/** A node of fast-xml-parser's `preserveOrder` output. */
type OrderedNode = Record<string, unknown>;

const ATTRIBUTES = ':@';
const TEXT = '#text';

// Namespaces in XML 1.0 §3: `xml` is bound to this name by definition, undeclared;
// `xmlns` is bound to the other and is never declared.
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
/** The scope a document starts in: only `xml` bound. */
const DOCUMENT_SCOPE: ReadonlyMap<string, string> = new Map([['xml', XML_NS]]);

function parserFor(maxDepth: number): XMLParser {
  return new (xmlLibrary().XMLParser)({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    // Only the predefined and numeric references can appear: checkedXmlText refused any DTD,
    // any other entity reference, and any numeric reference to a character XML does not
    // allow. (The library reads numeric references among its HTML entities.)
    processEntities: true,
    htmlEntities: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: maxDepth,
  });
}

/**
 * Parses a peer's XML body within `limits` into its root element, namespaces resolved.
 *
 * @throws {MsrpError} `MSRP_ERR_XML` when the body is over a limit, unsafe, not well-formed,
 * has no single root, uses an unbound prefix, or binds a reserved one or name otherwise
 * than Namespaces in XML 1.0 §3 allows (`xml` is bound without a declaration).
 */
export function parseXmlDocument(bytes: Uint8Array, limits: XmlLimits = {}): XmlElement {
  const text = checkedXmlText(bytes, limits);
  const valid = xmlLibrary().XMLValidator.validate(text);
  if (valid !== true) {
    throw xmlError(`XML body is not well-formed: ${valid.err.msg} (line ${valid.err.line})`);
  }
  let nodes: unknown;
  try {
    nodes = parserFor(limits.maxDepth ?? DEFAULT_XML_LIMITS.maxDepth).parse(text);
  } catch (e) {
    throw xmlError(`XML body could not be parsed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const roots = elementNodes(nodes);
  if (roots.length !== 1) throw xmlError(`XML body has ${roots.length} root elements, not 1`);
  return toElement(roots[0]!, DOCUMENT_SCOPE);
}

function elementNodes(nodes: unknown): OrderedNode[] {
  if (!Array.isArray(nodes)) return [];
  return (nodes as OrderedNode[]).filter((n) => tagOf(n) !== undefined);
}

function tagOf(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ATTRIBUTES && k !== TEXT);
}

function toElement(node: OrderedNode, outer: ReadonlyMap<string, string>): XmlElement {
  const tag = tagOf(node)!;
  // The outer scope itself unless this element declares a namespace: a copy per element would
  // cost elements × declarations.
  let scope = outer;
  const attributes = node[ATTRIBUTES];
  if (attributes !== null && typeof attributes === 'object') {
    let own: Map<string, string> | undefined;
    for (const [name, value] of Object.entries(attributes as Record<string, unknown>)) {
      if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
      const prefix = name === 'xmlns' ? '' : name.slice(6);
      const uri = String(value);
      // Namespaces in XML 1.0 §3 (Reserved Prefixes and Namespace Names): `xml` may be
      // declared only to its name, which no other prefix takes; `xmlns` and its name never.
      if (
        prefix === 'xml' ? uri !== XML_NS : prefix === 'xmlns' || uri === XML_NS || uri === XMLNS_NS
      )
        throw xmlError(`XML declaration ${name}="${uri}" breaks a reserved binding`);
      own ??= new Map(outer);
      own.set(prefix, uri);
    }
    scope = own ?? outer;
  }
  const colon = tag.indexOf(':');
  const prefix = colon < 0 ? '' : tag.slice(0, colon);
  const ns = scope.get(prefix);
  if (prefix !== '' && ns === undefined) throw xmlError(`XML prefix '${prefix}' is not bound`);
  const content = node[tag];
  const children: XmlElement[] = [];
  let text = '';
  if (Array.isArray(content)) {
    for (const child of content as OrderedNode[]) {
      if (TEXT in child) text += String(child[TEXT]);
      else if (tagOf(child) !== undefined) children.push(toElement(child, scope));
    }
  }
  return {
    ns: ns === '' ? undefined : ns,
    name: colon < 0 ? tag : tag.slice(colon + 1),
    children,
    text,
  };
}

/** The children of `element` named `name` in namespace `ns`. */
export function childrenNamed(element: XmlElement, ns: string, name: string): XmlElement[] {
  return element.children.filter((c) => c.ns === ns && c.name === name);
}

/**
 * The trimmed text of the one child `name` of `element` in `ns`, or undefined when absent.
 *
 * @throws {MsrpError} `MSRP_ERR_XML` when the child appears more than once.
 */
export function childText(element: XmlElement, ns: string, name: string): string | undefined {
  const found = childrenNamed(element, ns, name);
  if (found.length > 1)
    throw xmlError(`<${name}> appears ${found.length} times in <${element.name}>`);
  return found[0]?.text.trim();
}

let builder: XMLBuilder | undefined;

function xmlBuilder(): XMLBuilder {
  builder ??= new (xmlLibrary().XMLBuilder)({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    format: true,
    indentBy: '  ',
    suppressEmptyNode: true,
    // Escapes <, >, &, ' and " in text and attribute values.
    processEntities: true,
  });
  return builder;
}

const encoder = new TextEncoder();

/**
 * Writes `root` (an object in fast-xml-parser's builder form: `@name` keys are attributes,
 * `''` is an empty element, key order is element order) as a UTF-8 XML document.
 *
 * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` when a value holds a character XML 1.0
 * cannot carry (a control character, a lone surrogate): the document would not be well-formed.
 */
export function buildXmlDocument(root: Record<string, unknown>): Uint8Array {
  const xml: string = xmlBuilder().build({
    '?xml': { '@version': '1.0', '@encoding': 'UTF-8' },
    ...root,
  });
  const bad = notXmlChar(xml);
  if (bad !== undefined) {
    throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `${bad} cannot be written in XML`);
  }
  // A parser reads a raw CR as LF (XML 1.0 §2.11): written as a reference, it stays a CR. Only
  // values can hold one (the builder breaks lines with LF).
  return encoder.encode(xml.replaceAll('\r', '&#13;'));
}
