import type { RequestHead, ResponseHead } from '../wire/head.js';
import type { MsrpUri } from '../wire/uri.js';
import type { Session } from './session.js';

/**
 * What a {@link Session} needs from the endpoint that owns it: connections, writes and
 * transactions. Sessions hold only an opaque handle of their connection.
 */
export interface SessionLink {
  /** Opens or reuses a connection to the authority of `firstHop`. */
  connect(session: Session, firstHop: MsrpUri): Promise<object>;
  /**
   * Writes a request on the session's connection. `sent` resolves when the socket took it
   * (after `drain` if needed); `response` when its response arrives, unless
   * `awaitResponse` is false (REPORTs, RFC 4975 §7.1.2).
   */
  send(
    session: Session,
    transactionId: string,
    frame: readonly Uint8Array[],
    awaitResponse?: boolean,
  ): { sent: Promise<void>; response: Promise<ResponseHead> };
  /** Writes a request in parts (see `Connection.writeParts`) and awaits its response. */
  sendParts(
    session: Session,
    transactionId: string,
    headBytes: Uint8Array,
    nextPart: () => Uint8Array | undefined,
    endLine: () => Uint8Array,
  ): { sent: Promise<void>; response: Promise<ResponseHead> };
  /** Sends a bodiless request and waits for its response. */
  request(session: Session, head: RequestHead): Promise<ResponseHead>;
  /** A consumer of the session drained: resume reading its connection. */
  resume(session: Session): void;
  /** The session closed: forget it. */
  closed(session: Session): void;
}
