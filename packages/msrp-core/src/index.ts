// Public API of @msrp-ts/msrp-core.
export { MsrpError } from './errors.js';
export type { MsrpErrorCode, MsrpErrorOptions } from './errors.js';

export { parseUri, formatUri, uriEquals } from './wire/uri.js';
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
export { encodeHead, encodeEndLine, encodeFrame, containsEndLine } from './wire/serializer.js';
export { newTransactionId, newMessageId, newSessionId } from './wire/ids.js';
