import { SdpError } from './errors.js';

/** A hash of a file as `a=file-selector` carries it (RFC 5547 §6): `sha-1:AB:CD:...`. */
export interface FileHash {
  /** Hash algorithm from the IANA "Hash Function Textual Names" registry, e.g. `sha-1`. */
  readonly algorithm: string;
  /** Upper- or lower-case hex pairs joined by colons, as written. */
  readonly value: string;
}

/** A parameter of the `type:` selector: `;name="value"`. */
export interface FileTypeParam {
  readonly name: string;
  readonly value: string;
}

/**
 * The value of `a=file-selector` (RFC 5547 §6): the file a push offer describes or a pull
 * offer asks for. Every selector is optional; a selector with none matches any file.
 */
export interface FileSelector {
  /** File name, decoded (percent-escapes undone, UTF-8). */
  readonly name?: string;
  /** Media type `type/subtype`. */
  readonly type?: string;
  /** Parameters of the media type, in order. */
  readonly typeParams?: readonly FileTypeParam[];
  /** Size in octets. */
  readonly size?: number;
  /** Hash of the file's content. */
  readonly hash?: FileHash;
}

const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z|~]+$/;
const HASH_VALUE = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})*$/;
// RFC 5547 §6 filename-char: any octet but NUL, CR, LF, DQUOTE and "%" (which escapes).
const NEEDS_ESCAPE = /[\0\r\n"%]/g;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Splits on `separator` outside double quotes; undefined when a quote is left open. */
function splitUnquoted(text: string, separator: ' ' | ';'): string[] | undefined {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    if (c === separator && !quoted) {
      out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (quoted) return undefined;
  out.push(current);
  return out;
}

/** Undoes RFC 5547 filename percent-encoding; the octets are UTF-8. */
function decodeName(text: string): string | undefined {
  if (/[\0\r\n"]/.test(text) || /%(?![0-9A-Fa-f]{2})/.test(text)) return undefined;
  const raw = encoder.encode(text);
  const out = new Uint8Array(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x25) {
      out[n++] = parseInt(String.fromCharCode(raw[i + 1]!, raw[i + 2]!), 16);
      i += 2;
    } else {
      out[n++] = raw[i]!;
    }
  }
  try {
    return decoder.decode(out.subarray(0, n));
  } catch {
    return undefined;
  }
}

/**
 * Encodes a file name for `name:"..."`: the characters RFC 5547 §6 does not allow inside the
 * quotes (NUL, CR, LF, DQUOTE) and "%" itself become percent-escapes of their UTF-8 octets.
 */
export function encodeFileName(name: string): string {
  return name.replace(
    NEEDS_ESCAPE,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/**
 * Parses the value of `a=file-selector` (RFC 5547 §6):
 * `name:"My cool picture.jpg" type:image/jpeg size:32349 hash:sha-1:72:24:...`.
 * @throws {SdpError} `SDP_ERR_BAD_ATTRIBUTE` saying which selector is malformed or repeated.
 */
export function parseFileSelector(value: string): FileSelector {
  const bad = (why: string): SdpError =>
    new SdpError('SDP_ERR_BAD_ATTRIBUTE', `Invalid file-selector "${value}": ${why}`);
  const parts = value.trim() === '' ? [] : splitUnquoted(value.trim(), ' ');
  if (!parts) throw bad('unterminated quoted string');
  const selector: {
    name?: string;
    type?: string;
    typeParams?: FileTypeParam[];
    size?: number;
    hash?: FileHash;
  } = {};
  for (const part of parts) {
    const colon = part.indexOf(':');
    const kind = colon < 0 ? part : part.slice(0, colon).toLowerCase();
    const rest = colon < 0 ? '' : part.slice(colon + 1);
    if (kind !== 'name' && kind !== 'type' && kind !== 'size' && kind !== 'hash') {
      throw bad(`unknown selector "${part}" (expected name:, type:, size: or hash:)`);
    }
    if (selector[kind] !== undefined) throw bad(`more than one ${kind} selector`);
    switch (kind) {
      case 'name': {
        const quoted = /^"(.+)"$/s.exec(rest);
        const name = quoted ? decodeName(quoted[1]!) : undefined;
        if (name === undefined) throw bad(`name must be a non-empty quoted string, not ${rest}`);
        selector.name = name;
        break;
      }
      case 'size': {
        if (!/^\d{1,16}$/.test(rest) || !Number.isSafeInteger(Number(rest))) {
          throw bad(`size must be a number of octets, not "${rest}"`);
        }
        selector.size = Number(rest);
        break;
      }
      case 'hash': {
        const sep = rest.indexOf(':');
        const algorithm = rest.slice(0, sep);
        const hex = rest.slice(sep + 1);
        if (sep < 0 || !TOKEN.test(algorithm) || !HASH_VALUE.test(hex)) {
          throw bad(`hash must be <algorithm>:<hex pairs joined by ":">, not "${rest}"`);
        }
        selector.hash = { algorithm, value: hex };
        break;
      }
      case 'type': {
        // RFC 5547 §6: an ft-parameter's value is a quoted filename-string, in which ";" is
        // an ordinary character: only a ";" outside the quotes starts the next parameter.
        // The selector's quotes are balanced (checked above), so the split cannot fail.
        const [mediaType = '', ...params] = splitUnquoted(rest, ';')!;
        const slash = mediaType.indexOf('/');
        if (
          slash < 0 ||
          !TOKEN.test(mediaType.slice(0, slash)) ||
          !TOKEN.test(mediaType.slice(slash + 1))
        ) {
          throw bad(`type must be type/subtype, not "${rest}"`);
        }
        selector.type = mediaType;
        if (params.length > 0) {
          selector.typeParams = params.map((p) => {
            const m = /^([^=\s]+)=(?:"([^"]*)"|([^"\s]*))$/.exec(p);
            if (!m || !TOKEN.test(m[1]!)) throw bad(`invalid type parameter "${p}"`);
            // RFC 5547 quotes the value; some clients do not, and the meaning is the same.
            const raw = m[2] ?? m[3]!;
            const decoded = m[2] === undefined ? raw : decodeName(raw);
            if (decoded === undefined) throw bad(`invalid type parameter "${p}"`);
            return { name: m[1]!, value: decoded };
          });
        }
        break;
      }
    }
  }
  return selector;
}

/**
 * Formats a file selector for `a=file-selector:` in RFC 5547 §6 order: name, type, size, hash.
 * @throws {SdpError} `SDP_ERR_INVALID_ARGUMENT` for an empty name, a non-integer size, or a
 * type or hash that cannot be written.
 */
export function formatFileSelector(selector: FileSelector): string {
  const invalid = (why: string): SdpError => new SdpError('SDP_ERR_INVALID_ARGUMENT', why);
  const parts: string[] = [];
  if (selector.name !== undefined) {
    if (selector.name === '') throw invalid('File name is empty');
    parts.push(`name:"${encodeFileName(selector.name)}"`);
  }
  if (selector.type !== undefined) {
    const [top = '', sub = ''] = selector.type.split('/');
    if (!TOKEN.test(top) || !TOKEN.test(sub)) throw invalid(`Invalid file type "${selector.type}"`);
    let type = `type:${selector.type}`;
    for (const p of selector.typeParams ?? []) {
      if (!TOKEN.test(p.name)) throw invalid(`Invalid type parameter name "${p.name}"`);
      type += `;${p.name}="${encodeFileName(p.value)}"`;
    }
    parts.push(type);
  }
  if (selector.size !== undefined) {
    if (!Number.isSafeInteger(selector.size) || selector.size < 0) {
      throw invalid(`Invalid file size ${selector.size}`);
    }
    parts.push(`size:${selector.size}`);
  }
  if (selector.hash !== undefined) {
    const { algorithm, value } = selector.hash;
    if (!TOKEN.test(algorithm) || !HASH_VALUE.test(value)) {
      throw invalid(`Invalid file hash "${algorithm}:${value}"`);
    }
    parts.push(`hash:${algorithm}:${value}`);
  }
  return parts.join(' ');
}

/**
 * A file hash as one string, `sha-1:AB:CD:...`: the form msrp-core's
 * `IncomingMessage.saveTo(path, { expectedHash })` checks a received file against.
 */
export function formatFileHash(hash: FileHash): string {
  return `${hash.algorithm.toLowerCase()}:${hash.value.toUpperCase()}`;
}
