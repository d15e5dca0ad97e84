// The text of a body in the charset its Content-Type names (RFC 2046 §4.1.2), for CPIM's
// encapsulated object and a bare chat message alike.
import { decodeUtf8 } from '../wire/bytes.js';
import type { ContentType } from '../wire/content-type.js';

/**
 * @internal `bytes` decoded in the `charset` of `contentType`, UTF-8 when it names none.
 * Throws `unknown(label)` for a charset TextDecoder does not know.
 */
export function decodeCharset(
  bytes: Uint8Array,
  contentType: ContentType | undefined,
  unknown: (label: string, cause: unknown) => Error,
): string {
  const charset = contentType?.params.find((p) => p.name.toLowerCase() === 'charset');
  const label = charset?.value?.toLowerCase() ?? 'utf-8';
  if (label === 'utf-8' || label === 'utf8' || label === 'us-ascii') {
    return decodeUtf8(bytes, 0, bytes.length);
  }
  try {
    return new TextDecoder(label).decode(bytes);
  } catch (e) {
    throw unknown(label, e);
  }
}
