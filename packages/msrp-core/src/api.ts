// The public API that runs on every runtime, shared by the Node entry (index.ts) and the
// browser entry (browser.ts); each adds its own `Endpoint` and what only its runtime has.
export { IncompleteMessageError, MsrpError } from './errors.js';
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
export { DEFAULT_MAX_HEADER_BYTES } from './wire/frame-sink.js';
export { encodeFrame } from './wire/serializer.js';
export { newTransactionId, newMessageId, newSessionId } from './wire/ids.js';

// Transports: byte streams and dialers by URI scheme.
export type { ByteStream, ByteStreamEvents } from './transport/byte-stream.js';
export { unreachableHost } from './transport/dialer.js';
export type { Dialer, DialOptions, TlsClientOptions } from './transport/dialer.js';

// Relays (RFC 4976): accounts for the endpoint, digest algorithms.
export { DIGEST_ALGORITHMS } from './session/digest-response.js';
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
} from './session/options.js';
export type { ManyDelivery, ManyMessage, SendManyOptions } from './session/send-many.js';
export {
  FILE_HASH_HEADER,
  formatHash,
  hashAlgorithmOf,
  hashMatches,
} from './session/file-transfer.js';
export type { FileHashAlgorithm, SavedFile, SaveOptions } from './session/file-transfer.js';
export type { ByteSource, NodeReadableLike } from './session/byte-source.js';
export { PieceStream } from './session/piece-stream.js';
export type { NextPiecesOptions, PieceStreamHooks } from './session/piece-stream.js';
export type { FileAccess, OpenFileOptions, SessionRuntime } from './session/session-runtime.js';
export type { FileSource } from './session/file-transfer.js';
export { IncomingMessage } from './session/incoming-message.js';
export { receiveBlob } from './session/receive-blob.js';
export type { ReceiveBlobOptions } from './session/receive-blob.js';
export { DeliveryError } from './session/delivery.js';
export type { Delivery, Progress, ReceivedReport, RefusedMessage } from './session/delivery.js';

// What EndpointOptions extends: per-connection limits and transaction timeouts.
export type { ConnectionOptions } from './transport/connection.js';
export type { TransactionTableOptions } from './session/transaction-table.js';
export { EndpointBase } from './endpoint/endpoint-base.js';
export type { EndpointRuntime } from './endpoint/endpoint-base.js';
export type {
  EndpointOptions,
  EndpointEvents,
  CreateSessionOptions,
  AuthenticateOptions,
} from './endpoint/options.js';
export { toMsrpError } from './errors.js';

// Events, and the hashing seam (each entry brings its hasher).
export { TypedEmitter } from './events/typed-emitter.js';
export { nextEvent } from './events/next-event.js';
export type { EventMap, TypedListener } from './events/typed-emitter.js';
export type { Hasher, HasherFactory, HashAlgorithm } from './session/hasher.js';

// Chat: CPIM (RFC 3862)
export { parseCpim, formatCpim, CpimMessage } from './chat/cpim-message.js';
export type { CpimName, CpimSubject, ParseCpimOptions } from './chat/cpim-message.js';
export { createCpim } from './chat/cpim-builder.js';
export type { CpimInit, CpimAddressInit, CpimHeaderInit } from './chat/cpim-builder.js';
export { CPIM_HEADERS_NS } from './chat/cpim-header.js';
export type { CpimHeader, CpimParam, CpimAddress, CpimNamespace } from './chat/cpim-header.js';
export { parseCpimDateTime, formatCpimDateTime } from './chat/cpim-datetime.js';
export type { CpimDateTime } from './chat/cpim-datetime.js';
export { escapeCpim, unescapeCpim } from './chat/cpim-escape.js';
export type { CpimLimits } from './chat/cpim-lines.js';
export type { MimeField } from './chat/cpim-mime.js';

// Nicknames (RFC 7701)
export { NicknameError } from './session/nickname-error.js';
export type { NicknameAnswer, NicknameHandler, NicknameRequest } from './session/nickname.js';
export { parseUseNickname, formatUseNickname } from './wire/nickname.js';

// Chat: IMDN (RFC 5438) and is-composing (RFC 3994)
export { parseImdn, formatImdn, IMDN_XML_NAMESPACE, IMDN_CONTENT_TYPE } from './chat/imdn.js';
export type {
  ImdnNotification,
  ImdnCommon,
  ImdnKind,
  ImdnDeliveryStatus,
  ImdnDisplayStatus,
  ImdnProcessingStatus,
  ParseImdnOptions,
} from './chat/imdn.js';
export {
  parseDispositionNotification,
  formatDispositionNotification,
  newImdnMessageId,
  imdnRequestHeaders,
  isImdnRequested,
  imdnFor,
  IMDN_HEADER_NAMESPACE,
  IMDN_HEADER_PREFIX,
  IMDN_CONTENT_DISPOSITION,
} from './chat/imdn-request.js';
export type { DispositionNotification, ImdnRequest, ImdnOutcome } from './chat/imdn-request.js';
export {
  parseIsComposing,
  formatIsComposing,
  IS_COMPOSING_XML_NAMESPACE,
  IS_COMPOSING_CONTENT_TYPE,
} from './chat/is-composing.js';
export type { IsComposing, ComposingState, ParseIsComposingOptions } from './chat/is-composing.js';
export {
  ComposingSender,
  DEFAULT_COMPOSING_IDLE_TIMEOUT,
  DEFAULT_COMPOSING_REFRESH,
  MIN_COMPOSING_REFRESH,
} from './chat/is-composing-sender.js';
export type { ComposingSenderOptions } from './chat/is-composing-sender.js';
export { ComposingReceiver } from './chat/is-composing-receiver.js';
export type {
  ComposingReceiverEvents,
  ComposingReceiverOptions,
} from './chat/is-composing-receiver.js';
export type { ComposingTimers } from './chat/is-composing-timers.js';
export { DEFAULT_XML_LIMITS } from './chat/xml-limits.js';
export type { XmlLimits } from './chat/xml-limits.js';

// Chat layer: CPIM chat with IMDN and is-composing over a Session
export { Chat } from './chat/chat.js';
export { ANONYMOUS_CPIM_URI } from './chat/chat-types.js';
export { cpimWrappedTypeCheck } from './chat/cpim-wrapped-check.js';
export type { MessageCheck, MessageChecker } from './session/message-check.js';
export type {
  ChatOptions,
  ChatSendOptions,
  ChatSent,
  ChatMessage,
  ChatNotification,
  ChatProblem,
  ChatProblemReason,
  ChatEvents,
} from './chat/chat-types.js';
