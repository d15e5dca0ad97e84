// MIME header fields around the CPIM metadata: the outer `Content-Type: message/cpim` block
// and the headers of the encapsulated MIME object (RFC 2045: case-insensitive names, folding).
import { decodeUtf8 } from '../wire/bytes.js';
import { cpimError } from './cpim-lines.js';

/** A MIME header field (outer, or of the encapsulated object), as received. */
export interface MimeField {
  /** The name as written; compare case-insensitively. */
  readonly name: string;
  /** The value, unfolded and trimmed. */
  readonly value: string;
  /** Its lines as received (more than one when folded), without line ends. */
  readonly raw: readonly Uint8Array[];
}

/** @internal Groups header lines into fields, joining folded continuation lines. */
export function parseMimeFields(lines: readonly Uint8Array[], what: string): MimeField[] {
  const fields: MimeField[] = [];
  let name = '';
  let value = '';
  let raw: Uint8Array[] = [];
  const flush = (): void => {
    if (raw.length > 0) fields.push({ name, value: value.trim(), raw });
  };
  for (const line of lines) {
    const text = decodeUtf8(line, 0, line.length);
    if ((text.startsWith(' ') || text.startsWith('\t')) && raw.length > 0) {
      // RFC 5322 §2.2.3: unfolding removes the line break and keeps the white space.
      value += text;
      raw.push(line);
      continue;
    }
    flush();
    const colon = text.indexOf(':');
    if (colon <= 0) throw cpimError(`${what} without a colon: ${JSON.stringify(text)}`);
    name = text.slice(0, colon).trim();
    value = text.slice(colon + 1);
    raw = [line];
  }
  flush();
  return fields;
}

/** @internal The value of the first field named `name` (case-insensitive), if any. */
export function mimeField(fields: readonly MimeField[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return fields.find((f) => f.name.toLowerCase() === lower)?.value;
}
