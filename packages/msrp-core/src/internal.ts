// Plumbing of @msrp-ts/msrp-core for its sibling packages (the relay), as the
// `@msrp-ts/msrp-core/internal` subpath. No stability promise: names here change with the
// packages that use them. Applications import the package root (./index.ts).
export {
  parseAuthHeader,
  formatAuthHeader,
  parseAuthParams,
  formatAuthParams,
} from './wire/digest.js';
export { DEFAULT_MAX_HEADER_BYTES } from './wire/frame-sink.js';
export { identEnd, paramValue } from './wire/grammar.js';
export { formatHead, parseStartLine, parseHeaderLine, checkHead } from './wire/head.js';
export {
  encodeFrame,
  encodeHead,
  encodeEndLine,
  containsEndLine,
  ChunkHeadTemplate,
} from './wire/serializer.js';
export { WireSlab } from './wire/wire-slab.js';
export {
  encodeResponse,
  wantsResponse,
  answerableRequest,
  REASON_PHRASES,
  oneLineComment,
} from './wire/response.js';
export { responseFrame, responseHead } from './wire/response-frame.js';

export { Connection } from './transport/connection.js';
export type { ConnectionHandler } from './transport/connection.js';
export type { ByteStream, ByteStreamEvents } from './transport/byte-stream.js';
export { peerName, socketStream } from './node/socket-stream.js';
export { lendRead, returnRead, returnReads } from './transport/lent-reads.js';
export { createListener, connectionEvent } from './node/listener.js';
export { checkDialable } from './transport/dialer.js';
export { ConnectionLimits } from './transport/connection-limits.js';
export type {
  Admission,
  ConnectionLimit,
  ConnectionLimitsOptions,
} from './transport/connection-limits.js';
export { Deadline } from './transport/deadline.js';
export { FrameDeadline } from './transport/frame-deadline.js';
export {
  TimerWheel,
  sharedWheel,
  type WheelClock,
  type WheelEntry,
} from './transport/timer-wheel.js';
export { checkPeerFingerprint } from './node/fingerprint.js';
export { discardFrame, atEnd } from './transport/frame-target.js';
export type { FrameTarget } from './transport/frame-target.js';
export { listenMsrp, listenOn } from './node/listen.js';
export type { ListenAddress, ListenHandlers, Listening, ListenReads } from './node/listen.js';
export { ExpiringMap } from './transport/expiring-map.js';
export { backgroundTimer, type Timer } from './events/timers.js';

export { parseDigestAlgorithm, DIGEST_ALGORITHMS } from './session/digest-response.js';
// The Node entry: digest, registration and file hashing with Node's hasher by default.
export {
  digestHa1,
  digestHash,
  digestResponse,
  RelayRegistration,
  answerChallenge,
  HashTap,
} from './node/node-digest.js';
export type { RelayRegistrationOptions } from './node/node-digest.js';
// The same without Node: the hasher is a required argument (for the browser entry).
export { RelayRegistration as NeutralRelayRegistration } from './session/relay-registration.js';
export type { RelayRegistrationOptions as NeutralRelayRegistrationOptions } from './session/relay-registration.js';
export { HashTap as NeutralHashTap } from './session/file-transfer.js';
export type { DigestInput } from './session/digest-response.js';
export type { RegistrationLink, RelayRegistrationEvents } from './session/relay-registration.js';
export { TransactionTable, type TransactionSettle } from './session/transaction-table.js';
export { accepts } from './session/inbound.js';
export type { ChunkReceiver } from './session/chunk-receiver.js';
export type { ChunkAnswer } from './session/chunk-receiver.js';
export type { SessionLink, SessionPort, Transaction } from './session/session-link.js';
export { toHex } from './session/hasher.js';
// Values applications import from the root, here as well so that the relay loads only this
// entry (the root also loads the chat codecs and their XML parser: ~7 MiB of a relay's memory).
export { MsrpError, toMsrpError } from './errors.js';
export { formatUri, isUriHost, uriEquals, uriKey } from './wire/uri.js';
export { newTransactionId, newSessionId, IdSequence, TransactionIds } from './wire/ids.js';
export { defaultDialers } from './node/dial.js';
export { removeTemporaries, temporaryPath } from './node/temporary-copy.js';
export { wsStream, WS_OPTIONS } from './node/ws-stream.js';
export { checkNumbers, type NumberRule } from './option-check.js';
