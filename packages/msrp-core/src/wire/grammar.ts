// Shared pieces of the RFC 4975 §9 grammar.

/** RFC 4975 §9 `token`. */
export const TOKEN = /^[!#-'*+\-.0-9A-Z^-~]+$/;

/** RFC 4975 §9 `ident`: ALPHANUM followed by 3 to 31 ident-chars. */
export const IDENT = /^[A-Za-z0-9][A-Za-z0-9.\-+%=]{3,31}$/;

/** Bytes an {@link IDENT} may hold: 1 for ALPHANUM, 2 for the others (`.-+%=`) allowed after the first. */
const IDENT_BYTE = new Uint8Array(256);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9]/.test(ch)) IDENT_BYTE[c] = 1;
  else if ('.-+%='.includes(ch)) IDENT_BYTE[c] = 2;
}

/**
 * Where the {@link IDENT} that begins at `buf[from]` ends: the first index after `from` whose
 * byte is not an ident-char, or `from + 32` (the most an ident holds); -1 when the first byte
 * is not ALPHANUM or fewer than 4 ident-chars follow. The caller checks the byte that ends it
 * (SP, CR): one pass finds and checks a transaction id or Message-ID.
 */
export function identEnd(buf: Uint8Array, from: number): number {
  if (IDENT_BYTE[buf[from]!] !== 1) return -1;
  const max = Math.min(buf.length, from + 32);
  let k = from + 1;
  while (k < max && IDENT_BYTE[buf[k]!] !== 0) k++;
  return k - from < 4 ? -1 : k;
}

/** {@link identEnd}, copying the ident-chars it reads to `out` from `at` (room for 32). */
export function copyIdent(buf: Uint8Array, from: number, out: Uint8Array, at: number): number {
  const first = buf[from]!;
  if (IDENT_BYTE[first] !== 1) return -1;
  out[at] = first;
  const max = Math.min(buf.length, from + 32);
  let k = from + 1;
  for (; k < max; k++) {
    const c = buf[k]!;
    if (IDENT_BYTE[c] === 0) break;
    out[at + k - from] = c;
  }
  return k - from < 4 ? -1 : k;
}

/** Whether the bytes `buf[from, to)` match {@link IDENT}: the parser checks ids without decoding them. */
export function isIdentBytes(buf: Uint8Array, from: number, to: number): boolean {
  if (to - from < 4 || to - from > 32 || IDENT_BYTE[buf[from]!] !== 1) return false;
  for (let k = from + 1; k < to; k++) if (IDENT_BYTE[buf[k]!] === 0) return false;
  return true;
}

/** A `name[=value]` parameter; `quoted` records whether the value was a quoted-string. */
export interface Param {
  readonly name: string;
  readonly value?: string;
  readonly quoted?: boolean;
}

/** Wraps `value` as an RFC 4975 §9 quoted-string (escaping `\` and `"`). */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/** Formats a parameter as `name`, `name=token` or `name="quoted"`. */
export function formatParam(p: Param): string {
  if (p.value === undefined) return p.name;
  return `${p.name}=${p.quoted ? quote(p.value) : p.value}`;
}

/**
 * Splits `text` into `name[=value]` parameters separated by `sep`, honouring quoted-strings
 * (a separator inside quotes does not split). Returns undefined when the text is malformed.
 * A comma list (HTTP authentication's `#auth-param`) may hold empty elements, which are
 * skipped: RFC 7230 §7 (and RFC 2616 §2.1 before it) says a recipient MUST accept them.
 */
export function parseParams(text: string, sep: ',' | ';'): Param[] | undefined {
  const params: Param[] = [];
  if (text.trim() === '') return undefined;
  let i = 0;
  const n = text.length;
  const skipSpace = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const list = sep === ',';
  while (i < n) {
    skipSpace();
    if (list && (i >= n || text[i] === ',')) {
      i++;
      continue;
    }
    const nameStart = i;
    while (i < n && text[i] !== '=' && text[i] !== sep && text[i] !== ' ' && text[i] !== '\t') i++;
    const name = text.slice(nameStart, i);
    if (!TOKEN.test(name)) return undefined;
    skipSpace();
    if (i < n && text[i] === '=') {
      i++;
      skipSpace();
      if (text[i] === '"') {
        let value = '';
        i++;
        for (;;) {
          if (i >= n) return undefined;
          const c = text[i]!;
          if (c === '"') break;
          if (c === '\\') {
            const next = text[i + 1];
            if (next !== '\\' && next !== '"') return undefined;
            value += next;
            i += 2;
          } else {
            value += c;
            i++;
          }
        }
        i++;
        params.push({ name, value, quoted: true });
      } else {
        const valueStart = i;
        while (i < n && text[i] !== sep && text[i] !== ' ' && text[i] !== '\t') i++;
        const value = text.slice(valueStart, i);
        if (!TOKEN.test(value)) return undefined;
        params.push({ name, value });
      }
    } else {
      params.push({ name });
    }
    skipSpace();
    if (i < n) {
      if (text[i] !== sep) return undefined;
      i++;
      if (i >= n && !list) return undefined; // trailing separator
    }
  }
  return params;
}

/** Value of the first parameter called `name` (case-insensitive), if present. */
export function paramValue(params: readonly Param[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return params.find((p) => p.name.toLowerCase() === lower)?.value;
}
