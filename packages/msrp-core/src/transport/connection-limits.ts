/** Caps of a {@link ConnectionLimits}. */
export interface ConnectionLimitsOptions {
  /** Connections at once, in all. Default 1 000. */
  maxConnections?: number;
  /** Connections at once from one remote address. Default 64. */
  maxConnectionsPerAddress?: number;
}

/** Which cap refused a connection. */
export type ConnectionLimit = 'maxConnections' | 'maxConnectionsPerAddress';

/** The answer of {@link ConnectionLimits.admit}. */
export type Admission =
  | {
      readonly admitted: true;
      /** Gives the slot back; call it when the connection closes. Idempotent. */
      readonly release: () => void;
    }
  | { readonly admitted: false; readonly limit: ConnectionLimit };

/**
 * Counts live connections in all and per remote address, and admits or refuses new ones
 * against both caps: how one address cannot take every slot of a listener. Only admitted
 * connections count, each until it is released, so refused and closed ones never do.
 *
 * @example
 * ```ts
 * const limits = new ConnectionLimits({ maxConnections: 1000, maxConnectionsPerAddress: 64 });
 * server.on('connection', (socket) => {
 *   if (!limits.admitSocket(socket)) return; // destroyed; released on 'close' otherwise
 *   // ... serve it
 * });
 * ```
 */
export class ConnectionLimits {
  /** The total cap. */
  readonly maxConnections: number;
  /** The per-address cap. */
  readonly maxConnectionsPerAddress: number;
  readonly #perAddress = new Map<string, number>();
  #size = 0;

  constructor(options: ConnectionLimitsOptions = {}) {
    this.maxConnections = options.maxConnections ?? 1000;
    this.maxConnectionsPerAddress = options.maxConnectionsPerAddress ?? 64;
  }

  /** Connections admitted and not yet released. */
  get size(): number {
    return this.#size;
  }

  /** Connections admitted from `address` and not yet released. */
  countFrom(address: string): number {
    return this.#perAddress.get(address) ?? 0;
  }

  /**
   * Takes a slot for a connection from `address`, or says which cap is reached. Without an
   * address (a connection we dial, say) it counts against `maxConnections` only.
   */
  admit(address?: string): Admission {
    if (this.#size >= this.maxConnections) return { admitted: false, limit: 'maxConnections' };
    const fromAddress = address === undefined ? 0 : this.countFrom(address);
    if (address !== undefined && fromAddress >= this.maxConnectionsPerAddress)
      return { admitted: false, limit: 'maxConnectionsPerAddress' };
    this.#size++;
    if (address !== undefined) this.#perAddress.set(address, fromAddress + 1);
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.#size--;
        if (address === undefined) return;
        const n = this.countFrom(address) - 1;
        if (n > 0) this.#perAddress.set(address, n);
        else this.#perAddress.delete(address);
      },
    };
  }

  /**
   * Admits an accepted socket by its remote address and releases its slot when it closes;
   * a refused socket is destroyed at once.
   * @returns The cap that refused it, or undefined when admitted.
   */
  admitSocket(socket: {
    readonly remoteAddress?: string | undefined;
    once(event: 'close', listener: () => void): unknown;
    destroy(): unknown;
  }): ConnectionLimit | undefined {
    const admission = this.admit(socket.remoteAddress ?? '?');
    if (!admission.admitted) {
      socket.destroy();
      return admission.limit;
    }
    socket.once('close', admission.release);
    return undefined;
  }
}
