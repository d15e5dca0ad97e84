import { formatUri, type MsrpUri } from '@msrp-ts/msrp-core/uri';
import { acceptsContainer, intersectTypes } from './accept-types.js';
import type { Chatroom } from './chatroom.js';
import { SdpError } from './errors.js';
import type { FileDescription, FileRange } from './file-description.js';
import { formatRange, rangeLength, rangeProblem, sameRange } from './file-range.js';
import { formatFileHash } from './file-selector.js';
import { parseMsrpMedia, type Direction, type MsrpMedia } from './msrp-media.js';
import { canonicalProto, isUnreachable, type WrittenProto } from './proto.js';
import { toDescription, type SessionDescription } from './session-description.js';
import { activeParty, type ActiveParty } from './setup-role.js';

/** A transport address to open a TCP connection to. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** What one side of a negotiated MSRP session needs to set it up, from its own point of view. */
export interface NegotiatedSide {
  /** Our `a=path`: our relays' Use-Path URIs, then our own URI. */
  readonly localPath: readonly MsrpUri[];
  /** Our own URI, the last of {@link localPath}: the URI our session listens as. */
  readonly localUri: MsrpUri;
  /** The peer's `a=path`: the To-Path of what we send (RFC 4975 §8.2). */
  readonly remotePath: readonly MsrpUri[];
  /** Whether this side opens the connection: `connect(remotePath)`, else `accept(remotePath)`. */
  readonly connects: boolean;
  /**
   * Where this side connects, when it does: the first URI of the remote path (RFC 4975 §8.2),
   * which for a WebSocket client behind a relay is the relay, never the client's `.invalid`
   * URI behind it (RFC 7977 §5.2.2); or with CEMA the peer's `c=` address and `m=` port
   * (RFC 6714 §4).
   */
  readonly connectTo?: HostPort;
  /** Our `a=max-size`: the largest message we take. */
  readonly maxSize?: number;
  /** The peer's `a=max-size`: the largest message we may send. */
  readonly remoteMaxSize?: number;
  /**
   * The types we take, as our own SDP declared them (RFC 4975 §8.6): what our session
   * accepts (msrp-core `acceptTypes`); the peer may send any of them.
   */
  readonly acceptTypes: readonly string[];
  /** The types we take inside a container, as our SDP declared them. */
  readonly wrappedTypes: readonly string[];
  /** Our direction attribute. */
  readonly direction: Direction;
  /**
   * Whether we may send messages: our direction is `sendrecv` or `sendonly` and the peer's
   * `sendrecv` or `recvonly` (RFC 3264 §6.1). False for both sides when either is `inactive`.
   */
  readonly sends: boolean;
  /**
   * Whether we take messages: our direction is `sendrecv` or `recvonly` and the peer's
   * `sendrecv` or `sendonly` (RFC 3264 §6.1). False for both sides when either is `inactive`.
   */
  readonly receives: boolean;
  /**
   * The peer's certificate fingerprint for `msrps`, `SHA-256 AB:CD:...` (a SHA-256 one when
   * it gave several), to check its TLS certificate against.
   */
  readonly remoteFingerprint?: string;
  /**
   * The peer's `a=chatroom` (RFC 7701 §8): the peer is a chat room, and whether it takes
   * nicknames (`session.setNickname()`) and private messages. Absent for a plain peer.
   */
  readonly remoteChatroom?: Chatroom;
}

/** The file transfer of a negotiated session (RFC 5547). */
export interface NegotiatedFile {
  /** `push`: the offerer sends the file; `pull`: the answerer does (RFC 5547 §8). */
  readonly mode: 'push' | 'pull';
  /** Which side sends the file. */
  readonly sender: 'offerer' | 'answerer';
  /** The file: the answer's full description for a pull, the offer's for a push. */
  readonly description: FileDescription;
  /**
   * The announced hash as one string, `sha-1:AB:CD:...`, for the receiver to check the
   * file against (msrp-core: `message.saveTo(path, { expectedHash })`).
   */
  readonly expectedHash?: string;
  /**
   * The agreed `a=file-range` (RFC 5547 §6), as the offer wrote it and the answer repeated
   * it: the octets of the file that travel, 1-based and inclusive. Absent: the whole file.
   */
  readonly range?: FileRange;
  /**
   * Whether the transfer starts past the file's first octet: a resume, whose receiver
   * already holds the octets before {@link NegotiatedFile.offset}.
   */
  readonly resume: boolean;
  /**
   * Where in the file the transferred octets go: `range.start - 1`, 0 for the whole file.
   * The MSRP message carries only the range, so its Byte-Range counts from 1 again (§6):
   * its octet n is the file's octet `offset + n`.
   */
  readonly offset: number;
  /** The number of octets that travel, when known (a numeric stop, or a known size). */
  readonly length?: number;
}

/** A successful negotiation: the agreed terms and what each side needs. */
export interface Negotiation {
  readonly accepted: true;
  /** Index of the MSRP media section in both descriptions. */
  readonly mediaIndex: number;
  /**
   * The agreed proto, as RFC 7977 §5.2.2 writes it: `TCP/MSRP` or `TCP/TLS/MSRP`. A side that
   * wrote `TCP/WS/MSRP` or `TCP/WSS/MSRP` (older WebSocket peers) counts as having written
   * `TCP/MSRP` or `TCP/TLS/MSRP`; whether the hop is a WebSocket shows in the path (`;ws`).
   */
  readonly proto: WrittenProto;
  /** Who opens the connection (RFC 6135; RFC 4975's offerer when `a=setup` is absent). */
  readonly active: ActiveParty;
  /**
   * The agreed types: for a two-way stream those both sides accept (wildcards resolved to
   * the narrower type); for a one-way stream those its receiver accepts.
   */
  readonly acceptTypes: readonly string[];
  /** The agreed types inside an agreed container (`message/cpim`); empty without one. */
  readonly wrappedTypes: readonly string[];
  /** Both sides sent `a=msrp-cema` (RFC 6714 §5). */
  readonly cema: boolean;
  /** The RFC 5547 file transfer, if the offer described a file. */
  readonly file?: NegotiatedFile;
  /** The offerer's view. */
  readonly offerer: NegotiatedSide;
  /** The answerer's view. */
  readonly answerer: NegotiatedSide;
}

/** A stream that could not be set up, and why. */
export interface Rejection {
  readonly accepted: false;
  readonly mediaIndex: number;
  /** Why: the answer's port 0, or terms the two descriptions do not agree on. */
  readonly reason: string;
}

function sends(direction: Direction): boolean {
  return direction === 'sendrecv' || direction === 'sendonly';
}

function receives(direction: Direction): boolean {
  return direction === 'sendrecv' || direction === 'recvonly';
}

function fingerprintOf(media: MsrpMedia): string | undefined {
  const f =
    media.fingerprints.find((x) => x.algorithm.toUpperCase() === 'SHA-256') ??
    media.fingerprints[0];
  return f && `${f.algorithm} ${f.value}`;
}

function connectTarget(peer: MsrpMedia, cema: boolean): HostPort | undefined {
  // RFC 6714 §4: with CEMA the connection goes to the SDP c=/m= address, where a middlebox
  // may anchor it, rather than to the a=path URI.
  if (cema && peer.connection) return { host: peer.connection.address, port: peer.port };
  const first = peer.path[0];
  return first && { host: first.host, port: first.port ?? 2855 };
}

function side(own: MsrpMedia, peer: MsrpMedia, connects: boolean, cema: boolean): NegotiatedSide {
  const connectTo = connects ? connectTarget(peer, cema) : undefined;
  const remoteFingerprint = fingerprintOf(peer);
  return {
    localPath: own.path,
    localUri: own.path.at(-1)!,
    remotePath: peer.path,
    connects,
    ...(connectTo && { connectTo }),
    ...(own.maxSize !== undefined && { maxSize: own.maxSize }),
    ...(peer.maxSize !== undefined && { remoteMaxSize: peer.maxSize }),
    acceptTypes: own.acceptTypes,
    wrappedTypes: own.wrappedTypes,
    direction: own.direction,
    // RFC 3264 §6.1: the answer's direction limits the flow the offer's allowed; a message
    // goes only from a side that sends to one that receives (a sendonly answer to sendrecv
    // leaves the offerer nothing to send).
    sends: sends(own.direction) && receives(peer.direction),
    receives: receives(own.direction) && sends(peer.direction),
    ...(remoteFingerprint !== undefined && { remoteFingerprint }),
    ...(peer.chatroom && { remoteChatroom: peer.chatroom }),
  };
}

function negotiatedFile(offered: MsrpMedia, answered: MsrpMedia): NegotiatedFile | string {
  const file = offered.file!;
  // RFC 5547 §8: a push offer is sendonly, a pull offer recvonly.
  const mode =
    offered.direction === 'sendonly'
      ? 'push'
      : offered.direction === 'recvonly'
        ? 'pull'
        : undefined;
  if (mode === undefined) {
    return `a file offer must be sendonly (push) or recvonly (pull), not ${offered.direction}`;
  }
  // RFC 5547 §8.2.1: the answer that takes a pushed file copies the offer's file-transfer-id;
  // with another id, or none, it answers some other transfer, or none in particular. The
  // sendonly answer serving a pull names the transfer it serves the same way.
  const id = file.transferId;
  if (id !== undefined && answered.file?.transferId !== id) {
    const said = answered.file?.transferId ?? 'none';
    return `the answer did not repeat the file-transfer-id ${id} (it has ${said})`;
  }
  // For a pull the answerer describes the file it sends; for a push it echoes the offer.
  const description = mode === 'pull' ? (answered.file ?? file) : file;
  const hash = description.selector.hash;
  const size = description.selector.size;
  const range = file.range;
  const problem = rangeProblem(range, size);
  if (problem !== undefined) return problem;
  // RFC 5547 §6: the answer repeats the range; one that drops or changes it has not agreed
  // to carry just those octets, and the receiver would put them in the wrong place.
  if (!sameRange(range, answered.file?.range, size)) {
    const said = answered.file?.range ? formatRange(answered.file.range) : 'none';
    return `the answer did not repeat the file-range ${range ? formatRange(range) : '1-*'} (it has ${said})`;
  }
  const length = rangeLength(range, size);
  const offset = (range?.start ?? 1) - 1;
  return {
    mode,
    sender: mode === 'push' ? 'offerer' : 'answerer',
    description: range ? { ...description, range } : description,
    ...(hash && { expectedHash: formatFileHash(hash) }),
    ...(range && { range }),
    resume: offset > 0,
    offset,
    ...(length !== undefined && { length }),
  };
}

/**
 * Puts an offer and its answer together (RFC 3264) for the first MSRP media stream of the
 * offer: both paths, who connects (RFC 6135 `a=setup`, or RFC 4975's offerer when either
 * side leaves it out), where to, the agreed types (both sides' for a two-way stream, the
 * receiver's for a one-way one), each side's own types, both max sizes, the RFC 5547 file,
 * its direction and its agreed range (a resume when it starts past octet 1), fingerprints, and whether CEMA applies (RFC 6714: both sides said so).
 *
 * @returns a {@link Negotiation}, or a {@link Rejection} when the answer refused the stream
 * (port 0), the two do not agree (proto, types, file direction, a file-range the answer did
 * not repeat or that the file's size cannot hold, the file-transfer-id of a push or a pull the
 * answer did not repeat), or the side that must connect would have to reach an `.invalid`
 * host (a WebSocket client with no relay in front of it, RFC 7977 §5.2.2).
 * @throws {SdpError} for malformed descriptions; `SDP_ERR_NO_MSRP` when the offer has no
 * MSRP media or the answer has none at the same position (RFC 3264 §6 keeps the order);
 * `SDP_ERR_INVALID_ARGUMENT` when either is neither text nor a {@link SessionDescription}
 * (a Buffer: decode it first).
 */
export function negotiate(
  offer: string | SessionDescription,
  answer: string | SessionDescription,
): Negotiation | Rejection {
  const offerMedia = parseMsrpMedia(toDescription(offer, 'negotiate'));
  const offered = offerMedia[0];
  if (!offered) throw new SdpError('SDP_ERR_NO_MSRP', 'The offer has no MSRP media');
  const answerMedia = parseMsrpMedia(toDescription(answer, 'negotiate'));
  const answered = answerMedia.find((m) => m.index === offered.index);
  if (!answered) {
    throw new SdpError(
      'SDP_ERR_NO_MSRP',
      `The answer has no MSRP media at position ${offered.index + 1}, where the offer has it`,
    );
  }
  const mediaIndex = offered.index;
  const reject = (reason: string): Rejection => ({ accepted: false, mediaIndex, reason });
  if (offered.port === 0) return reject('the offer disabled the stream (port 0)');
  if (answered.port === 0) return reject('the answer rejected the stream (port 0)');
  // RFC 7977 §5.2.2: TCP/WS/MSRP and TCP/WSS/MSRP are read as TCP/MSRP and TCP/TLS/MSRP.
  const proto = canonicalProto(offered.proto);
  if (canonicalProto(answered.proto) !== proto) {
    return reject(`the offer uses ${offered.proto}, the answer ${answered.proto}`);
  }
  // Messages flow towards a side that receives from a side that sends (RFC 3264 §5.1).
  const toOfferer = receives(offered.direction) && sends(answered.direction);
  const toAnswerer = receives(answered.direction) && sends(offered.direction);
  let acceptTypes: string[];
  let wrappedTypes: string[];
  if (toOfferer !== toAnswerer) {
    // One way: what the receiver takes is what may be sent (RFC 4975 §8.6).
    const receiver = toOfferer ? offered : answered;
    acceptTypes = [...receiver.acceptTypes];
    wrappedTypes = acceptsContainer(acceptTypes) ? [...receiver.wrappedTypes] : [];
  } else {
    acceptTypes = intersectTypes(offered.acceptTypes, answered.acceptTypes);
    if (acceptTypes.length === 0 && toOfferer) {
      return reject(
        `no common accept-types: the offer has ${offered.acceptTypes.join(' ')}, the answer ${answered.acceptTypes.join(' ')}`,
      );
    }
    // Only a=accept-wrapped-types says what a side takes inside a container (RFC 4975 §8.6):
    // a `*` in accept-types widens the outer types alone (RFC 5547's examples pair
    // accept-types:message/cpim with accept-wrapped-types:* for that), and msrp-core's
    // cpimWrappedTypeCheck answers 415 to a wrapped type outside the list.
    wrappedTypes = acceptsContainer(acceptTypes)
      ? intersectTypes(offered.wrappedTypes, answered.wrappedTypes)
      : [];
  }
  let file: NegotiatedFile | undefined;
  if (offered.file) {
    const negotiated = negotiatedFile(offered, answered);
    if (typeof negotiated === 'string') return reject(negotiated);
    file = negotiated;
  }
  const active = activeParty(offered.setup, answered.setup);
  const cema = offered.cema && answered.cema;
  const listener = active === 'offerer' ? answered : active === 'answerer' ? offered : undefined;
  const target = listener && connectTarget(listener, cema);
  if (target && isUnreachable(target)) {
    // A WebSocket client's .invalid URI (RFC 7977 §5.2.2) takes no connections: without a
    // relay in front of it, the side that must connect has nowhere to go.
    const where =
      target.host === listener.path[0]?.host ? formatUri(listener.path[0]) : target.host;
    return reject(
      `the ${active} must connect to ${where}, an .invalid host that cannot be reached (a WebSocket client without a relay must be the one that connects)`,
    );
  }
  return {
    accepted: true,
    mediaIndex,
    proto,
    active,
    acceptTypes,
    wrappedTypes,
    cema,
    ...(file && { file }),
    offerer: side(offered, answered, active === 'offerer', cema),
    answerer: side(answered, offered, active === 'answerer', cema),
  };
}
