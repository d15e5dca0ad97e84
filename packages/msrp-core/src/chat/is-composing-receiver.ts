// The peer's composing state as we show it (RFC 3994 §3.3): active on an `active` status,
// idle on an `idle` status, on a content message, or when no refresh came in time.
import { TypedEmitter } from '../events/typed-emitter.js';
import type { ComposingState, IsComposing } from './is-composing.js';
import { DEFAULT_COMPOSING_REFRESH } from './is-composing-sender.js';
import { defaultComposingTimers, TimerSlot, type ComposingTimers } from './is-composing-timers.js';

/** Events of {@link ComposingReceiver}. */
export interface ComposingReceiverEvents {
  /** The peer started composing (idle → active); `status` is the `active` message. */
  composing: [status: IsComposing];
  /**
   * The peer stopped: `status` is its `idle` message, or undefined when a content message
   * arrived or the refresh timeout ran out.
   */
  idle: [status: IsComposing | undefined];
}

/** Options of {@link ComposingReceiver}. */
export interface ComposingReceiverOptions {
  /** Seconds an `active` lasts when it carries no `refresh`. Default 120 (RFC 3994 §3.3). */
  defaultRefresh?: number;
  /** Clock and timers; the global ones by default. */
  timers?: ComposingTimers;
}

/**
 * Tracks the peer's composing state from the status messages and content messages it sends.
 * Feed it every parsed status with `receive()` and call `messageReceived()` on every content
 * message; listen to `composing` and `idle`.
 *
 * @example
 * ```ts
 * const peer = new ComposingReceiver();
 * peer.on('composing', () => show('typing…')).on('idle', () => hide());
 * session.on('message', async (m) => m.contentType === IS_COMPOSING_CONTENT_TYPE
 *   ? peer.receive(parseIsComposing(await m.bytes())) : peer.messageReceived());
 * ```
 */
export class ComposingReceiver extends TypedEmitter<ComposingReceiverEvents> {
  readonly #defaultRefresh: number;
  readonly #refreshTimer: TimerSlot;
  #state: ComposingState = 'idle';
  #closed = false;

  constructor(options: ComposingReceiverOptions = {}) {
    super();
    this.#defaultRefresh = options.defaultRefresh ?? DEFAULT_COMPOSING_REFRESH;
    this.#refreshTimer = new TimerSlot(options.timers ?? defaultComposingTimers);
  }

  /** The peer's state as last known. */
  get state(): ComposingState {
    return this.#state;
  }

  /** A status message from the peer. */
  receive(status: IsComposing): void {
    if (this.#closed) return;
    if (status.state === 'idle') {
      this.#toIdle(status);
      return;
    }
    // RFC 3994 §3.3: without a refresh within the refresh interval, the state reverts to
    // idle; each `active` restarts that interval.
    const seconds = status.refresh ?? this.#defaultRefresh;
    this.#refreshTimer.start(seconds * 1000, () => this.#toIdle(undefined));
    if (this.#state === 'active') return;
    this.#state = 'active';
    this.emit('composing', status);
  }

  /** A content message from the peer: it is no longer composing (RFC 3994 §3.3). */
  messageReceived(): void {
    if (!this.#closed) this.#toIdle(undefined);
  }

  /** Stops the timer; no event is emitted after this. */
  close(): void {
    this.#closed = true;
    this.#refreshTimer.stop();
    this.#state = 'idle';
  }

  #toIdle(status: IsComposing | undefined): void {
    this.#refreshTimer.stop();
    if (this.#state === 'idle') return;
    this.#state = 'idle';
    this.emit('idle', status);
  }
}
