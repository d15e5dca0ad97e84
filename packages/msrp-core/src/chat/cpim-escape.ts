// The character escape mechanism of CPIM header values (RFC 3862 §2.3), taken from Java:
// `\\`, `\"`, `\'`, `\b`, `\t`, `\n`, `\r` and `\uXXXX` (one UTF-16 code unit).

const DECODED: Readonly<Record<string, string>> = {
  '\\': '\\',
  '"': '"',
  "'": "'",
  b: '\b',
  t: '\t',
  n: '\n',
  r: '\r',
};

const ENCODED: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

/**
 * Decodes the RFC 3862 §2.3 escapes of a header value. A backslash that starts no defined
 * escape (or a `\u` without four hex digits) is kept as written, as the RFC asks of a
 * receiver that meets one.
 */
export function unescapeCpim(value: string): string {
  if (!value.includes('\\')) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const c = value[i]!;
    if (c !== '\\' || i + 1 >= value.length) {
      out += c;
      i++;
      continue;
    }
    const next = value[i + 1]!;
    const simple = DECODED[next];
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (next === 'u' && /^[0-9A-Fa-f]{4}$/.test(value.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(value.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * Encodes `text` for a CPIM header value (RFC 3862 §2.3.1: control characters U+0000-U+001F
 * and U+007F MUST be escaped, and so must a backslash, so that it reads back as itself).
 * With `quoted`, also escapes `"`, for a value inside a quoted string (a From display name).
 */
export function escapeCpim(text: string, quoted = false): string {
  // Fast path: the common value has nothing to escape.
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u001f\u007f\\"]/.test(text)) return text;
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (c === '"' && !quoted) out += c;
    else if (ENCODED[c] !== undefined) out += ENCODED[c];
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out;
}
