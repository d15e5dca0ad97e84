// The requests of a TransactionTable in the order they were sent (issue 12). A Map keyed by
// transaction id, one entry added and one deleted per chunk, reallocated its table every
// window's worth of chunks, and that table and the entry object outlived two scavenges: 10 of
// the 14 MiB `msrp send` promoted per GiB. Here the slots are reused, and a peer that answers
// in order (every peer we know) is matched at the head without a lookup.

/** One request awaiting its response; a free slot has no `settle`. */
interface PendingSlot<S> {
  id: string;
  settle: S | undefined;
  datum: number;
  deadline: number;
}

/** A request taken out of the queue: what its settle function needs. */
export interface TakenRequest<S> {
  readonly id: string;
  readonly settle: S;
  readonly datum: number;
}

const INITIAL_CAPACITY = 16;

/**
 * A {@link TakenRequest}: a class instance, as V8 may allocate every object of a literal in
 * the old generation once its first ones survived a scavenge (see `newSending`), where one
 * per response would keep the settle function it holds, and its message, from dying young.
 */
class Taken<S> implements TakenRequest<S> {
  constructor(
    readonly id: string,
    readonly settle: S,
    readonly datum: number,
  ) {}
}

/**
 * Requests in the order they were added, in a ring of reused slots. {@link find} looks at the
 * oldest first; on a miss (an answer out of order, or to no request of ours) it indexes the
 * requests by id in a Map kept until the queue empties, so a lookup never scans the ring.
 */
export class PendingQueue<S extends (...args: never[]) => void> {
  #slots: PendingSlot<S>[] = [];
  /** Index of the oldest slot in use; slots in use from there: `#used` (some may be free). */
  #head = 0;
  #used = 0;
  #live = 0;
  #index: Map<string, PendingSlot<S>> | undefined;

  /** Requests awaiting a response. */
  get size(): number {
    return this.#live;
  }

  /** Slots in the ring (for tests: it follows the requests waiting, not those answered). */
  get capacity(): number {
    return this.#slots.length;
  }

  /** Adds a request (its id not already in the queue). */
  add(id: string, settle: S, datum: number, deadline: number): void {
    if (this.#used === this.#slots.length) this.#makeRoom();
    const slot = this.#slots[(this.#head + this.#used) % this.#slots.length]!;
    slot.id = id;
    slot.settle = settle;
    slot.datum = datum;
    slot.deadline = deadline;
    this.#used++;
    this.#live++;
    this.#index?.set(id, slot);
  }

  /** The request with this id, taken out of the queue; undefined when none is. */
  take(id: string): TakenRequest<S> | undefined {
    if (this.#live === 0) return undefined;
    const head = this.#slots[this.#head]!;
    let slot: PendingSlot<S> | undefined = head;
    if (head.id !== id) {
      this.#index ??= this.#buildIndex();
      slot = this.#index.get(id);
      if (!slot) return undefined;
    }
    const taken = new Taken(id, slot.settle!, slot.datum);
    this.#free(slot);
    return taken;
  }

  /** Takes out the requests whose deadline passed; `next` is the earliest deadline left. */
  takeExpired(now: number): { expired: TakenRequest<S>[]; next: number } {
    const expired: TakenRequest<S>[] = [];
    let next = Infinity;
    for (const slot of this.#inUse()) {
      if (slot.deadline > now) next = Math.min(next, slot.deadline);
      else {
        expired.push(new Taken(slot.id, slot.settle!, slot.datum));
        this.#free(slot);
      }
    }
    return { expired, next };
  }

  /** Takes out every request, oldest first. */
  takeAll(): TakenRequest<S>[] {
    const all = this.#inUse().map((slot) => new Taken(slot.id, slot.settle!, slot.datum));
    for (const slot of this.#inUse()) this.#free(slot);
    return all;
  }

  /** The slots holding a request, oldest first (a snapshot: freeing them on the way is safe). */
  #inUse(): PendingSlot<S>[] {
    const slots: PendingSlot<S>[] = [];
    for (let i = 0; i < this.#used; i++) {
      const slot = this.#slots[(this.#head + i) % this.#slots.length]!;
      if (slot.settle) slots.push(slot);
    }
    return slots;
  }

  #free(slot: PendingSlot<S>): void {
    this.#index?.delete(slot.id);
    slot.id = '';
    slot.settle = undefined;
    this.#live--;
    // Free slots at the head are given back; those behind a request still waiting stay used.
    while (this.#used > 0 && !this.#slots[this.#head]!.settle) {
      this.#head = (this.#head + 1) % this.#slots.length;
      this.#used--;
    }
    if (this.#live === 0) this.#index = undefined;
  }

  #buildIndex(): Map<string, PendingSlot<S>> {
    return new Map(this.#inUse().map((slot) => [slot.id, slot]));
  }

  /**
   * The ring is full: its requests are moved to the front of a ring twice as large, or of
   * the same size when at most half its slots hold one (free slots behind an unanswered
   * request), so that its size follows the requests waiting, not the ones answered.
   */
  #makeRoom(): void {
    const old = this.#slots;
    const inUse = this.#inUse();
    const capacity =
      old.length === 0
        ? INITIAL_CAPACITY
        : inUse.length <= old.length / 2
          ? old.length
          : old.length * 2;
    const spare = old.filter((slot) => !slot.settle);
    const slots = [...inUse, ...spare];
    while (slots.length < capacity)
      slots.push({ id: '', settle: undefined, datum: 0, deadline: 0 });
    this.#slots = slots;
    this.#head = 0;
    this.#used = inUse.length;
  }
}
