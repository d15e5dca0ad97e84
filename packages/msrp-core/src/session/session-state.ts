import { MsrpError } from '../errors.js';
import type { SessionState } from './options.js';

/**
 * The legal state changes (RFC 4975 §5.4): the active side connects and binds with its
 * first SEND; the passive side waits for the peer's first SEND, which binds it; a session
 * that may rebind waits again after losing its connection; any session may close.
 */
const TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  new: ['connecting', 'waiting', 'closed'],
  connecting: ['bound', 'closed'],
  waiting: ['bound', 'closed'],
  bound: ['waiting', 'closed'],
  closed: [],
};

/** The state of a session, changed only along the edges of {@link TRANSITIONS}. */
export class SessionStateMachine {
  #current: SessionState = 'new';

  /** The state now. */
  get current(): SessionState {
    return this.#current;
  }

  /**
   * The one place the state changes.
   * @throws {MsrpError} `MSRP_ERR_SESSION` for an edge not in {@link TRANSITIONS}.
   */
  transition(to: SessionState, action: string): void {
    if (!TRANSITIONS[this.#current].includes(to)) this.refuse(action);
    this.#current = to;
  }

  /** @throws {MsrpError} `MSRP_ERR_SESSION`: `action` is not possible in this state. */
  refuse(action: string): never {
    throw new MsrpError('MSRP_ERR_SESSION', `Cannot ${action}: session is ${this.#current}`);
  }
}
