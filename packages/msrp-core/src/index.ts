// Public API of @msrp-ts/msrp-core.
export { MsrpError } from './errors.js';
export type { MsrpErrorCode, MsrpErrorOptions } from './errors.js';

export { parseUri, formatUri, uriEquals, uriKey } from './wire/uri.js';
export type { MsrpUri, UriParam } from './wire/uri.js';
export { parseByteRange, formatByteRange } from './wire/byte-range.js';
export type { ByteRange } from './wire/byte-range.js';
export { parseStatusHeader, formatStatusHeader } from './wire/status-header.js';
export type { StatusHeader } from './wire/status-header.js';
export { parseContentType, formatContentType, mediaTypeOf } from './wire/content-type.js';
export type { ContentType } from './wire/content-type.js';
export {
  parseAuthHeader,
  formatAuthHeader,
  parseAuthParams,
  formatAuthParams,
} from './wire/digest.js';
export type { AuthHeader } from './wire/digest.js';
export { paramValue } from './wire/grammar.js';
export type { Param } from './wire/grammar.js';
export { formatHead, parseStartLine, parseHeaderLine, checkHead } from './wire/head.js';
export type { Head, RequestHead, ResponseHead, MsrpHeaders, HeaderField } from './wire/head.js';
export { Parser } from './wire/parser.js';
export type { FrameSink, ParserOptions, ContinuationFlag } from './wire/parser.js';
export {
  encodeHead,
  encodeEndLine,
  encodeFrame,
  containsEndLine,
  ChunkHeadTemplate,
} from './wire/serializer.js';
export {
  encodeResponse,
  wantsResponse,
  answerableRequest,
  REASON_PHRASES,
} from './wire/response.js';
export { newTransactionId, newMessageId, newSessionId } from './wire/ids.js';

export { Connection } from './transport/connection.js';
export { createListener, connectionEvent } from './transport/listener.js';
export type { TlsServerOptions } from './transport/listener.js';
export type { ConnectionHandler, ConnectionOptions } from './transport/connection.js';
export {
  dialTcp,
  dialTls,
  defaultDialers,
  checkDialable,
  unreachableHost,
} from './transport/dial.js';
export { ConnectionLimits } from './transport/connection-limits.js';
export type {
  Admission,
  ConnectionLimit,
  ConnectionLimitsOptions,
} from './transport/connection-limits.js';
export { Deadline } from './transport/deadline.js';
export type { Dialer, DialOptions, TlsClientOptions } from './transport/dial.js';
export {
  certificateFingerprint,
  normalizeFingerprint,
  checkPeerFingerprint,
} from './transport/fingerprint.js';

export {
  DIGEST_ALGORITHMS,
  parseDigestAlgorithm,
  digestHash,
  digestHa1,
  digestResponse,
} from './session/digest-response.js';
export type { DigestAlgorithm, DigestInput } from './session/digest-response.js';
export { RelayRegistration, answerChallenge } from './session/relay-registration.js';
export type {
  RelayAccount,
  RegistrationLink,
  RelayRegistrationEvents,
  RelayRegistrationOptions,
} from './session/relay-registration.js';
export { TransactionTable } from './session/transaction-table.js';
export type { TransactionTableOptions } from './session/transaction-table.js';
export { Session, accepts } from './session/session.js';
export type {
  ConnectOptions,
  SessionOptions,
  SendOptions,
  SendFileOptions,
  FileDelivery,
  SessionState,
  SessionEvents,
  ChunkReceiver,
} from './session/session.js';
export { FILE_HASH_HEADER, formatHash, hashMatches } from './session/file-transfer.js';
export type { FileHashes, SavedFile } from './session/file-transfer.js';
export { IncomingMessage } from './session/incoming-message.js';
export { DeliveryError } from './session/delivery.js';
export type { Delivery, Progress, ReceivedReport } from './session/delivery.js';

export { Endpoint } from './endpoint/endpoint.js';
export type {
  EndpointOptions,
  EndpointEvents,
  CreateSessionOptions,
  ListenOptions,
  AuthenticateOptions,
} from './endpoint/endpoint.js';
export type { SessionLink, SessionPort, Transaction } from './session/session-link.js';
export { discardFrame, atEnd } from './transport/frame-target.js';
export type { FrameTarget } from './transport/frame-target.js';
export { listenMsrp } from './transport/listen.js';
export type { ListenAddress, ListenHandlers, Listening } from './transport/listen.js';
export { ExpiringMap } from './transport/expiring-map.js';
export { responseFrame, responseHead } from './wire/response-frame.js';
export { toMsrpError } from './errors.js';
