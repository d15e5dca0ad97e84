import { IdTable } from './id-table.js';

/** What a {@link LiveSendings} keeps of each message: its id, and its links in the list. */
export interface LiveLinks<S> {
  readonly message: { readonly messageId: string };
  /** In the list: queued and not yet settled. */
  live: boolean;
  older: S | undefined;
  newer: S | undefined;
}

/**
 * The messages a session is sending, oldest first, in a list their objects link themselves
 * into, and found by Message-ID only once asked: a chat line is looked up by its id only for a
 * REPORT about it or an `abort(messageId)`, so the table of ids is built at the first such
 * lookup and kept while the list holds messages. Hashing each id into a table and out again,
 * for lookups that mostly never came, was ~0.2 µs of a small message's ~2.4 µs at the sender
 * (issue 12).
 */
export class LiveSendings<S extends LiveLinks<S>> {
  #oldest: S | undefined;
  #newest: S | undefined;
  #size = 0;
  /** By Message-ID, once a lookup asked for it; the newest of messages with one id. */
  #byId: IdTable<S> | undefined;

  get size(): number {
    return this.#size;
  }

  add(sending: S): void {
    sending.live = true;
    sending.older = this.#newest;
    sending.newer = undefined;
    if (this.#newest) this.#newest.newer = sending;
    else this.#oldest = sending;
    this.#newest = sending;
    this.#size++;
    this.#byId?.set(sending.message.messageId, sending);
  }

  /** Takes `sending` out; false when it was not in the list. */
  remove(sending: S): boolean {
    if (!sending.live) return false;
    sending.live = false;
    const { older, newer } = sending;
    if (older) older.newer = newer;
    else this.#oldest = newer;
    if (newer) newer.older = older;
    else this.#newest = older;
    sending.older = sending.newer = undefined;
    this.#size--;
    if (this.#size === 0) this.#byId = undefined;
    else {
      const id = sending.message.messageId;
      // A newer message with the same id (an application's own) keeps its place.
      if (this.#byId?.get(id) === sending) this.#byId.delete(id);
    }
    return true;
  }

  /** The live message with this id (the newest, when several have it). */
  get(messageId: string): S | undefined {
    if (this.#size === 0) return undefined;
    if (!this.#byId) {
      const byId = new IdTable<S>();
      for (let s = this.#oldest; s; s = s.newer) byId.set(s.message.messageId, s);
      this.#byId = byId;
    }
    return this.#byId.get(messageId);
  }

  /** The live messages, oldest first: a copy, which removals while it is walked leave whole. */
  values(): S[] {
    const out: S[] = [];
    for (let s = this.#oldest; s; s = s.newer) out.push(s);
    return out;
  }
}
