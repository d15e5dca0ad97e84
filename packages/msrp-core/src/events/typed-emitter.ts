/**
 * The event map of a {@link TypedEmitter}: each event name to the tuple of its listener's
 * arguments, as Node's `EventEmitter<T>` takes it (`{ close: []; report: [r: Report] }`).
 */
export type EventMap<T> = { [K in keyof T]: unknown[] };

/** A listener of event `K` of map `T`. */
export type TypedListener<T extends EventMap<T>, K extends keyof T> = (...args: T[K]) => void;

interface Entry {
  // Stored untyped: the map keeps each event's listeners apart, `on` and `emit` keep the types.
  readonly listener: unknown;
  readonly once: boolean;
}

/**
 * A small typed event emitter that runs anywhere (no `node:events`), with the part of Node's
 * `EventEmitter` API that apps use: `on`/`addListener`, `once`, `off`/`removeListener`,
 * `emit`, `listenerCount`, `removeAllListeners`. Node's `events.once(emitter, name)` and
 * `events.on(emitter, name)` work on it.
 *
 * What differs from Node's `EventEmitter`, on purpose:
 * - `'error'` is an event like any other: emitting it with no listener does not throw. An
 *   unwatched failure (a relay refresh that failed) then cannot crash the process.
 * - No max-listeners warning, no `newListener`/`removeListener` meta-events, no
 *   `prependListener`, no `captureRejections`.
 *
 * As in Node, listeners run synchronously in the order they were added; a listener added or
 * removed during an `emit` does not change who that `emit` calls; a listener that throws
 * stops the `emit` and the error reaches its caller. Where that caller is the reading of a
 * connection, the emitter catches it: a `Session` closes with it (see `SessionEvents`), an
 * endpoint throws it again in a microtask (see `EndpointEvents`).
 */
export class TypedEmitter<T extends EventMap<T>> {
  // Copy-on-write arrays: `emit` walks the array it found without copying it.
  readonly #listeners = new Map<keyof T, readonly Entry[]>();

  /** Calls `listener` on each `event`. Adding the same listener twice calls it twice. */
  on<K extends keyof T>(event: K, listener: TypedListener<T, K>): this {
    return this.#add(event, { listener, once: false });
  }

  /** Alias of {@link on}, for code written against Node's `EventEmitter`. */
  addListener<K extends keyof T>(event: K, listener: TypedListener<T, K>): this {
    return this.on(event, listener);
  }

  /** Calls `listener` on the next `event` only. */
  once<K extends keyof T>(event: K, listener: TypedListener<T, K>): this {
    return this.#add(event, { listener, once: true });
  }

  /** Removes the most recently added registration of `listener` (from `on` or `once`). */
  off<K extends keyof T>(event: K, listener: TypedListener<T, K>): this {
    const entries = this.#listeners.get(event);
    if (entries === undefined) return this;
    const index = entries.findLastIndex((e) => e.listener === listener);
    if (index >= 0) this.#remove(event, entries, index);
    return this;
  }

  /** Alias of {@link off}, for code written against Node's `EventEmitter`. */
  removeListener<K extends keyof T>(event: K, listener: TypedListener<T, K>): this {
    return this.off(event, listener);
  }

  /** Removes every listener of `event`, or of all events when none is named. */
  removeAllListeners(event?: keyof T): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  /** How many listeners `event` has. */
  listenerCount(event: keyof T): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /**
   * Calls the listeners of `event` with `args`, synchronously.
   * @returns whether `event` had listeners.
   */
  emit<K extends keyof T>(event: K, ...args: T[K]): boolean {
    const entries = this.#listeners.get(event);
    if (entries === undefined) return false;
    for (const entry of entries) {
      if (entry.once) {
        const current = this.#listeners.get(event);
        const index = current?.indexOf(entry) ?? -1;
        // Already removed by an earlier listener of this emit: Node still calls it; so do we.
        if (current !== undefined && index >= 0) this.#remove(event, current, index);
      }
      (entry.listener as TypedListener<T, K>).apply(this, args);
    }
    return true;
  }

  #add(event: keyof T, entry: Entry): this {
    const entries = this.#listeners.get(event);
    this.#listeners.set(event, entries === undefined ? [entry] : [...entries, entry]);
    return this;
  }

  #remove(event: keyof T, entries: readonly Entry[], index: number): void {
    if (entries.length === 1) this.#listeners.delete(event);
    else this.#listeners.set(event, entries.toSpliced(index, 1));
  }
}
