// The options, events and values of the chat layer (chat.ts).
import type { MsrpError } from '../errors.js';
import type { Delivery } from '../session/delivery.js';
import type { IncomingMessage } from '../session/incoming-message.js';
import type { CpimAddressInit } from './cpim-builder.js';
import type { CpimDateTime } from './cpim-datetime.js';
import type { CpimAddress } from './cpim-header.js';
import type { CpimMessage, CpimName } from './cpim-message.js';
import type { DispositionNotification } from './imdn-request.js';
import type { ImdnNotification } from './imdn.js';
import type { IsComposing } from './is-composing.js';
import type { ComposingTimers } from './is-composing-timers.js';
import type { XmlLimits } from './xml-limits.js';

/** The CPIM address RCS one-to-one chats write in From and To (GSMA RCC.07). */
export const ANONYMOUS_CPIM_URI = 'sip:anonymous@anonymous.invalid';

/** Options of {@link Chat}. */
export interface ChatOptions {
  /**
   * Wrap what we send in `message/cpim`. Default: when the peer accepts `message/cpim`, read
   * from {@link peerAcceptTypes} (so false when those are not given).
   */
  cpim?: boolean;
  /**
   * The types the peer accepts: its SDP `accept-types` (sdp-msrp: the other side's
   * `NegotiatedSide.acceptTypes`, or the agreed `Negotiation.acceptTypes`).
   */
  peerAcceptTypes?: readonly string[];
  /** The types the peer accepts inside CPIM: its `accept-wrapped-types`. Informative. */
  peerWrappedTypes?: readonly string[];
  /**
   * The types we take inside CPIM (our `accept-wrapped-types`). A CPIM message wrapping
   * another type is reported as `malformed` (reason `unaccepted-type`), not delivered.
   * Default: any type. To answer such a message 415 instead (RFC 4975 §8.6), create the
   * session with `checkMessage: cpimWrappedTypeCheck(types)`: it then never reaches the Chat.
   */
  acceptWrappedTypes?: readonly string[];
  /** Our CPIM `From`. Default `<sip:anonymous@anonymous.invalid>`, as RCS one-to-one chats. */
  from?: CpimAddressInit;
  /** The CPIM `To` of what we send. Default `<sip:anonymous@anonymous.invalid>`. */
  to?: CpimAddressInit;
  /**
   * The notifications we ask for on each message (CPIM only), or false for none.
   * Default `{ positiveDelivery: true, display: true }`.
   */
  notifications?: Partial<DispositionNotification> | false;
  /**
   * Send our is-composing state on `typing()`. Default true. The status goes bare when the
   * peer's accept-types list `application/im-iscomposing+xml` (as RCS's do), else in CPIM
   * when {@link cpim} is on.
   */
  isComposing?: boolean;
  /** Milliseconds without `typing()` before we say idle. Default 15 000 (RFC 3994 §3.2). */
  composingIdleTimeout?: number;
  /** Clock and timers of the is-composing state machines; the global ones by default. */
  timers?: ComposingTimers;
  /** Limits of the XML parser for IMDN and is-composing bodies. */
  xmlLimits?: XmlLimits;
  /** Extension CPIM headers we understand, for `Require` (the IMDN ones are always known). */
  knownHeaders?: readonly CpimName[];
  /** How many sent messages we remember to correlate notifications with. Default 1000. */
  maxTracked?: number;
}

/** Options of {@link Chat.send}. */
export interface ChatSendOptions {
  /** The CPIM `To` of this message, e.g. one participant of a group chat. Default: the chat's. */
  to?: CpimAddressInit;
  /** The CPIM `Subject`. */
  subject?: string;
  /** Content type of the text. Default `text/plain;charset=utf-8`. */
  contentType?: string;
}

/** What {@link Chat.send} returns. */
export interface ChatSent {
  /** The message's `imdn.Message-ID` (CPIM), or its MSRP Message-ID (bare text). */
  readonly messageId: string;
  /**
   * Resolves when the session delivered it; rejects with its DeliveryError. Already marked
   * handled: leaving it unobserved raises no unhandled rejection.
   */
  readonly sent: Promise<Delivery>;
}

/** A chat message from the peer. */
export interface ChatMessage {
  /** The `imdn.Message-ID`, or the MSRP Message-ID when it has none (bare text). */
  readonly messageId: string;
  /** The CPIM `From` (undefined for bare text). */
  readonly from: CpimAddress | undefined;
  /** The CPIM `To` headers (empty for bare text). */
  readonly to: readonly CpimAddress[];
  /** The CPIM `DateTime` (undefined for bare text). */
  readonly dateTime: CpimDateTime | undefined;
  /** The content's media type, e.g. `text/plain`. */
  readonly contentType: string;
  /** The content as text, when it is text; else undefined (read {@link bytes}). */
  readonly text: string | undefined;
  /** The content's bytes. */
  readonly bytes: Uint8Array;
  /** The CPIM message, for other headers (Subject, cc, extensions); undefined for bare text. */
  readonly cpim: CpimMessage | undefined;
  /** Which notifications the sender asked for (all false for bare text). */
  readonly requested: DispositionNotification;
}

/** A notification from the peer about one of our messages. */
export interface ChatNotification {
  /** The `imdn.Message-ID` of our message, as {@link ChatSent.messageId} gave it. */
  readonly messageId: string;
  /** The IMDN itself (status, recipient...). */
  readonly imdn: ImdnNotification;
  /** The CPIM `From` of the notification, when it came wrapped. */
  readonly from: CpimAddress | undefined;
}

/** Why a body was not delivered as a chat message. */
export type ChatProblemReason =
  | 'bad-cpim'
  | 'bad-imdn'
  | 'bad-is-composing'
  | 'unsupported-require'
  | 'unaccepted-type'
  | 'unknown-message-id';

/** A body from the peer the chat could not take. */
export interface ChatProblem {
  /** What was wrong. */
  readonly reason: ChatProblemReason;
  /** The error, with its detail. */
  readonly error: MsrpError;
  /** The body as received. */
  readonly bytes: Uint8Array;
  /** Its MSRP Content-Type, as a media type. */
  readonly contentType: string | undefined;
}

/** Events of {@link Chat}. */
export interface ChatEvents {
  /** A chat message from the peer. */
  message: [message: ChatMessage];
  /** The peer got our message (IMDN `delivered`). */
  delivered: [notification: ChatNotification];
  /** The peer displayed our message (IMDN `displayed`). */
  displayed: [notification: ChatNotification];
  /** A delivery or display notification with a failure status (failed, forbidden, error). */
  failed: [notification: ChatNotification];
  /** The peer started composing. */
  composing: [status: IsComposing];
  /** The peer stopped composing: its `idle` status, or undefined (message, refresh timeout). */
  idle: [status: IsComposing | undefined];
  /** A body that could not be taken: bad CPIM or XML, unknown message id... Never thrown. */
  malformed: [problem: ChatProblem];
  /**
   * A message that is no chat content (a file, a large stream): its `IncomingMessage`. With
   * no listener a streamed one is refused (`discard()`: its chunks not answered yet get 413;
   * with `confirmWhenRead`, all of them), so that its sender is not told it was taken.
   */
  other: [message: IncomingMessage];
  /** Sending a notification or a composing status failed. */
  error: [error: Error];
  /** The session ended; no event follows. */
  close: [];
}
