// Our own composing state (RFC 3994 §3.2): idle → active on the first keystroke, active →
// idle after the idle timeout without one, or silently when the message is sent.
import { MsrpError } from '../errors.js';
import type { ComposingState, IsComposing } from './is-composing.js';
import { defaultComposingTimers, TimerSlot, type ComposingTimers } from './is-composing-timers.js';

/** Default idle timeout: 15 s without typing ends the active state (RFC 3994 §3.2). */
export const DEFAULT_COMPOSING_IDLE_TIMEOUT = 15_000;
/** Default refresh interval announced with `active`, in seconds (RFC 3994 §3.2). */
export const DEFAULT_COMPOSING_REFRESH = 120;
/** Smallest refresh interval, in seconds: RFC 3994 §3.2, not less than 60 s. */
export const MIN_COMPOSING_REFRESH = 60;

/** Options of {@link ComposingSender}. */
export interface ComposingSenderOptions {
  /**
   * Sends one status message to the peer (bare or in CPIM: the caller's choice). Called
   * synchronously from `typing()`, `idle()` or the idle timer. It may return a promise (as
   * `session.send` does): a rejection goes to `onError`, never unhandled.
   */
  send: (status: IsComposing) => unknown;
  /**
   * Called when `send` throws or rejects. A lost status is harmless (the peer's refresh
   * timeout puts it right), so the default ignores it.
   */
  onError?: (error: unknown) => void;
  /** Milliseconds without `typing()` after which we go idle and say so. Default 15 000. */
  idleTimeout?: number;
  /** Refresh interval announced with `active`, in seconds; at least 60. Default 120. */
  refresh?: number;
  /** The `contenttype` announced with `active`, if any (e.g. `text/plain`). */
  contenttype?: string;
  /** Clock and timers; the global ones by default. */
  timers?: ComposingTimers;
}

/**
 * Drives our is-composing indication from the app's keystrokes.
 *
 * - `typing()` when idle sends `active` (with `refresh`) once; further keystrokes send nothing.
 *   While active, `active` is sent again every half refresh interval, so that the peer hears
 *   it before its refresh timeout, however long the idle timeout.
 * - `idleTimeout` ms without `typing()` sends `idle` with `lastactive`.
 * - `sent()` (a message went out) goes idle without a status: RFC 3994 §3.3, the receiver
 *   takes a content message as the end of the active state.
 *
 * @example
 * ```ts
 * const composing = new ComposingSender({ send: (s) => session.send(formatIsComposing(s), { contentType: IS_COMPOSING_CONTENT_TYPE }) });
 * input.oninput = () => composing.typing();
 * ```
 */
export class ComposingSender {
  readonly #send: (status: IsComposing) => unknown;
  readonly #onError: (error: unknown) => void;
  readonly #idleTimeout: number;
  readonly #refresh: number;
  readonly #contenttype: string | undefined;
  readonly #timers: ComposingTimers;
  readonly #idleTimer: TimerSlot;
  readonly #refreshTimer: TimerSlot;
  #state: ComposingState = 'idle';
  #lastTyping = 0;
  #closed = false;

  /** @throws {MsrpError} `MSRP_ERR_INVALID_ARGUMENT` for a refresh under 60 s or a bad timeout. */
  constructor(options: ComposingSenderOptions) {
    this.#send = options.send;
    this.#onError = options.onError ?? (() => {});
    this.#idleTimeout = options.idleTimeout ?? DEFAULT_COMPOSING_IDLE_TIMEOUT;
    this.#refresh = options.refresh ?? DEFAULT_COMPOSING_REFRESH;
    this.#contenttype = options.contenttype;
    this.#timers = options.timers ?? defaultComposingTimers;
    this.#idleTimer = new TimerSlot(this.#timers);
    this.#refreshTimer = new TimerSlot(this.#timers);
    if (!Number.isSafeInteger(this.#refresh) || this.#refresh < MIN_COMPOSING_REFRESH) {
      throw new MsrpError(
        'MSRP_ERR_INVALID_ARGUMENT',
        `refresh ${this.#refresh}: RFC 3994 §3.2 asks for at least ${MIN_COMPOSING_REFRESH} s`,
      );
    }
    if (!(this.#idleTimeout > 0)) {
      throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `idleTimeout ${this.#idleTimeout}`);
    }
  }

  /** Our state as the peer knows it. */
  get state(): ComposingState {
    return this.#state;
  }

  /** The user typed (or otherwise composed): goes or stays active. */
  typing(): void {
    if (this.#closed) return;
    const now = this.#timers.now();
    this.#lastTyping = now;
    this.#idleTimer.start(this.#idleTimeout, () => this.#goIdle(true));
    // While active, the refresh timer sends `active` again (see #active).
    if (this.#state === 'idle') this.#active();
  }

  /** The user stopped composing without sending (cleared the input): sends `idle` now. */
  idle(): void {
    this.#goIdle(true);
  }

  /** The composed message was sent: idle, with no status message (RFC 3994 §3.3). */
  sent(): void {
    this.#goIdle(false);
  }

  /** Stops the timers; no status is sent after this. */
  close(): void {
    this.#closed = true;
    this.#idleTimer.stop();
    this.#refreshTimer.stop();
    this.#state = 'idle';
  }

  /** Sends `active` (first, or a refresh). */
  #active(): void {
    this.#state = 'active';
    // RFC 3994 §3.3: the peer reverts to idle when no refresh comes within the interval. A
    // keystroke may come later than half of it (an idle timeout over 60 s): refresh anyway.
    this.#refreshTimer.start((this.#refresh * 1000) / 2, () => this.#active());
    const status: IsComposing = { state: 'active', refresh: this.#refresh };
    if (this.#contenttype !== undefined) status.contenttype = this.#contenttype;
    this.#emit(status);
  }

  #goIdle(announce: boolean): void {
    this.#idleTimer.stop();
    this.#refreshTimer.stop();
    if (this.#state === 'idle' || this.#closed) return;
    this.#state = 'idle';
    if (announce) this.#emit({ state: 'idle', lastactive: new Date(this.#lastTyping) });
  }

  #emit(status: IsComposing): void {
    try {
      const result = this.#send(status);
      if (result instanceof Promise) result.catch(this.#onError);
    } catch (e) {
      this.#onError(e);
    }
  }
}
