// The web chat's rendezvous: a demo stand-in for SIP. Pages have no SIP server to exchange
// SDP through, so each POSTs its MSRP path (what SDP a=path would carry) to a room of the
// demo's HTTP server, and two pages of the same room are paired: the request of the first
// waits (long poll) until a second one arrives; then both learn the other's name and path,
// and the second connects (the active side, RFC 4975 §5.4) while the first accepts. Rooms
// live in memory only; nothing is authenticated here: it is a demo device, not a service.

import type { JoinResult, RoomEntry } from './api.js';

interface Waiter {
  readonly entry: RoomEntry;
  readonly resolve: (result: JoinResult) => void;
}

/** The rooms, each with at most one page waiting for a peer. */
export class Rendezvous {
  readonly #waiting = new Map<string, Waiter>();

  /**
   * Joins `room`: resolves at once with the page waiting there, if any (we connect), else
   * when the next page joins (it connects to us), or with `gone` when we are replaced by a
   * join of the same page, {@link leave}, or {@link close}.
   */
  join(room: string, entry: RoomEntry): Promise<JoinResult> {
    const waiter = this.#waiting.get(room);
    if (waiter && waiter.entry.id !== entry.id) {
      this.#waiting.delete(room);
      waiter.resolve({ peer: { name: entry.name, path: entry.path }, connects: false });
      return Promise.resolve({
        peer: { name: waiter.entry.name, path: waiter.entry.path },
        connects: true,
      });
    }
    waiter?.resolve({ gone: 'replaced' });
    return new Promise((resolve) => this.#waiting.set(room, { entry, resolve }));
  }

  /** Takes the page `id` out of `room` (its request was cancelled, or it left). */
  leave(room: string, id: string): void {
    const waiter = this.#waiting.get(room);
    if (waiter?.entry.id !== id) return;
    this.#waiting.delete(room);
    waiter.resolve({ gone: 'left' });
  }

  /** Ends every pending join. */
  close(): void {
    for (const waiter of this.#waiting.values()) waiter.resolve({ gone: 'closed' });
    this.#waiting.clear();
  }
}
