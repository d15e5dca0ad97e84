// The chat layer: chat as RCS and other chat apps speak it over one MSRP session — text in
// CPIM (RFC 3862) or bare, delivery and display notifications (RFC 5438), is-composing
// (RFC 3994). Bad input from the peer becomes a `malformed` event, never a throw.
import { MsrpError } from '../errors.js';
import { TypedEmitter } from '../events/typed-emitter.js';
import { encodeUtf8 } from '../wire/bytes.js';
import { newMessageId } from '../wire/ids.js';
import type { Delivery } from '../session/delivery.js';
import { isFile, type IncomingMessage } from '../session/incoming-message.js';
import { accepts } from '../session/inbound.js';
import type { Session } from '../session/session.js';
import { readChatBody, type ChatInboundOptions } from './chat-inbound.js';
import {
  ANONYMOUS_CPIM_URI,
  type ChatEvents,
  type ChatMessage,
  type ChatOptions,
  type ChatProblemReason,
  type ChatSendOptions,
  type ChatSent,
} from './chat-types.js';
import { utf8Text, type CpimAddressInit } from './cpim-builder.js';
import { formatChatLine, formatComposingCpim, formatImdnCpim } from './chat-outbound.js';
import {
  imdnFor,
  isImdnRequested,
  newImdnMessageId,
  type DispositionNotification,
  type ImdnOutcome,
  type ImdnRequest,
} from './imdn-request.js';
import type { ImdnKind, ImdnNotification } from './imdn.js';
import { formatIsComposing, IS_COMPOSING_CONTENT_TYPE, type IsComposing } from './is-composing.js';
import { ComposingReceiver } from './is-composing-receiver.js';
import { ComposingSender } from './is-composing-sender.js';

const CPIM = 'message/cpim';
const TEXT_PLAIN = 'text/plain;charset=utf-8';
const DEFAULT_NOTIFICATIONS: Partial<DispositionNotification> = {
  positiveDelivery: true,
  display: true,
};

/** The notifications a message can get once each; processing ones are not reported. */
const KIND_BIT: Readonly<Record<ImdnKind, number>> = { delivery: 1, display: 2, processing: 0 };

/** Whether accept-types `types` take `media` (`type/subtype`), wildcards included. */
function acceptsType(types: readonly string[] | undefined, media: string): boolean {
  const [type, subtype] = media.split('/') as [string, string];
  return types !== undefined && accepts(types, { type, subtype, params: [] });
}

/**
 * A chat over a {@link Session}, as chat apps speak it: `send()` wraps text in CPIM when
 * the peer accepts `message/cpim` (else sends it bare) and asks for delivery and display
 * notifications; received messages are answered `delivered` at once and `displayed` on
 * {@link markDisplayed}; notifications for our messages come back as `delivered`,
 * `displayed` and `failed` events, the peer's typing as `composing` and `idle`.
 *
 * The Chat reads the session's messages itself (`for await` over the session): do not
 * iterate the session too. Messages that are no chat (files) come as `other` events. Bad
 * input from the peer never throws: it comes as a `malformed` event, and the chat goes on.
 *
 * @example
 * ```ts
 * const chat = new Chat(session, { peerAcceptTypes: negotiation.acceptTypes });
 * chat.on('message', (m) => { print(m.text); void chat.markDisplayed(m); });
 * chat.on('delivered', (n) => tick(n.messageId)).on('displayed', (n) => tickTick(n.messageId));
 * chat.on('composing', () => showTyping()).on('idle', () => hideTyping());
 * input.oninput = () => chat.typing();
 * const { messageId, sent } = chat.send('Hello');
 * ```
 */
export class Chat extends TypedEmitter<ChatEvents> {
  /** The session the chat runs on. */
  readonly session: Session;
  /** Whether we send in CPIM. */
  readonly cpim: boolean;
  readonly #from: CpimAddressInit;
  readonly #to: CpimAddressInit;
  readonly #notifications: Partial<DispositionNotification> | undefined;
  readonly #inbound: ChatInboundOptions;
  readonly #composingSender: ComposingSender | undefined;
  readonly #composingReceiver: ComposingReceiver;
  /**
   * imdn.Message-IDs of our messages, oldest first, with the notification kinds emitted for
   * each (bits of {@link KIND_BIT}): a repeat is dropped, and a delivery overtaken by its
   * display still finds its message.
   */
  readonly #tracked = new Map<string, number>();
  readonly #maxTracked: number;
  /**
   * What answering each received message needs, for markDisplayed: what it asked for, and
   * its sender's path (where the IMDN goes).
   */
  readonly #requests = new WeakMap<
    ChatMessage,
    { request: ImdnRequest; from: IncomingMessage['fromPath'] }
  >();
  readonly #composingInCpim: boolean;
  #closed = false;

  /**
   * Starts reading `session`'s messages (which must not be iterated elsewhere).
   * @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` for a bad option (composing timeout).
   */
  constructor(session: Session, options: ChatOptions = {}) {
    super();
    this.session = session;
    this.cpim = options.cpim ?? acceptsType(options.peerAcceptTypes, CPIM);
    // RCS lists is-composing in accept-types, not in accept-wrapped-types: then it goes bare.
    this.#composingInCpim =
      this.cpim && !acceptsType(options.peerAcceptTypes, IS_COMPOSING_CONTENT_TYPE);
    this.#from = options.from ?? ANONYMOUS_CPIM_URI;
    this.#to = options.to ?? ANONYMOUS_CPIM_URI;
    const notifications = options.notifications ?? DEFAULT_NOTIFICATIONS;
    this.#notifications =
      notifications === false || !Object.values(notifications).some((v) => v === true)
        ? undefined
        : notifications;
    this.#inbound = {
      acceptWrappedTypes: options.acceptWrappedTypes,
      knownHeaders: options.knownHeaders ?? [],
      xmlLimits: options.xmlLimits,
    };
    this.#maxTracked = options.maxTracked ?? 1000;
    const timers = options.timers && { timers: options.timers };
    if (options.isComposing !== false) {
      this.#composingSender = new ComposingSender({
        send: (status) => this.#sendComposing(status),
        onError: (e) => this.#error(e),
        contenttype: 'text/plain',
        ...(options.composingIdleTimeout !== undefined && {
          idleTimeout: options.composingIdleTimeout,
        }),
        ...timers,
      });
    }
    this.#composingReceiver = new ComposingReceiver({ ...timers });
    this.#composingReceiver.on('composing', (s) => this.emit('composing', s));
    this.#composingReceiver.on('idle', (s) => this.emit('idle', s));
    void this.#readLoop();
  }

  /** Whether the peer is composing, as last known. */
  get peerComposing(): boolean {
    return this.#composingReceiver.state === 'active';
  }

  /**
   * Sends `text`: in CPIM (with `imdn.Message-ID`, DateTime and the notifications asked
   * for) or bare. Ends our composing state (RFC 3994 §3.3: the message says it).
   * @returns the message's id, by which notifications name it, and the session's delivery.
   * `sent` rejects as `Session.send` does (DeliveryError, MSRP_ERR_SESSION...), and with
   * MSRP_ERR_SESSION once the chat is closed.
   */
  send(text: string, options: ChatSendOptions = {}): ChatSent {
    if (this.#closed) {
      // Nobody reads for a closed chat: the notifications a line asks for would be refused.
      const sent = Promise.reject(
        new MsrpError('MSRP_ERR_SESSION', 'Cannot send: the chat is closed'),
      );
      sent.catch(() => undefined);
      return { messageId: newMessageId(), sent };
    }
    const contentType = options.contentType ?? TEXT_PLAIN;
    this.#composingSender?.sent();
    let sent: Promise<Delivery>;
    if (!this.cpim) {
      // RFC 4975 §9: an MSRP Message-ID is at most 32 characters, so no UUID here.
      const messageId = newMessageId();
      try {
        sent = this.session.send(encodeUtf8(utf8Text(text, 'text')), { contentType, messageId });
      } catch (e) {
        sent = Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
      sent.catch(() => undefined);
      return { messageId, sent };
    }
    const messageId = newImdnMessageId();
    try {
      const bytes = formatChatLine({
        from: this.#from,
        to: options.to ?? this.#to,
        messageId,
        notifications: this.#notifications,
        subject: options.subject,
        contentType,
        text,
      });
      if (this.#notifications !== undefined) this.#track(messageId);
      sent = this.session.send(bytes, { contentType: CPIM });
    } catch (e) {
      sent = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    // Apps often fire and forget: a failure must not become an unhandled rejection.
    sent.catch(() => undefined);
    return { messageId, sent };
  }

  /** The user is typing: sends `active` when we were idle (RFC 3994 §3.2). No-op when off. */
  typing(): void {
    this.#composingSender?.typing();
  }

  /** The user cleared the input without sending: sends `idle` now. */
  stopTyping(): void {
    this.#composingSender?.idle();
  }

  /**
   * The user has seen `message`: sends the `displayed` IMDN when its sender asked for one
   * (RFC 5438 §7.2). Resolves true once sent, false when none was asked for or sending it
   * failed (the failure is emitted as `error`); never rejects.
   */
  async markDisplayed(message: ChatMessage): Promise<boolean> {
    try {
      return await this.#notify(message, { kind: 'display', status: 'displayed' });
    } catch (e) {
      this.#error(e);
      return false;
    }
  }

  /**
   * Stops the composing timers and events; the session stays open (close it yourself), and
   * what still comes on it is refused (`discard()`: 413 for chunks not answered yet).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#composingSender?.close();
    this.#composingReceiver.close();
    this.emit('close');
  }

  async #notify(message: ChatMessage, outcome: ImdnOutcome): Promise<boolean> {
    const asked = this.#requests.get(message);
    if (asked === undefined || !isImdnRequested(asked.request.dispositionNotification, outcome)) {
      return false;
    }
    const { request, from } = asked;
    const recipient = typeof this.#from === 'string' ? this.#from : this.#from.uri;
    await this.#sendImdn(request, imdnFor(request, outcome, recipient), from);
    return true;
  }

  /**
   * RFC 5438 §7.2.1: the IMDN goes in CPIM, To the message's From; over MSRP to the
   * message's From-Path, as a REPORT would (RFC 4975 §7.1.2): a listener that several peers
   * reach through one relay answers each.
   */
  async #sendImdn(
    request: ImdnRequest,
    imdn: ImdnNotification,
    toPath: IncomingMessage['fromPath'],
  ): Promise<void> {
    const bytes = formatImdnCpim(this.#from, request, imdn);
    await this.session.send(bytes, { contentType: CPIM, ...(toPath && { toPath }) });
  }

  #sendComposing(status: IsComposing): Promise<Delivery> {
    const xml = formatIsComposing(status);
    if (!this.#composingInCpim) {
      return this.session.send(xml, { contentType: IS_COMPOSING_CONTENT_TYPE });
    }
    return this.session.send(formatComposingCpim(this.#from, this.#to, xml), {
      contentType: CPIM,
    });
  }

  #track(messageId: string): void {
    this.#tracked.set(messageId, 0);
    // Bounded: the oldest message stops being correlated first.
    for (const old of this.#tracked.keys()) {
      if (this.#tracked.size <= this.#maxTracked) break;
      this.#tracked.delete(old);
    }
  }

  async #readLoop(): Promise<void> {
    try {
      for await (const incoming of this.session) {
        if (this.#closed) {
          // Nobody reads the chat any more: refused, not drained, which would tell the sender
          // it was read (chunks not answered yet get 413).
          incoming.discard();
          continue;
        }
        try {
          this.#take(incoming);
        } catch (e) {
          // A listener that threw: the chat goes on with the next message.
          this.#error(e);
        }
      }
    } catch (e) {
      this.#error(e);
    }
    this.close();
  }

  #take(incoming: IncomingMessage): void {
    if (incoming.body === undefined || isFile(incoming)) {
      // Larger than the session's inMemoryThreshold, or a file (an attachment, or named as in
      // an RFC 5547 transfer): no chat line, even when it is text.
      // Nobody takes it: refused (its chunks not answered yet get 413), not drained, which
      // would tell its sender it was taken.
      if (this.listenerCount('other') > 0) this.emit('other', incoming);
      else incoming.discard();
      return;
    }
    // Cut short by a lost connection: a part of a message is no message.
    if (incoming.aborted) return;
    const bytes = incoming.body;
    const read = readChatBody(bytes, incoming.contentType, incoming.messageId, this.#inbound);
    switch (read.kind) {
      case 'message':
        this.#composingReceiver.messageReceived();
        if (read.request !== undefined)
          this.#requests.set(read.message, { request: read.request, from: incoming.fromPath });
        // RFC 5438 §7.2: positive-delivery is answered once the message reached us.
        this.#notify(read.message, { kind: 'delivery', status: 'delivered' }).catch((e: unknown) =>
          this.#error(e),
        );
        this.emit('message', read.message);
        return;
      case 'notification':
        return this.#notification(read.imdn, read.from, bytes, incoming);
      case 'composing':
        this.#composingReceiver.receive(read.status);
        return;
      case 'other':
        if (this.listenerCount('other') > 0) this.emit('other', incoming);
        return;
      case 'problem':
        this.#malformed(read.reason, read.error, bytes, incoming);
        return;
    }
  }

  #notification(
    imdn: ImdnNotification,
    from: ChatMessage['from'],
    bytes: Uint8Array,
    incoming: IncomingMessage,
  ): void {
    const seen = this.#tracked.get(imdn.messageId);
    if (seen === undefined) {
      const error = new MsrpError(
        'MSRP_ERR_CPIM',
        `IMDN for unknown message ${JSON.stringify(imdn.messageId)}`,
      );
      this.#malformed('unknown-message-id', error, bytes, incoming);
      return;
    }
    const notification = { messageId: imdn.messageId, imdn, from };
    // One event per kind and message: a peer (or a relay) may repeat an IMDN.
    const bit = KIND_BIT[imdn.kind];
    if (bit === 0 || (seen & bit) !== 0) return;
    this.#tracked.set(imdn.messageId, seen | bit);
    const ok = imdn.status === 'delivered' || imdn.status === 'displayed';
    if (!ok) this.emit('failed', notification);
    else this.emit(imdn.kind === 'display' ? 'displayed' : 'delivered', notification);
  }

  #malformed(
    reason: ChatProblemReason,
    error: MsrpError,
    bytes: Uint8Array,
    incoming: IncomingMessage,
  ): void {
    const contentType =
      incoming.contentType && `${incoming.contentType.type}/${incoming.contentType.subtype}`;
    this.emit('malformed', { reason, error, bytes, contentType });
  }

  #error(e: unknown): void {
    this.emit('error', e instanceof Error ? e : new Error(String(e)));
  }
}
