// One metadata header line of a message/cpim body (RFC 3862 §3.6, collected syntax):
//   Header = Header-name ":" *( ";" Parameter ) SP Header-value CRLF
//   Header-name = [ Name-prefix "." ] Name
import { decodeUtf8 } from '../wire/bytes.js';
import { cpimError } from './cpim-lines.js';
import { unescapeCpim } from './cpim-escape.js';

/** A `;name=value` parameter of a CPIM header, e.g. `lang=fr` of a Subject. */
export interface CpimParam {
  readonly name: string;
  /** The value as written: a token, a number, or a quoted string with its quotes and escapes. */
  readonly value: string;
}

/** One metadata header of a CPIM message, as received (or as the builder wrote it). */
export interface CpimHeader {
  /** The name as written, with its prefix: `imdn.Message-ID`. Names are case-sensitive (RFC 3862 §3.1). */
  readonly name: string;
  /** The prefix before the dot (`imdn`), or undefined for a name in the default namespace. */
  readonly prefix: string | undefined;
  /** The name without its prefix: `Message-ID`. */
  readonly localName: string;
  /**
   * The namespace URI the name belongs to: the one its prefix is bound to by the `NS`
   * headers before it, {@link CPIM_HEADERS_NS} for an unprefixed name, undefined when the
   * prefix was never declared.
   */
  readonly namespace: string | undefined;
  /** Parameters between the colon and the value, e.g. `;lang=fr`. */
  readonly params: readonly CpimParam[];
  /** The value as written, §2.3 escapes not decoded; see {@link CpimHeader.text}. */
  readonly value: string;
  /** The value with its §2.3 escapes decoded. */
  readonly text: string;
  /** The whole line, without its line end: what {@link formatCpim} writes back. */
  readonly raw: Uint8Array;
}

/** The namespace of the headers RFC 3862 defines, and of every unprefixed name (§3.4). */
export const CPIM_HEADERS_NS = 'urn:ietf:params:cpim-headers:';

// RFC 3862 §3.6 NAMECHAR: printable ASCII except separators; no dot, so a name has at
// most one, between prefix and name.
const NAME = /^[!#-'*+\-0-9A-Z^-z|~]+$/;
const SPACE = 0x20;

/** @internal Whether `name` is a valid CPIM Name (no prefix). */
export function isCpimName(name: string): boolean {
  return NAME.test(name);
}

/** @internal The prefix and local name of a Header-name, or undefined when it is malformed. */
export function splitHeaderName(name: string): [string | undefined, string] | undefined {
  const dot = name.indexOf('.');
  if (dot < 0) return NAME.test(name) ? [undefined, name] : undefined;
  const prefix = name.slice(0, dot);
  const local = name.slice(dot + 1);
  return NAME.test(prefix) && NAME.test(local) ? [prefix, local] : undefined;
}

/**
 * @internal Parses one metadata header line; `resolve` maps a prefix to its namespace
 * (undefined for the default namespace).
 */
export function parseCpimHeader(
  raw: Uint8Array,
  resolve: (prefix: string | undefined) => string | undefined,
): CpimHeader {
  const line = decodeUtf8(raw, 0, raw.length);
  const colon = line.indexOf(':');
  if (colon < 0) throw cpimError(`metadata header without a colon: ${JSON.stringify(line)}`);
  const name = line.slice(0, colon);
  const split = splitHeaderName(name);
  if (split === undefined) throw cpimError(`bad metadata header name ${JSON.stringify(name)}`);
  const [prefix, localName] = split;
  const params: CpimParam[] = [];
  let i = colon + 1;
  while (line[i] === ';') {
    const eq = line.indexOf('=', i);
    const pname = eq < 0 ? '' : line.slice(i + 1, eq);
    if (!NAME.test(pname)) throw cpimError(`bad parameter in header ${name}`);
    let end = eq + 1;
    if (line[end] === '"') {
      end++;
      while (end < line.length && line[end] !== '"') end += line[end] === '\\' ? 2 : 1;
      if (end >= line.length) throw cpimError(`unterminated quoted parameter in header ${name}`);
      end++;
    } else {
      while (end < line.length && line[end] !== ';' && line[end] !== ' ') end++;
    }
    params.push({ name: pname, value: line.slice(eq + 1, end) });
    i = end;
  }
  // The RFC writes exactly one SP here; tolerate none or more from sloppy peers.
  while (line.charCodeAt(i) === SPACE || line[i] === '\t') i++;
  const value = line.slice(i);
  return {
    name,
    prefix,
    localName,
    namespace: resolve(prefix),
    params,
    value,
    text: unescapeCpim(value),
    raw,
  };
}

/** A namespace declaration: `NS: imdn <urn:ietf:params:imdn>` (RFC 3862 §4.6). */
export interface CpimNamespace {
  /** The prefix it binds, or undefined when it sets the default namespace. */
  readonly prefix: string | undefined;
  /** The namespace URI, without its angle brackets. */
  readonly uri: string;
}

/** @internal Parses an NS header value; a broken one is an error (we could not read what it binds). */
export function parseNamespace(value: string): CpimNamespace {
  const m = /^(?:([^\s<>]+)[ \t]+)?<([^<>\s]+)>[ \t]*$/.exec(value);
  if (m === null) throw cpimError(`broken NS header ${JSON.stringify(value)}: want "prefix <uri>"`);
  const prefix = m[1];
  if (prefix !== undefined && !NAME.test(prefix)) {
    throw cpimError(`bad prefix in NS header ${JSON.stringify(value)}`);
  }
  return { prefix, uri: m[2]! };
}

/** @internal Parses a Require value: a comma-separated list of header names (RFC 3862 §4.7). */
export function parseRequire(value: string): string[] {
  const names = value.split(',').map((n) => n.trim());
  for (const n of names) {
    if (splitHeaderName(n) === undefined) {
      throw cpimError(`bad header name in Require: ${JSON.stringify(n)}`);
    }
  }
  return names;
}

/** A From, To or cc value: an optional display name and a URI (RFC 3862 §4.1). */
export interface CpimAddress {
  /** The display name, escapes decoded and quotes removed; undefined when absent. */
  readonly name?: string | undefined;
  /** The URI, without its angle brackets: `sip:alice@example.com`. */
  readonly uri: string;
}

/** @internal Parses `[Formal-name] <URI>`; `header` names the header in errors. */
export function parseAddress(value: string, header: string): CpimAddress {
  const v = value.trim();
  let i = 0;
  let name: string | undefined;
  if (v.startsWith('"')) {
    i = 1;
    while (i < v.length && v[i] !== '"') i += v[i] === '\\' ? 2 : 1;
    if (i >= v.length) throw cpimError(`unterminated display name in ${header}`);
    name = unescapeCpim(v.slice(1, i));
    i++;
  }
  const lt = v.indexOf('<', i);
  if (lt < 0 || v.indexOf('>', lt) !== v.length - 1) {
    throw cpimError(`${header} is not [name] <URI>: ${JSON.stringify(value)}`);
  }
  if (name === undefined) {
    const bare = v.slice(0, lt).trim();
    if (bare !== '') name = unescapeCpim(bare);
  } else if (v.slice(i, lt).trim() !== '') {
    throw cpimError(`text between display name and URI in ${header}`);
  }
  const uri = v.slice(lt + 1, -1);
  if (uri === '' || /[\s<]/.test(uri)) throw cpimError(`bad URI in ${header}`);
  return name === undefined ? { uri } : { name, uri };
}
