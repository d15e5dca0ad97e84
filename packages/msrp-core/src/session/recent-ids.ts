import { hashId, IdTable } from './id-table.js';

/**
 * The last `capacity` ids seen, each with a value, oldest forgotten first: how a session
 * recognises late chunks and REPORTs of messages it has finished with, in bounded memory.
 *
 * The ids and values live in a ring, in the order added; the table that finds them by id is
 * built at the first lookup and kept while lookups come, then let go once `capacity` ids were
 * added without one. A receiver looks up every message's id (a chunk of a finished message?)
 * and keeps its table; a sender looks up only a REPORT's about a message it already settled,
 * rare, and would otherwise hash every id into the table and out again for nothing (~0.2 µs
 * of a small message's ~2.4 µs at the sender, issue 12).
 */
export class RecentIds<V> {
  readonly #capacity: number;
  /** The ids in the order added (a slot emptied when its id was added again); made at the first. */
  #ids: (string | undefined)[] = [];
  #values: (V | undefined)[] = [];
  /** The slot of the next id: the oldest one's. */
  #next = 0;
  /** By id (not a Map: see {@link IdTable}), while lookups come. */
  #byId: IdTable<V> | undefined;
  /**
   * The hash of each id in the ring while the table is kept: the oldest is forgotten without
   * reading its string again (some 256 messages old, out of the cache: this add was ~10 % of
   * a small message's CPU, both sides, most of it that miss).
   */
  #hashes: Int32Array | undefined;
  /** Ids added since the last lookup. */
  #unasked = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(id: string): V | undefined {
    return this.#table().get(id);
  }

  has(id: string): boolean {
    return this.#table().has(id);
  }

  /** Remembers `id` (as the newest), forgetting the oldest past the capacity. */
  add(id: string, value: V): void {
    if (this.#ids.length === 0) {
      this.#ids = new Array<string | undefined>(this.#capacity).fill(undefined);
      this.#values = new Array<V | undefined>(this.#capacity).fill(undefined);
    }
    const ids = this.#ids;
    const next = this.#next;
    const byId = this.#byId;
    // Without a table an id added again holds two slots until the table is built (#table).
    if (byId && ++this.#unasked > this.#capacity) this.#letGo();
    else if (byId) this.#index(byId, this.#hashes!, next, id, value);
    ids[next] = id;
    this.#values[next] = value;
    this.#next = next + 1 === ids.length ? 0 : next + 1;
  }

  /** Files `id` at ring slot `slot` in the table, forgetting the id there before. */
  #index(byId: IdTable<V>, hashes: Int32Array, slot: number, id: string, value: V): void {
    const ids = this.#ids;
    const oldest = ids[slot];
    // Forgotten first, so that the table never holds more than `capacity` (`id` itself, when
    // it is the oldest, then comes back as the newest).
    if (oldest !== undefined) byId.delete(oldest, hashes[slot]);
    const h = hashId(id);
    // Rare (a message finished twice): its old slot must not forget it later.
    if (byId.set(id, value, h)) ids[this.#otherSlot(id, slot)] = undefined;
    hashes[slot] = h;
  }

  /** The table, built from the ring when there is none. */
  #table(): IdTable<V> {
    this.#unasked = 0;
    if (this.#byId) return this.#byId;
    const byId = new IdTable<V>();
    const hashes = new Int32Array(this.#capacity);
    const ids = this.#ids;
    const n = ids.length;
    for (let k = 0; k < n; k++) {
      const slot = (this.#next + k) % n;
      const id = ids[slot];
      if (id === undefined) continue;
      hashes[slot] = hashId(id);
      // An id added twice since the last table: its older slot is emptied (see #index).
      if (byId.set(id, this.#values[slot]!, hashes[slot]))
        ids[this.#otherSlot(id, slot)] = undefined;
    }
    this.#hashes = hashes;
    return (this.#byId = byId);
  }

  /** The slot of the ring other than `slot` (`id`'s newest) that holds `id`. */
  #otherSlot(id: string, slot: number): number {
    const ids = this.#ids;
    for (let k = 0; k < ids.length; k++) if (k !== slot && ids[k] === id) return k;
    return slot;
  }

  #letGo(): void {
    this.#byId = undefined;
    this.#hashes = undefined;
  }
}
