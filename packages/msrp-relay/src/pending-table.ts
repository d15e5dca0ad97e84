import type { PendingForward } from './hop.js';

/** One request awaiting its response: the pending record, its id and its deadline. */
interface Slot {
  readonly tid: string;
  readonly value: PendingForward;
  /** A SEND chunk whose Failure-Report is "partial" (see {@link isSilent}). */
  readonly silent: boolean;
  /** Milliseconds since the epoch; Infinity until armed. */
  deadline: number;
}

/**
 * Silent entries one connection keeps (see {@link isSilent}): a sender of nothing but
 * "partial" chunks never gets them answered, and they would otherwise pile up for 30 s.
 */
const MAX_SILENT = 1024;

/**
 * Whether `pending` is a SEND chunk with Failure-Report "partial": RFC 4975 §7.1.2, its next
 * hop sends no 200, only a failure. Silence is its success: it is kept to turn a failure
 * response into a REPORT, but it expires without one and holds no sender back.
 */
export function isSilent(pending: PendingForward): boolean {
  return pending.kind === 'report' && pending.request.failureReport === 'partial';
}

/**
 * The requests forwarded on one connection that await a response, by the transaction id we
 * gave them (RFC 4975 §7.1: none in time is a 408), in the order they were sent: a ring of
 * slots that grows to the most ever pending and never shrinks, with one timer for the earliest
 * deadline.
 *
 * Not a `Map`: a chunk per slot added and taken is a Map's worst case, a table rebuilt every
 * few hundred chunks, and with the responses taking as long as the queues ahead of them take
 * to drain, those tables and the entries wrapping each value outlived the young generation
 * (issue 13: ~40 % of what the relay promoted per 8 KiB chunk, the old generation growing in
 * 8 MiB steps). A next hop answers in order, so the response sought is the oldest slot: a
 * lookup scans from there, at most the slots in use (bounded by `maxPendingTransactions`, past
 * which senders are held back, plus the requests already being read).
 */
export class PendingTable {
  #ring: (Slot | undefined)[] = new Array<Slot | undefined>(8);
  /** Index of the oldest slot in use. */
  #head = 0;
  /** Slots from `#head` on that were used (taken ones among them are holes). */
  #used = 0;
  #size = 0;
  #silent = 0;
  /** Body bytes of the awaited entries (`PendingForward.bytes`; silent ones not counted). */
  #bytes = 0;
  readonly #maxSilent: number;
  readonly #onExpire: (tid: string, value: PendingForward) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;

  /**
   * `onExpire` is called for each entry whose deadline passed, after it was removed, except
   * silent ones; of those at most `maxSilent` are kept, the oldest given up first.
   */
  constructor(onExpire: (tid: string, value: PendingForward) => void, maxSilent = MAX_SILENT) {
    this.#onExpire = onExpire;
    this.#maxSilent = maxSilent;
  }

  /** Entries, armed or not. */
  get size(): number {
    return this.#size;
  }

  /** Entries a response is due for: all but the silent ones. */
  get awaited(): number {
    return this.#size - this.#silent;
  }

  /** Body bytes of the awaited entries, as far as known (a segment's once it is armed). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Adds an entry; it expires `ms` from now, or never until {@link arm}. */
  set(tid: string, value: PendingForward, ms = Infinity): void {
    if (this.#used === this.#ring.length) this.#grow();
    const deadline = Date.now() + ms;
    const silent = isSilent(value);
    if (!silent) this.#bytes += value.bytes;
    this.#ring[(this.#head + this.#used) & (this.#ring.length - 1)] = {
      tid,
      value,
      silent,
      deadline,
    };
    this.#used++;
    this.#size++;
    if (silent && ++this.#silent > this.#maxSilent) this.#dropSilent(-1);
    this.#schedule(deadline);
  }

  /**
   * Gives an entry its deadline, `ms` from now, and its body `bytes` (its request was
   * written); returns its value, or undefined when there is no such entry.
   */
  arm(tid: string, ms: number, bytes: number): PendingForward | undefined {
    // Written just now: among the newest.
    const i = this.#find(tid, true);
    if (i < 0) return undefined;
    const slot = this.#ring[i]!;
    slot.deadline = Date.now() + ms;
    if (!slot.silent) this.#bytes += bytes - slot.value.bytes;
    slot.value.bytes = bytes;
    this.#schedule(slot.deadline);
    return slot.value;
  }

  get(tid: string): PendingForward | undefined {
    const i = this.#find(tid, true);
    return i < 0 ? undefined : this.#ring[i]!.value;
  }

  /**
   * Removes an entry and returns its value (a response came). Silent entries older than it
   * are removed too: a next hop answers in order, so they succeeded.
   */
  take(tid: string): PendingForward | undefined {
    return this.#take(tid, true);
  }

  /** Removes an entry; whether there was one. */
  delete(tid: string): boolean {
    return this.#take(tid, false) !== undefined;
  }

  /** Removes every entry without expiring it; returns them, oldest first. */
  clear(): [string, PendingForward][] {
    const all = [...this];
    this.#ring = new Array<Slot | undefined>(8);
    this.#head = this.#used = this.#size = this.#silent = this.#bytes = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    return all;
  }

  /** The entries, oldest first (a copy: entries may be removed meanwhile). */
  *[Symbol.iterator](): IterableIterator<[string, PendingForward]> {
    const all: [string, PendingForward][] = [];
    this.#each((slot) => all.push([slot.tid, slot.value]));
    yield* all;
  }

  #each(visit: (slot: Slot, index: number) => void): void {
    const mask = this.#ring.length - 1;
    for (let k = 0; k < this.#used; k++) {
      const i = (this.#head + k) & mask;
      const slot = this.#ring[i];
      if (slot !== undefined) visit(slot, i);
    }
  }

  /** The ring index of `tid`'s slot, or -1; looked for from the newest or the oldest. */
  #find(tid: string, newestFirst: boolean): number {
    const ring = this.#ring;
    const mask = ring.length - 1;
    const used = this.#used;
    for (let k = 0; k < used; k++) {
      const i = (this.#head + (newestFirst ? used - 1 - k : k)) & mask;
      if (ring[i]?.tid === tid) return i;
    }
    return -1;
  }

  #take(tid: string, answered: boolean): PendingForward | undefined {
    // Answered in order: the oldest.
    const i = this.#find(tid, false);
    if (i < 0) return undefined;
    const { value } = this.#ring[i]!;
    if (answered && this.#silent > 0) this.#dropSilent(i);
    this.#remove(i);
    return value;
  }

  #remove(i: number): void {
    this.#forget(i);
    this.#trim();
  }

  /** Empties slot `i` and takes its entry out of the counts (the ring is trimmed by callers). */
  #forget(i: number): void {
    const slot = this.#ring[i]!;
    if (slot.silent) this.#silent--;
    else this.#bytes -= slot.value.bytes;
    this.#ring[i] = undefined;
    this.#size--;
  }

  /** Removes the silent entries older than ring index `before`, or (-1) the oldest one. */
  #dropSilent(before: number): void {
    const ring = this.#ring;
    const mask = ring.length - 1;
    for (let k = 0; k < this.#used; k++) {
      const i = (this.#head + k) & mask;
      if (i === before) break;
      if (!ring[i]?.silent) continue;
      this.#forget(i);
      if (before < 0) break;
    }
    this.#trim();
  }

  /** Holes at the oldest end are given back at once; those in between when they get there. */
  #trim(): void {
    const ring = this.#ring;
    const mask = ring.length - 1;
    while (this.#used > 0 && ring[this.#head] === undefined) {
      this.#head = (this.#head + 1) & mask;
      this.#used--;
    }
  }

  /** Full: holes squeezed out, or twice the room when there are none. */
  #grow(): void {
    const live: Slot[] = [];
    this.#each((slot) => live.push(slot));
    const length = live.length * 2 > this.#ring.length ? this.#ring.length * 2 : this.#ring.length;
    this.#ring = new Array<Slot | undefined>(length);
    for (let k = 0; k < live.length; k++) this.#ring[k] = live[k];
    this.#head = 0;
    this.#used = live.length;
  }

  #schedule(deadline: number): void {
    if (deadline === Infinity || deadline >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = deadline;
    this.#timer = setTimeout(() => this.#sweep(), Math.max(0, deadline - Date.now()));
    this.#timer.unref();
  }

  #sweep(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = Date.now();
    const expired: Slot[] = [];
    let next = Infinity;
    this.#each((slot, i) => {
      if (slot.deadline <= now) {
        if (!slot.silent) expired.push(slot);
        this.#forget(i);
      } else next = Math.min(next, slot.deadline);
    });
    this.#trim();
    this.#schedule(next);
    for (const slot of expired) this.#onExpire(slot.tid, slot.value);
  }
}
