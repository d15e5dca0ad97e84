/**
 * The last `capacity` ids seen, each with a value, oldest forgotten first: how a session
 * recognises late chunks and REPORTs of messages it has finished with, in bounded memory.
 */
export class RecentIds<V> {
  readonly #entries = new Map<string, V>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(id: string): V | undefined {
    return this.#entries.get(id);
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** Remembers `id` (as the newest), forgetting the oldest past the capacity. */
  add(id: string, value: V): void {
    this.#entries.delete(id);
    this.#entries.set(id, value);
    if (this.#entries.size > this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }
}
