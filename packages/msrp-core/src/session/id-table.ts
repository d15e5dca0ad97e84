/** Random per process, so that a peer cannot choose ids that all land in one slot. */
const SEED = crypto.getRandomValues(new Uint32Array(1))[0]!;

/** The first table, made at the first id: 4 ids before it grows. */
const MIN_SLOTS = 8;

/**
 * Values by id (a Message-ID), for ids that come and go once per message: open addressing
 * with linear probing in arrays that grow with the most ids held at once and are reused, a
 * removed id's followers shifted back (no tombstones, so no rebuild however many come and go).
 *
 * Not a `Map`: one set and one delete per message rebuild a Map's table every few messages,
 * and V8 links each table it replaces to its successor (for iterators still on the old one).
 * A table that lived through two scavenges is promoted, and, dead in the old generation,
 * keeps its successor alive through the next scavenges, which is promoted in turn, with the
 * ids in it: a chain that grew the old generation by ~300 B per small message on each side
 * (issue 12) until a mark-compact broke it, and started again.
 */
export class IdTable<V> {
  /** No slots until the first id (an idle session holds several empty tables). */
  #ids: (string | undefined)[] = [];
  #values: (V | undefined)[] = [];
  #hashes = new Int32Array(0);
  #mask = -1;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(id: string): V | undefined {
    // Most lookups of a session's messages under way find none: no hash for them.
    if (this.#size === 0) return undefined;
    const slot = this.#find(id, hashId(id));
    return slot < 0 ? undefined : this.#values[slot];
  }

  has(id: string): boolean {
    return this.#size > 0 && this.#find(id, hashId(id)) >= 0;
  }

  /**
   * Sets the value of `id`; true when `id` was there already (its value replaced).
   * @param h `hashId(id)`, when the caller keeps it.
   */
  set(id: string, value: V, h = hashId(id)): boolean {
    const found = this.#size === 0 ? -1 : this.#find(id, h);
    if (found >= 0) {
      this.#values[found] = value;
      return true;
    }
    // At most half full: probes stay short.
    if ((this.#size + 1) * 2 > this.#ids.length) this.#grow();
    this.#put(id, value, h);
    this.#size++;
    return false;
  }

  /**
   * Forgets `id`; false when it was not there.
   * @param h `hashId(id)`, when the caller kept it (then `id` itself is not read).
   */
  delete(id: string, h?: number): boolean {
    if (this.#size === 0) return false;
    let hole = this.#find(id, h ?? hashId(id));
    if (hole < 0) return false;
    const ids = this.#ids;
    const values = this.#values;
    const hashes = this.#hashes;
    const mask = this.#mask;
    // Each id after the hole, up to an empty slot, moves back into it unless its home slot
    // lies cyclically after the hole (it would then be found before reaching it).
    for (let next = (hole + 1) & mask; ids[next] !== undefined; next = (next + 1) & mask) {
      const home = hashes[next]! & mask;
      if (((next - home) & mask) < ((next - hole) & mask)) continue;
      ids[hole] = ids[next];
      values[hole] = values[next];
      hashes[hole] = hashes[next]!;
      hole = next;
    }
    ids[hole] = undefined;
    values[hole] = undefined;
    this.#size--;
    return true;
  }

  /** The values, in no particular order: a copy, which deletes while it is walked leave whole. */
  values(): V[] {
    const out: V[] = [];
    for (let slot = 0; slot < this.#ids.length; slot++) {
      if (this.#ids[slot] !== undefined) out.push(this.#values[slot]!);
    }
    return out;
  }

  clear(): void {
    this.#ids.fill(undefined);
    this.#values.fill(undefined);
    this.#size = 0;
  }

  #find(id: string, h: number): number {
    const ids = this.#ids;
    const mask = this.#mask;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const at = ids[slot];
      if (at === undefined) return -1;
      if (this.#hashes[slot] === h && at === id) return slot;
    }
  }

  /** Puts `id`, not in the table, in the first free slot from its home slot. */
  #put(id: string, value: V, h: number): void {
    const ids = this.#ids;
    const mask = this.#mask;
    let slot = h & mask;
    while (ids[slot] !== undefined) slot = (slot + 1) & mask;
    ids[slot] = id;
    this.#values[slot] = value;
    this.#hashes[slot] = h;
  }

  #grow(): void {
    const ids = this.#ids;
    const values = this.#values;
    const hashes = this.#hashes;
    const slots = Math.max(MIN_SLOTS, ids.length * 2);
    this.#ids = new Array<string | undefined>(slots).fill(undefined);
    this.#values = new Array<V | undefined>(slots).fill(undefined);
    this.#hashes = new Int32Array(slots);
    this.#mask = slots - 1;
    for (let slot = 0; slot < ids.length; slot++) {
      if (ids[slot] !== undefined) this.#put(ids[slot]!, values[slot]!, hashes[slot]!);
    }
  }
}

/** The id hashed last, and its hash: a message's id is looked up several times in a row. */
let lastId = '';
let lastHash = 0;

/** FNV-1a over the UTF-16 code units, from a per-process basis: where an IdTable files `id`. */
export function hashId(id: string): number {
  if (id === lastId) return lastHash;
  let h = SEED;
  for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
  lastId = id;
  lastHash = h;
  return h;
}
