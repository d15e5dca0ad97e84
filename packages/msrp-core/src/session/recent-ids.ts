import { hashId, IdTable } from './id-table.js';

/**
 * The last `capacity` ids seen, each with a value, oldest forgotten first: how a session
 * recognises late chunks and REPORTs of messages it has finished with, in bounded memory.
 *
 * The order lives in a ring of ids beside the table of values, which keeps none (an
 * {@link IdTable}; in a Map, finding the oldest key through `keys().next()` walked past every
 * entry deleted since the map was last rehashed: up to `capacity` steps per add).
 */
export class RecentIds<V> {
  /** Not a Map: see {@link IdTable}. */
  readonly #entries = new IdTable<V>();
  /** The ids in the order added; a slot emptied when its id was added again. */
  readonly #ring: (string | undefined)[];
  /**
   * The hash of each id in the ring: the oldest is forgotten without reading it again (some
   * 256 messages old, its string is out of the cache: this add was ~10 % of a small message's
   * CPU, both sides, most of it that miss).
   */
  readonly #hashes: Int32Array;
  /** The slot of the next id: the oldest one's. */
  #next = 0;

  constructor(capacity: number) {
    this.#ring = new Array<string | undefined>(capacity).fill(undefined);
    this.#hashes = new Int32Array(capacity);
  }

  get(id: string): V | undefined {
    return this.#entries.get(id);
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** Remembers `id` (as the newest), forgetting the oldest past the capacity. */
  add(id: string, value: V): void {
    const ring = this.#ring;
    const next = this.#next;
    const oldest = ring[next];
    // Forgotten first, so that the table never holds more than `capacity` (`id` itself, when
    // it is the oldest, then comes back as the newest).
    if (oldest !== undefined) this.#entries.delete(oldest, this.#hashes[next]);
    const h = hashId(id);
    // Rare (a message finished twice): its old slot must not forget it later.
    if (this.#entries.set(id, value, h)) ring[ring.indexOf(id)] = undefined;
    ring[next] = id;
    this.#hashes[next] = h;
    this.#next = this.#next + 1 === ring.length ? 0 : this.#next + 1;
  }
}
