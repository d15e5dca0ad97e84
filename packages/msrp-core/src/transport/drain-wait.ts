import { MsrpError } from '../errors.js';

/**
 * The one wait for a stream's `drain` that every writer of a connection shares, and the
 * listeners told at each `drain`. One settle function, dropped each time: racing a `drain`
 * promise against the long-lived `whenClosed` would leave one reaction on it per wait, for
 * the connection's life.
 */
export class DrainWait {
  #wait: Promise<void> | undefined;
  #settle: (() => void) | undefined;
  #listeners: Array<() => void> | undefined;
  readonly #host: { readonly closed: boolean };

  /**
   * @param host The connection: once `closed`, the wait rejects rather than resolves. An
   * object, not a closure: an idle connection's memory (issue 13).
   */
  constructor(host: { readonly closed: boolean }) {
    this.#host = host;
  }

  /** The wait under way, if any. */
  get pending(): Promise<void> | undefined {
    return this.#wait;
  }

  /**
   * The wait under way, or a new one: resolves at the next {@link drained}, or rejects with
   * `MSRP_ERR_CONNECTION` when the connection closed by then.
   */
  wait(): Promise<void> {
    if (this.#wait) return this.#wait;
    const wait = new Promise<void>((resolve, reject) => {
      this.#settle = () => {
        this.#settle = undefined;
        this.#wait = undefined;
        if (this.#host.closed)
          reject(new MsrpError('MSRP_ERR_CONNECTION', 'Connection closed while writing'));
        else resolve();
      };
    });
    // Set up by a writer that does not await it (tryWrite), it may have no reader on close.
    wait.catch(() => undefined);
    this.#wait = wait;
    return wait;
  }

  /** Calls `listener` at each {@link drained}. */
  listen(listener: () => void): void {
    (this.#listeners ??= []).push(listener);
  }

  /** The stream drained: listeners first, then the wait settles. */
  drained(): void {
    if (this.#listeners) for (const listener of this.#listeners) listener();
    this.#settle?.();
  }

  /** The stream closed: the wait settles (rejects), listeners are not called. */
  closed(): void {
    this.#settle?.();
  }
}
