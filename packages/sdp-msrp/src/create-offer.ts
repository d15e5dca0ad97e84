import type { MsrpUri } from '@msrp-ts/msrp-core/uri';
import { chatroomOf, type ChatroomInit } from './chatroom.js';
import type { FileDescription } from './file-description.js';
import { rangeProblem } from './file-range.js';
import { formatMsrpMedia } from './format-msrp-media.js';
import { SdpError } from './errors.js';
import { localPath, parseFingerprintText } from './local-path.js';
import type { Direction } from './msrp-media.js';
import { isUnreachable, protoForPath } from './proto.js';
import { serializeSdp } from './session-description.js';
import { connectionFor, sessionLines, type SessionLinesOptions } from './session-lines.js';
import type { SetupRole } from './setup-role.js';
import { uuidV4 } from './uuid-v4.js';

/** A file to offer (RFC 5547): its description and which way it goes. */
export interface FileOffer extends FileDescription {
  /**
   * `push`: we send the file to the answerer (the offer is `sendonly`); `pull`: we ask the
   * answerer for it (the offer is `recvonly`). RFC 5547 §8.
   */
  readonly mode: 'push' | 'pull';
  /**
   * The `a=file-transfer-id` of an interrupted transfer that this offer resumes. A resume
   * offer names the same file by its hash and asks for the octets still missing with
   * `range`; its own file-transfer-id is new (RFC 5547 §6: unique per transfer). See
   * `resumeOffer()`, which fills this in from a partial file's record.
   */
  readonly resumes?: string;
}

/** What {@link createOffer} puts in an offer. */
export interface OfferOptions extends SessionLinesOptions {
  /** Our session URI, the last URI of our `a=path`. */
  readonly localUri: MsrpUri | string;
  /** Use-Path URIs of our relays (RFC 4976), put before our URI in `a=path`. */
  readonly relayPath?: readonly (MsrpUri | string)[];
  /** Types we accept (RFC 4975 §8.6): `type/subtype`, `type/*` or `*`. At least one. */
  readonly acceptTypes: readonly string[];
  /** Types we accept only inside a container such as `message/cpim`. */
  readonly wrappedTypes?: readonly string[];
  /** Largest message we accept, in octets (`a=max-size`). */
  readonly maxSize?: number;
  /**
   * `a=setup` (RFC 6135). Default `actpass`, which lets the answerer choose who connects;
   * `null` leaves it out, for peers that know only RFC 4975 (the offerer then connects).
   */
  readonly setup?: SetupRole | null;
  /** `a=connection` (RFC 4145 §5), written with `a=setup`. Default `new`. */
  readonly connection?: 'new' | 'existing';
  /** Offer RFC 6714 CEMA (`a=msrp-cema`). Default false. */
  readonly cema?: boolean;
  /** We are a chat room's focus: write `a=chatroom` with these features (RFC 7701 §8). */
  readonly chatroom?: ChatroomInit;
  /** Our TLS certificate's fingerprint, `SHA-256 AB:CD:...`, for `msrps` (RFC 8122). */
  readonly fingerprint?: string;
  /**
   * Direction. Default: `sendonly` for a pushed file, `recvonly` for a pulled one (the only
   * direction each can have), else `sendrecv`.
   */
  readonly direction?: Direction;
  /** An RFC 5547 file transfer. A `transferId` is made up when none is given. */
  readonly file?: FileOffer;
  /** `i=` of the media section, e.g. a file's description. */
  readonly title?: string;
  /** `c=` address. Default: the host of the first URI of our path. */
  readonly address?: string;
  /** `m=` port. Default: the port of the first URI of our path, else 2855. */
  readonly port?: number;
}

/**
 * Writes an SDP offer for one MSRP media stream (RFC 4975 §8): `m=message` with the proto
 * the first hop of our path calls for, `TCP/MSRP` or `TCP/TLS/MSRP` (also over WebSocket,
 * where `;ws` shows only in the path: RFC 7977 §5.2.2), our path, accept-types and the
 * other attributes asked for. CRLF line ends (RFC 8866 §5).
 * @throws {SdpError} `SDP_ERR_INVALID_ARGUMENT` for a URI that does not parse, no or bad
 * accept-types, a file description that cannot be written, a `file.range` that is no range
 * or lies outside the file's size, a `direction` other than the file's mode goes, a resume
 * (`file.resumes`) without a hash, a range or a new file-transfer-id, or `setup: 'passive'`
 * with a path whose first hop is an `.invalid` host (a WebSocket client without a relay),
 * which the answerer could never connect to.
 */
export function createOffer(options: OfferOptions): string {
  const path = localPath(options.localUri, options.relayPath);
  const first = path[0]!;
  const setup = options.setup === undefined ? 'actpass' : options.setup;
  if (setup === 'passive' && isUnreachable(first)) {
    throw new SdpError(
      'SDP_ERR_INVALID_ARGUMENT',
      `setup 'passive' asks the answerer to connect to ${first.host}, which cannot be reached (an .invalid host, RFC 7977 §5.2.2); put a relay in relayPath or use 'actpass' or 'active'`,
    );
  }
  const file = options.file;
  if (file) checkFileOffer(file, options.direction);
  const direction =
    options.direction ??
    (file?.mode === 'push' ? 'sendonly' : file?.mode === 'pull' ? 'recvonly' : 'sendrecv');
  const session = sessionLines(options, connectionFor(options.address ?? first.host));
  const media = formatMsrpMedia({
    port: options.port ?? first.port ?? 2855,
    proto: protoForPath(path),
    formats: ['*'],
    ...(options.title !== undefined && { title: options.title }),
    path,
    acceptTypes: options.acceptTypes,
    wrappedTypes: options.wrappedTypes ?? [],
    ...(options.maxSize !== undefined && { maxSize: options.maxSize }),
    ...(setup !== null && { setup, connectionMode: options.connection ?? 'new' }),
    cema: options.cema ?? false,
    ...(options.chatroom && { chatroom: chatroomOf(options.chatroom) }),
    fingerprints:
      options.fingerprint === undefined ? [] : [parseFingerprintText(options.fingerprint)],
    direction,
    ...(file && {
      file: {
        selector: file.selector,
        // RFC 5547 §6: the file-transfer-id is random and unique for each transfer: a UUID.
        transferId: file.transferId ?? uuidV4(),
        ...(file.disposition !== undefined && { disposition: file.disposition }),
        ...(file.date !== undefined && { date: file.date }),
        ...(file.icon !== undefined && { icon: file.icon }),
        ...(file.range !== undefined && { range: file.range }),
      },
    }),
  });
  return serializeSdp({ session, media: [{ lines: media }], eol: '\r\n', trailer: '\r\n' });
}

/**
 * Throws for a file offer that describes a range the file does not have, a direction its
 * mode does not go, or a bad resume.
 */
function checkFileOffer(file: FileOffer, direction: Direction | undefined): void {
  const invalid = (why: string): SdpError => new SdpError('SDP_ERR_INVALID_ARGUMENT', why);
  // RFC 5547 §8: a push offer is sendonly, a pull offer recvonly; any other is no transfer.
  const goes = file.mode === 'push' ? 'sendonly' : 'recvonly';
  if (direction !== undefined && direction !== goes) {
    throw invalid(`A ${file.mode} file offer is ${goes}, not ${direction}`);
  }
  const problem = rangeProblem(file.range, file.selector.size);
  if (problem !== undefined) throw invalid(`Cannot offer ${problem}`);
  if (file.resumes === undefined) return;
  // A resume is the rest of one file: the hash is what tells the answerer it is the same one
  // it holds the start of, and a new file-transfer-id tells it from the interrupted one.
  if (!file.selector.hash) throw invalid('A resume offer needs the file hash in its selector');
  if (!file.range) throw invalid('A resume offer needs the file-range still missing');
  if (file.transferId === file.resumes) {
    throw invalid(
      `A resume offer needs a new file-transfer-id, not that of the transfer it resumes (${file.resumes})`,
    );
  }
}
