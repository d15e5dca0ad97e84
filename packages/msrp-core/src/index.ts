// Public API of @msrp-ts/msrp-core: what an application uses. Plumbing that sibling packages
// (the relay) need is in ./internal.ts, the `@msrp-ts/msrp-core/internal` subpath, which has no
// stability promise.
export { MsrpError } from './errors.js';
export type { MsrpErrorCode, MsrpErrorOptions } from './errors.js';

// The codec: URIs, header values, frames and ids.
export { parseUri, formatUri, uriEquals, uriKey } from './wire/uri.js';
export type { MsrpUri, UriParam } from './wire/uri.js';
export { parseByteRange, formatByteRange } from './wire/byte-range.js';
export type { ByteRange } from './wire/byte-range.js';
export { parseStatusHeader, formatStatusHeader } from './wire/status-header.js';
export type { StatusHeader } from './wire/status-header.js';
export { parseContentType, formatContentType, mediaTypeOf } from './wire/content-type.js';
export type { ContentType } from './wire/content-type.js';
export type { AuthHeader } from './wire/digest.js';
export type { Param } from './wire/grammar.js';
export type { Head, RequestHead, ResponseHead, MsrpHeaders, HeaderField } from './wire/head.js';
export { Parser } from './wire/parser.js';
export type { FrameSink, ParserOptions, ContinuationFlag } from './wire/parser.js';
export { encodeFrame } from './wire/serializer.js';
export { newTransactionId, newMessageId, newSessionId } from './wire/ids.js';

// Transports: byte streams, dialers by URI scheme, TLS options and fingerprints.
export type { ByteStream, ByteStreamEvents } from './transport/byte-stream.js';
export { unreachableHost } from './transport/dialer.js';
export type { Dialer, DialOptions, TlsClientOptions } from './transport/dialer.js';
export type { TlsServerOptions } from './node/listener.js';
export { dialTcp, dialTls, defaultDialers } from './node/dial.js';
export { certificateFingerprint, normalizeFingerprint } from './node/fingerprint.js';

// Relays (RFC 4976): accounts for Endpoint, Digest for credential stores.
export { DIGEST_ALGORITHMS } from './session/digest-response.js';
export { digestHa1 } from './node/node-digest.js';
export type { DigestAlgorithm } from './session/digest-response.js';
export type { RelayAccount } from './session/relay-registration.js';

// Sessions, messages and files.
export { Session } from './session/session.js';
export type {
  ConnectOptions,
  SessionOptions,
  SendOptions,
  SendFileOptions,
  FileDelivery,
  SessionState,
  SessionEvents,
} from './session/session.js';
export { FILE_HASH_HEADER, formatHash, hashMatches } from './session/file-transfer.js';
export type { FileHashes, SavedFile } from './session/file-transfer.js';
export type { ByteSource, NodeReadableLike } from './session/byte-source.js';
export { PieceStream } from './session/piece-stream.js';
export type { PieceStreamHooks } from './session/piece-stream.js';
export type { FileAccess, OpenFileOptions, SessionRuntime } from './session/session-runtime.js';
export type { FileSource } from './session/file-transfer.js';
export { IncomingMessage } from './session/incoming-message.js';
export { DeliveryError } from './session/delivery.js';
export type { Delivery, Progress, ReceivedReport } from './session/delivery.js';

export { Endpoint } from './endpoint/endpoint.js';
// What EndpointOptions extends: per-connection limits and transaction timeouts.
export type { ConnectionOptions } from './transport/connection.js';
export type { TransactionTableOptions } from './session/transaction-table.js';
export type {
  EndpointOptions,
  EndpointEvents,
  CreateSessionOptions,
  ListenOptions,
  AuthenticateOptions,
} from './endpoint/endpoint.js';
export { toMsrpError } from './errors.js';

// Events and hashing that run without Node; Node's hashing is the default on Node.
export { TypedEmitter } from './events/typed-emitter.js';
export { nextEvent } from './events/next-event.js';
export type { EventMap, TypedListener } from './events/typed-emitter.js';
export type { Hasher, HasherFactory, HashAlgorithm } from './session/hasher.js';
export { nodeHasher } from './node/node-hasher.js';
