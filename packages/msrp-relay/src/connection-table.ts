import type { Hop } from './hop.js';

/**
 * The relay's connections, and how many of them count against its limits: only live ones.
 * A connection whose closing was decided is retired at once (it no longer counts, in all
 * or per address) even though its socket may take a moment to go away.
 */
export class ConnectionTable {
  /** Every connection until its socket has closed. */
  readonly all = new Set<Hop>();
  readonly #perAddress = new Map<string, number>();
  #live = 0;

  /** Connections that count: open and not being closed. */
  get live(): number {
    return this.#live;
  }

  /** Live inbound connections from `address`. */
  fromAddress(address: string): number {
    return this.#perAddress.get(address) ?? 0;
  }

  add(hop: Hop): void {
    if (this.all.has(hop)) return;
    this.all.add(hop);
    this.#live++;
    if (hop.origin.kind === 'inbound')
      this.#perAddress.set(hop.address, this.fromAddress(hop.address) + 1);
  }

  /** Closing was decided: `hop` stops counting. Returns false if it did not count. */
  retire(hop: Hop): boolean {
    if (hop.retired || !this.all.has(hop)) return false;
    hop.retired = true;
    this.#live--;
    if (hop.origin.kind === 'inbound') {
      const n = this.fromAddress(hop.address) - 1;
      if (n > 0) this.#perAddress.set(hop.address, n);
      else this.#perAddress.delete(hop.address);
    }
    return true;
  }

  /** The socket closed. Returns false if `hop` was not in the table. */
  remove(hop: Hop): boolean {
    if (!this.all.has(hop)) return false;
    this.retire(hop);
    this.all.delete(hop);
    return true;
  }
}
