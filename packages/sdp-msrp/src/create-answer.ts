import { formatUri, type MsrpUri } from '@msrp-ts/msrp-core/uri';
import { acceptsContainer, intersectTypes, typeMatches } from './accept-types.js';
import { chatroomOf, type ChatroomInit } from './chatroom.js';
import type { FileDescription, FileRange } from './file-description.js';
import { formatRange, isWholeFile, rangeLength, rangeProblem } from './file-range.js';
import { formatMsrpMedia, type MsrpMediaInit } from './format-msrp-media.js';
import { localPath, parseFingerprintText } from './local-path.js';
import { findMsrpMedia, type Direction, type MsrpMedia } from './msrp-media.js';
import { canonicalProto, isUnreachable, protoForPath } from './proto.js';
import {
  parseMediaLine,
  serializeSdp,
  toDescription,
  type MediaDescription,
  type SessionDescription,
} from './session-description.js';
import { connectionFor, sessionLines, type SessionLinesOptions } from './session-lines.js';
import { answerSetup, type SetupRole } from './setup-role.js';

/** What we can do, for {@link createAnswer}. */
export interface AnswerCapabilities extends SessionLinesOptions {
  /** Our session URI, the last URI of our `a=path`. */
  readonly localUri: MsrpUri | string;
  /** Use-Path URIs of our relays (RFC 4976), put before our URI in `a=path`. */
  readonly relayPath?: readonly (MsrpUri | string)[];
  /** Types we accept: `type/subtype`, `type/*` or `*`. */
  readonly acceptTypes: readonly string[];
  /** Types we accept inside a container such as `message/cpim`. */
  readonly wrappedTypes?: readonly string[];
  /**
   * Largest message we accept, in octets (`a=max-size`). A pushed file is refused when the
   * octets that travel are more: its `a=file-range`, or the whole file without one.
   */
  readonly maxSize?: number;
  /**
   * Who we would rather be when the offer leaves it to us (`a=setup:actpass`, RFC 6135):
   * `passive` (default) waits for the offerer to connect, as RFC 4975 has it; `active`
   * connects, for an answerer that cannot take inbound connections. Set aside when a path's
   * first hop is an `.invalid` host (a WebSocket client without a relay, RFC 7977 §5.2.2):
   * the side that cannot be reached connects.
   */
  readonly setup?: 'active' | 'passive';
  /** We support RFC 6714 CEMA and answer `a=msrp-cema` when offered. Default false. */
  readonly cema?: boolean;
  /** We are a chat room's focus: write `a=chatroom` with these features (RFC 7701 §8). */
  readonly chatroom?: ChatroomInit;
  /** Our TLS certificate's fingerprint, `SHA-256 AB:CD:...`, for `msrps`. */
  readonly fingerprint?: string;
  /** Accept files pushed to us (RFC 5547 push offers). Default true. */
  readonly acceptFiles?: boolean;
  /**
   * For RFC 5547 pull offers: the file we would send for the one the offer asks for, with
   * its full selector (name, type, size, hash), or undefined when we have none.
   */
  readonly serveFile?: (requested: FileDescription) => FileDescription | undefined;
  /**
   * For a file offer whose `a=file-range` leaves out part of the file, such as a resume
   * (RFC 5547 §6): whether we take that range. When we do, the answer repeats it; `false`
   * rejects the stream with port 0, the RFC 3264 §6 way of refusing. A range past the end of
   * the file is refused without asking. Default: every range is taken.
   */
  readonly acceptRange?: (file: FileDescription & { readonly range: FileRange }) => boolean;
  /** `c=` address. Default: the host of the first URI of our path. */
  readonly address?: string;
  /** `m=` port. Default: the port of the first URI of our path, else 2855. */
  readonly port?: number;
}

/** The answer {@link createAnswer} wrote, and whether it took the MSRP stream. */
export interface Answer {
  /** The SDP answer, with as many media sections as the offer (RFC 3264 §6). */
  readonly sdp: string;
  /** Whether the MSRP stream was accepted; false means port 0 in the answer. */
  readonly accepted: boolean;
  /** Why the stream was rejected, for logs and for a SIP Warning; absent when accepted. */
  readonly reason?: string;
  /** Index of the answered MSRP media section. */
  readonly mediaIndex: number;
}

// RFC 3264 §6.1: sendonly is answered recvonly (or inactive), recvonly sendonly.
const ANSWER_DIRECTION: Readonly<Record<Direction, Direction>> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

type Outcome = { readonly media: MsrpMediaInit } | { readonly reason: string };

/** The types a side takes, wrapped ones included when it takes a container for them. */
function typesTaken(acceptTypes: readonly string[], wrappedTypes: readonly string[]): string[] {
  return acceptsContainer(acceptTypes) ? [...acceptTypes, ...wrappedTypes] : [...acceptTypes];
}

/** Why we refuse the offer's file-range for a file of `size` octets, or undefined. */
function refuseRange(
  file: FileDescription,
  size: number | undefined,
  caps: AnswerCapabilities,
): string | undefined {
  const range = file.range;
  if (range === undefined) return undefined;
  const problem = rangeProblem(range, size);
  if (problem !== undefined) return problem;
  if (isWholeFile(range, size) || !caps.acceptRange) return undefined;
  return caps.acceptRange({ ...file, range })
    ? undefined
    : `we refuse the file-range ${formatRange(range)}`;
}

/**
 * Why the octets a file offer moves exceed the receiver's `max` (`whose`, for the reason), or
 * undefined. RFC 4975 §8.6: max-size is the largest message a side takes, and with
 * a=file-range the message carries only that range of the file (RFC 5547 §6).
 */
function overMaxSize(
  range: FileRange | undefined,
  size: number | undefined,
  max: number | undefined,
  whose: string,
): string | undefined {
  if (max === undefined || rangeProblem(range, size) !== undefined) return undefined;
  const length = rangeLength(range, size);
  if (length === undefined || length <= max) return undefined;
  const what = isWholeFile(range, size) ? 'the file' : `the file-range ${formatRange(range!)}`;
  return `${what} of ${length} octets exceeds ${whose} max-size of ${max}`;
}

function answerFile(
  offered: MsrpMedia,
  file: FileDescription,
  caps: AnswerCapabilities,
): FileDescription | string {
  if (offered.direction === 'sendonly') {
    if (caps.acceptFiles === false) return 'we do not accept files';
    const type = file.selector.type;
    const taken = typesTaken(caps.acceptTypes, caps.wrappedTypes ?? []);
    if (type !== undefined && !taken.some((t) => typeMatches(t, type))) {
      return `the file's type ${type} is not among the types we accept (${taken.join(' ')})`;
    }
    const size = file.selector.size;
    const tooLarge = overMaxSize(file.range, size, caps.maxSize, 'our');
    if (tooLarge !== undefined) return tooLarge;
    const refused = refuseRange(file, size, caps);
    if (refused !== undefined) return refused;
    // RFC 5547 §8: the answer to a push repeats the offer's file-selector and file-transfer-id,
    // and its file-range (§6), so that both sides agree on which octets travel.
    return file;
  }
  if (offered.direction === 'recvonly') {
    if (!caps.serveFile) return 'the offer pulls a file and we serve none';
    const served = caps.serveFile(file);
    if (!served) return 'we have no file that matches the pull request';
    const type = served.selector.type;
    const taken = typesTaken(offered.acceptTypes, offered.wrappedTypes);
    if (type !== undefined && !taken.some((t) => typeMatches(t, type))) {
      return `the offer does not accept the file's type ${type} (it accepts ${taken.join(' ')})`;
    }
    const refused = refuseRange(file, served.selector.size, caps);
    if (refused !== undefined) return refused;
    // The offerer takes messages up to its max-size: what we would send must fit, or the
    // transfer fails with a 413.
    const tooLarge = overMaxSize(file.range, served.selector.size, offered.maxSize, "the offer's");
    if (tooLarge !== undefined) return tooLarge;
    // The file-transfer-id names the transfer the offer started; it must stay the same. The
    // range is the one the offer asked for (RFC 5547 §6), repeated, never one of our own.
    const answered: { -readonly [K in keyof FileDescription]: FileDescription[K] } = { ...served };
    delete answered.range;
    return {
      ...answered,
      ...(file.transferId !== undefined && { transferId: file.transferId }),
      ...(file.range !== undefined && { range: file.range }),
    };
  }
  return `a file offer must be sendonly (push) or recvonly (pull), not ${offered.direction}`;
}

/**
 * Our `a=setup`, or why there is none that works: a side whose first hop is an `.invalid`
 * host (a WebSocket client without a relay, RFC 7977 §5.2.2) cannot be connected to, so the
 * other side must not be the one that waits for it.
 */
function chooseSetup(
  offered: MsrpMedia,
  caps: AnswerCapabilities,
  path: readonly MsrpUri[],
): { readonly setup: SetupRole | undefined } | { readonly reason: string } {
  const peerUnreachable = isUnreachable(offered.path[0]!);
  const selfUnreachable = isUnreachable(path[0]!);
  const preference = peerUnreachable ? 'passive' : selfUnreachable ? 'active' : caps.setup;
  const setup = answerSetup(offered.setup, preference);
  // RFC 6135 §1: without a=setup on both sides the offerer connects.
  const weConnect = setup === 'active';
  const theyConnect = setup === undefined || setup === 'passive';
  if (weConnect && peerUnreachable) {
    return {
      reason: `the offer asks us to connect to ${formatUri(offered.path[0]!)}, an .invalid host that cannot be reached`,
    };
  }
  if (theyConnect && selfUnreachable) {
    return {
      reason: `the offerer would connect to our first hop ${formatUri(path[0]!)}, an .invalid host that cannot be reached`,
    };
  }
  return { setup };
}

function evaluate(offered: MsrpMedia, caps: AnswerCapabilities, path: MsrpUri[]): Outcome {
  if (offered.port === 0) return { reason: 'the offer disabled the stream (port 0)' };
  const proto = protoForPath(path);
  // RFC 7977 §5.2.2: over WebSocket the m-line still says TCP/MSRP or TCP/TLS/MSRP; an
  // offer's TCP/WS/MSRP or TCP/WSS/MSRP (older peers) is read as those, and we answer with
  // the RFC 4975 proto of the same security, never echoing the WebSocket one.
  if (proto !== canonicalProto(offered.proto)) {
    return {
      reason: `the offer asks for ${offered.proto} but our URI ${formatUri(path[0]!)} calls for ${proto}`,
    };
  }
  const chosen = chooseSetup(offered, caps, path);
  if ('reason' in chosen) return chosen;
  let acceptTypes: string[];
  let wrappedTypes: string[];
  if (offered.direction === 'sendonly' || offered.direction === 'recvonly') {
    // One way: each side's accept-types say what it takes (RFC 4975 §8.6) and only one side
    // takes messages, so there is nothing to intersect; ours are what we take.
    acceptTypes = [...caps.acceptTypes];
    wrappedTypes = [...(caps.wrappedTypes ?? [])];
  } else {
    // Both ways: we answer with the types both sides take, so that neither sends what the
    // other cannot read.
    acceptTypes = intersectTypes(offered.acceptTypes, caps.acceptTypes);
    if (acceptTypes.length === 0) {
      return {
        reason: `no common accept-types: the offer has ${offered.acceptTypes.join(' ')}, we accept ${caps.acceptTypes.join(' ')}`,
      };
    }
    // Wrapped types only mean something when both sides accept a container to wrap them in.
    wrappedTypes = acceptsContainer(acceptTypes)
      ? intersectTypes(offered.wrappedTypes, caps.wrappedTypes ?? [])
      : [];
  }
  let file: FileDescription | undefined;
  if (offered.file) {
    const answered = answerFile(offered, offered.file, caps);
    if (typeof answered === 'string') return { reason: answered };
    file = answered;
  }
  const setup = chosen.setup;
  const connectionMode = offered.connectionMode ?? (setup === undefined ? undefined : 'new');
  return {
    media: {
      port: caps.port ?? path[0]!.port ?? 2855,
      proto,
      formats: ['*'],
      path,
      acceptTypes,
      wrappedTypes,
      ...(caps.maxSize !== undefined && { maxSize: caps.maxSize }),
      ...(setup !== undefined && { setup }),
      ...(connectionMode !== undefined && { connectionMode }),
      // RFC 6714 §5: CEMA applies only when the answer carries msrp-cema too.
      cema: offered.cema && caps.cema === true,
      ...(caps.chatroom && { chatroom: chatroomOf(caps.chatroom) }),
      fingerprints: caps.fingerprint === undefined ? [] : [parseFingerprintText(caps.fingerprint)],
      direction: ANSWER_DIRECTION[offered.direction],
      ...(file && { file }),
    },
  };
}

/** The `m=` line of a media section we do not take, with port 0 (RFC 3264 §6). */
function rejected(section: MediaDescription): MediaDescription {
  const m = parseMediaLine(section.lines[0]!);
  return { lines: [{ type: 'm', value: `${m.media} 0 ${m.proto} ${m.formats.join(' ')}`.trim() }] };
}

/**
 * Answers an SDP offer (RFC 3264) for its first MSRP media stream: for a two-way stream,
 * answers with the types both sides accept (wildcards honoured; wrapped types only inside an
 * agreed container); for a one-way stream (a file push or pull), with our own; answers
 * `a=setup` per RFC 6135 and RFC 4145, mirrors the direction (RFC 3264 §6.1), takes or
 * serves the RFC 5547 file (repeating its `a=file-range`, or refusing it), and adds `a=msrp-cema` when offered and supported. When nothing
 * can be agreed the stream is rejected with port 0 and {@link Answer.reason} says why.
 * Other media sections of the offer are rejected with port 0: this package speaks MSRP only.
 *
 * @throws {SdpError} `SDP_ERR_NO_MSRP` when the offer has no MSRP media; the errors of
 * {@link parseSdp} and {@link parseMsrpMedia} for a malformed offer;
 * `SDP_ERR_INVALID_ARGUMENT` for capabilities that cannot be written, or an offer that is
 * neither text nor a {@link SessionDescription} (a Buffer: decode it first).
 */
export function createAnswer(
  offer: string | SessionDescription,
  capabilities: AnswerCapabilities,
): Answer {
  const description = toDescription(offer, 'createAnswer');
  const offered = findMsrpMedia(description);
  const path = localPath(capabilities.localUri, capabilities.relayPath);
  const outcome = evaluate(offered, capabilities, path);
  const session = sessionLines(capabilities, connectionFor(capabilities.address ?? path[0]!.host));
  const media = description.media.map((section, i): MediaDescription => {
    if (i !== offered.index) return rejected(section);
    if ('reason' in outcome) return rejected(section);
    return { lines: formatMsrpMedia(outcome.media) };
  });
  const sdp = serializeSdp({ session, media, eol: '\r\n', trailer: '\r\n' });
  return 'reason' in outcome
    ? { sdp, accepted: false, reason: outcome.reason, mediaIndex: offered.index }
    : { sdp, accepted: true, mediaIndex: offered.index };
}
