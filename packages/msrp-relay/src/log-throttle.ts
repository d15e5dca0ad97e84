/**
 * A budget of log lines for events a peer can cause at will (failed AUTHs): `burst` lines,
 * then `perMinute`; the lines dropped are counted, and the next line written says how many.
 */
export class LogThrottle {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;
  #dropped = 0;

  constructor(burst: number, perMinute: number, now: () => number = Date.now) {
    this.#burst = this.#tokens = burst;
    this.#perMs = perMinute / 60_000;
    this.#now = now;
    this.#at = now();
  }

  /**
   * Whether a line may be written now. When it may, `fields` gains `unlogged`: the lines
   * dropped since the last one written, if any.
   */
  allow(fields: Record<string, unknown>): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#perMs);
    this.#at = now;
    if (this.#tokens < 1) {
      this.#dropped++;
      return false;
    }
    this.#tokens--;
    if (this.#dropped > 0) fields.unlogged = this.#dropped;
    this.#dropped = 0;
    return true;
  }
}
