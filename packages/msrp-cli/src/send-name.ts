// The name `msrp send --file` gives its file: the peer stores the file under it, and it
// travels in the head of every chunk (Content-Disposition, RFC 2183), whose size a peer bounds.
import { DEFAULT_MAX_HEADER_BYTES, formatUri, type MsrpUri } from '@msrp-ts/msrp-core';
import { usage } from './cli-error.js';

/**
 * Room kept for the head's fields but the paths, the name and a --content-type: Message-ID
 * (at most 32 characters), Byte-Range, Success-Report and Failure-Report, the last chunk's
 * File-Hash (SHA-256 with colons: 95 characters), the Content-Type looked up from the name,
 * and the session-ids that relays add to their URIs in the paths.
 */
const OTHER_FIELDS_BYTES = 1024;

/** What Content-Disposition holds beside the name. */
const DISPOSITION = 'Content-Disposition: attachment; filename=""\r\n';

/**
 * The name to send the file under: `given` (--name), else the base name of --file ("stdin"
 * for standard input), checked to be a file name that fits the head of a chunk going along
 * `uris` (the To-Path, our From-Path and the relays).
 * @throws {CliError} a usage error when it is no file name or too long.
 */
export function sendName(
  given: string | undefined,
  fallback: string,
  uris: readonly (MsrpUri | string)[],
  contentType: string | undefined,
): string {
  const name = given ?? fallback;
  const flag = given === undefined ? '--file' : '--name';
  if (name === '' || /[/\\\r\n]/.test(name)) {
    // A file's own name with a line break cannot go in the SDP or the headers as it is.
    throw usage(
      given === undefined
        ? `--file: the name ${JSON.stringify(name)} cannot be sent; give another with --name`
        : `--name must be a file name, not ${JSON.stringify(name)}`,
    );
  }
  const paths = uris.reduce(
    (n, uri) => n + Buffer.byteLength(typeof uri === 'string' ? uri : formatUri(uri)) + 1,
    0,
  );
  const fields =
    'To-Path: \r\nFrom-Path: \r\n'.length +
    paths +
    (contentType === undefined ? 0 : Buffer.byteLength(`Content-Type: ${contentType}\r\n`));
  // The header block a peer takes by default (msrp-core's and msrp-relay's maxHeaderBytes): a
  // larger head is answered 400, after the connection was made.
  const max = DEFAULT_MAX_HEADER_BYTES - OTHER_FIELDS_BYTES - DISPOSITION.length - fields;
  // As sent: a quoted-string, each '"' escaped (RFC 4975 §9).
  const bytes = Buffer.byteLength(name) + (name.match(/"/g)?.length ?? 0);
  if (bytes > max) {
    throw usage(
      `${flag}: the file name is ${bytes} bytes long (UTF-8), and at most ${max} fit in the ` +
        `Content-Disposition header that carries it (a peer takes ${DEFAULT_MAX_HEADER_BYTES} ` +
        'bytes of headers)',
    );
  }
  return name;
}
