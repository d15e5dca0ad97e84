import type { RequestHead } from '../wire/head.js';
import { uriKey, type MsrpUri } from '../wire/uri.js';
import { sameSender, sentFromPath } from './uri-path.js';

/**
 * Who a session talks to: the peer's path, the To-Path of our requests through our relays
 * (RFC 4976 §5.2), and whether a request is the peer's (RFC 4975 §7.3).
 */
export class PeerPath {
  /** The peer's path: from connect() or accept(), else the first sender's From-Path. */
  remote: readonly MsrpUri[] | undefined;
  /** To-Path of our requests: our relays then the peer's path, or the way a request came. */
  toPath: readonly MsrpUri[] | undefined;
  /** Our relays, first hop first (RFC 4976 Use-Path); empty without relays. */
  readonly #usePath: readonly MsrpUri[];
  /** Accepted with rebind and no path: the peer is whoever sent last. */
  #followsSenders = false;
  /** The peer's path came from connect() or accept() (SDP), not from a sender's From-Path. */
  #given = false;
  /** The From-Path last found to be the peer's: the same array while its heads repeat. */
  #peerFrom: readonly MsrpUri[] | undefined;

  constructor(usePath: readonly MsrpUri[]) {
    this.#usePath = Object.freeze([...usePath]);
  }

  /** The peer's path is `remote`: requests go through our relays, then along it. */
  set(remote: readonly MsrpUri[]): void {
    this.remote = Object.freeze([...remote]);
    this.toPath = Object.freeze([...this.#usePath, ...remote]);
    this.#given = true;
  }

  /** Accepted with rebind and no path: each new sender becomes the peer. */
  followSenders(): void {
    this.#followsSenders = true;
  }

  /** A first SEND bound us: without the peer's path, answers go the way it came. */
  bound(request: RequestHead): void {
    this.remote ??= request.fromPath;
    this.toPath ??= request.fromPath;
  }

  /** The connection went: the peer's From-Path is checked anew on the next one. */
  unbound(): void {
    this.#peerFrom = undefined;
  }

  /**
   * Waiting to be bound again (rebind): a path learned from a sender is forgotten, the next
   * sender's is the peer's; a given one stays, with the relays it may name.
   */
  forget(): void {
    if (!this.#given) this.remote = this.toPath = undefined;
  }

  /**
   * Whether `request` is the peer's (RFC 4975 §7.3): any is while the peer is unknown
   * (accepted without a path, before the first SEND) or followed; a REPORT may come from a
   * relay on our path too (RFC 4976 §7.2), whose URIs `sessionIdOnly` compares by session-id
   * alone (RFC 6714 CEMA). The peer is known by its session-id (see {@link sameSender}).
   */
  isPeer(request: RequestHead, sessionIdOnly: boolean): boolean {
    const { fromPath } = request;
    if (fromPath === this.#peerFrom || this.#followsSenders || !this.remote) return true;
    if (sameSender(fromPath, this.remote)) {
      this.#peerFrom = fromPath;
      return true;
    }
    const path = this.toPath;
    return request.method === 'REPORT' && !!path && sentFromPath(fromPath, path, sessionIdOnly);
  }

  /**
   * A SEND from `fromPath`: when the session follows senders and it is a new one, it becomes
   * the peer (through a relay every sender reaches a listener over its one connection).
   * @returns whether the peer changed.
   */
  follow(fromPath: readonly MsrpUri[]): boolean {
    // The same array while one sender's heads repeat (the parser's head templates).
    if (!this.#followsSenders || fromPath === this.toPath) return false;
    const sender = fromPath.at(-1);
    const peer = this.toPath?.at(-1);
    if (!sender || (peer && uriKey(sender) === uriKey(peer))) return false;
    this.remote = this.toPath = fromPath;
    return true;
  }
}
