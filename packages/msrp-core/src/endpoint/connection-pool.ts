import { MsrpError } from '../errors.js';
import { abortedError } from '../session/abortable.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { checkDialable, type Dialer, type TlsClientOptions } from '../transport/dialer.js';
import { comparableHost, type MsrpUri } from '../wire/uri.js';
import type { Peer } from './peer.js';

/** How a {@link ConnectionPool} dials. */
export interface ConnectionPoolOptions {
  /** Dialers by URI scheme. */
  dialers: Readonly<Record<string, Dialer>>;
  tls: TlsClientOptions | undefined;
  /** Milliseconds to wait for a connection to open. */
  connectTimeout: number;
  /** Largest WebSocket message a dialed WebSocket takes. */
  maxWebSocketMessage: number;
  /** Wraps a dialed stream in a connection and its peer, under the authority `key`. */
  attach(stream: ByteStream, key: string): Peer;
}

/**
 * The connections we dialed, by authority (scheme, host, port): sessions to the same peer
 * share one (RFC 4975 §5.4, §8.1), and concurrent dials to it wait for the same stream.
 */
export class ConnectionPool {
  readonly #options: ConnectionPoolOptions;
  readonly #dialed = new Map<string, PoolEntry>();
  /** Aborted by {@link close}: stops the dials in progress. */
  readonly #closing = new AbortController();

  constructor(options: ConnectionPoolOptions) {
    this.#options = options;
  }

  /** Opens, or reuses, the connection to the authority of `firstHop`. */
  async dial(firstHop: MsrpUri): Promise<Peer> {
    const key = authorityKey(firstHop);
    let entry = this.#dialed.get(key);
    const fresh = entry === undefined;
    if (!entry) {
      checkDialable(firstHop);
      const o = this.#options;
      const dialer = o.dialers[firstHop.scheme];
      if (!dialer)
        throw new MsrpError('MSRP_ERR_INVALID_ARGUMENT', `No dialer for scheme ${firstHop.scheme}`);
      const opened: PoolEntry = {
        dialing: dialer(firstHop, {
          ...(o.tls && { tls: o.tls }),
          timeout: o.connectTimeout,
          signal: this.#closing.signal,
          maxWebSocketMessage: o.maxWebSocketMessage,
          // Sessions keep no view of a read unless lent (see transport/lent-reads.ts).
          reuseReads: true,
        }).then((stream) => {
          // Connected as close() aborted the dial, or by a dialer that does not heed its
          // signal: close() has closed the connections it knew of, so none may attach now.
          const closing = this.#closing.signal;
          if (closing.aborted) {
            stream.destroy();
            throw abortedError(closing, `Connecting to ${key}`);
          }
          opened.peer = o.attach(stream, key);
          return opened.peer;
        }),
      };
      entry = opened;
      this.#dialed.set(key, opened);
      opened.dialing.catch(() => this.#drop(key, opened));
    }
    const peer = await entry.dialing;
    if (peer.connection.closed) {
      this.#drop(key, entry);
      // Closed as it opened (a WebSocket peer over maxWebSocketMessage at once, say): dialing
      // again would loop.
      if (fresh) {
        throw new MsrpError('MSRP_ERR_CONNECTION', `Connection to ${key} closed as it opened`);
      }
      // It closed after its last session left; open a fresh one.
      return this.dial(firstHop);
    }
    return peer;
  }

  /**
   * Makes dials to the authority of `uri` take `peer`, as long as it is open: our relay's
   * Use-Path URI may name another transport than the connection we authenticated on
   * (Kamailio's msrp module answers an AUTH over WebSocket with its `;tcp` URI), yet the
   * relay reaches us only over that connection (RFC 4976 §5.1), so our sessions' requests
   * must take it too: on another one, their answers would arrive where no session is bound.
   */
  alias(uri: MsrpUri, peer: Peer): void {
    const key = authorityKey(uri);
    if (key !== peer.key) this.#dialed.set(key, { dialing: Promise.resolve(peer), peer });
  }

  /**
   * Stops the dials in progress (their sockets destroyed, not left until `connectTimeout`):
   * they reject with `MSRP_ERR_ABORTED`, `reason` as cause, even one whose stream comes after
   * (that stream is destroyed at once). Later dials fail at once.
   */
  close(reason: Error): void {
    this.#closing.abort(reason);
  }

  /** The connection closed: a later dial opens a new one. */
  forget(peer: Peer): void {
    this.#forget(peer);
  }

  /** Closes a connection we dialed once no session uses it (and it is not our relay's). */
  release(peer: Peer): void {
    if (peer.key !== undefined && peer.sessions.size === 0 && !peer.pinned) {
      this.#forget(peer);
      void peer.connection.close();
    }
  }

  /** Drops `peer`'s entry, not a newer dial to its authority begun since it closed. */
  #forget(peer: Peer): void {
    const key = peer.key;
    if (key !== undefined && this.#dialed.get(key)?.peer === peer) this.#dialed.delete(key);
  }

  #drop(key: string, entry: PoolEntry): void {
    if (this.#dialed.get(key) === entry) this.#dialed.delete(key);
  }
}

/** A dial to one authority, and once it succeeded, its connection. */
interface PoolEntry {
  readonly dialing: Promise<Peer>;
  peer?: Peer;
}

/**
 * Scheme, host, port and transport: a WebSocket listener and a TCP one may share a host and
 * port number (behind a proxy), and are different connections (RFC 7977 §7). RFC 4975 §5.4:
 * a connection to the same host, port and scheme SHOULD be reused; the host compares as in
 * URIs (§6.1), case-insensitively and IPv6 addresses by value.
 */
function authorityKey(uri: MsrpUri): string {
  const host = comparableHost(uri.host);
  return `${uri.scheme}://${host}:${uri.port ?? 2855};${uri.transport.toLowerCase()}`;
}
