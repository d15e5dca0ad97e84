// Public API of @msrp-ts/sdp-msrp: SDP offer/answer for MSRP media. Pure functions over
// strings and plain objects; nothing here opens a socket.
export { SdpError } from './errors.js';
export type { SdpErrorCode, SdpErrorOptions } from './errors.js';

export { extractSdp } from './extract-sdp.js';

export { parseSdp, serializeSdp, parseMediaLine, sdpAttributes } from './session-description.js';
export type {
  SessionDescription,
  MediaDescription,
  MediaLine,
  SdpLine,
  SdpAttribute,
} from './session-description.js';

export { parseMsrpMedia, findMsrpMedia, isMsrpProto } from './msrp-media.js';
export type { MsrpMedia, MsrpProto, Direction, ConnectionData, Fingerprint } from './msrp-media.js';
export { formatMsrpMedia } from './format-msrp-media.js';
export { canonicalProto } from './proto.js';
export type { WrittenProto } from './proto.js';
export type { MsrpMediaInit } from './format-msrp-media.js';

export {
  parseFileSelector,
  formatFileSelector,
  formatFileHash,
  encodeFileName,
} from './file-selector.js';
export type { FileSelector, FileHash, FileTypeParam } from './file-selector.js';
export { parseFileDate, formatFileDate, parseFileRange } from './file-description.js';
export type { FileDescription, FileDate, FileRange } from './file-description.js';
export { missingRanges, resumeRange, resumeOffer } from './resume.js';
export type { PartialFileRecord, OctetSpan } from './resume.js';

export {
  intersectTypes,
  typeMatches,
  isAcceptType,
  acceptsContainer,
  CONTAINER_TYPES,
} from './accept-types.js';
export { answerSetup, activeParty, isSetupRole } from './setup-role.js';
export type { SetupRole, ActiveParty } from './setup-role.js';

export { createOffer } from './create-offer.js';
export type { OfferOptions, FileOffer } from './create-offer.js';
export { createAnswer } from './create-answer.js';
export type { AnswerCapabilities, Answer } from './create-answer.js';
export { negotiate } from './negotiate.js';
export type {
  Negotiation,
  Rejection,
  NegotiatedSide,
  NegotiatedFile,
  HostPort,
} from './negotiate.js';
export type { SessionLinesOptions } from './session-lines.js';

// Chat rooms (RFC 7701)
export { parseChatroom, formatChatroom } from './chatroom.js';
export type { Chatroom, ChatroomInit } from './chatroom.js';

// Chat the RCS way: CPIM, IMDN and is-composing types
export { RCS_CHAT_TYPES, RCS_CHAT_ACCEPT_TYPES, RCS_CHAT_WRAPPED_TYPES } from './rcs-chat.js';
