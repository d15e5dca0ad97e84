// mime-types for `msrp listen`, loaded on first use: its database is ~3 MiB of RSS (issue 12:
// `msrp listen` under 64 MiB), needed only for a file without a name, or the offer of a file
// when --accept-types is given.
import { createRequire } from 'node:module';
import type * as MimeTypes from 'mime-types';

let mime: typeof MimeTypes | undefined;

function load(): typeof MimeTypes {
  return (mime ??= createRequire(import.meta.url)('mime-types') as typeof MimeTypes);
}

/** The usual file extension of a media type, if known. */
export function extensionOf(media: string): string | false {
  return load().extension(media);
}

/** The media type a file of this name is sent as by `msrp send` (sendFile's default). */
export function typeOfName(name: string): string {
  return load().lookup(name) || 'application/octet-stream';
}
