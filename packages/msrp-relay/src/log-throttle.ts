import type { RelayLogger } from './relay-options.js';

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
    this.#refill();
    if (this.#tokens < 1) {
      this.#dropped++;
      return false;
    }
    this.#tokens--;
    if (this.#dropped > 0) fields.unlogged = this.#dropped;
    this.#dropped = 0;
    return true;
  }

  /** Milliseconds until a line may be written (0: now). */
  wait(): number {
    this.#refill();
    if (this.#tokens >= 1) return 0;
    return this.#perMs > 0 ? Math.ceil((1 - this.#tokens) / this.#perMs) : Infinity;
  }

  /**
   * The lines dropped since the last one written, for a summary line written now. It takes a
   * token even when there is none (the count must out): the lines after it wait the longer.
   */
  takeDropped(): number {
    const dropped = this.#dropped;
    if (dropped === 0) return 0;
    this.#refill();
    this.#tokens--;
    this.#dropped = 0;
    return dropped;
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#perMs);
    this.#at = now;
  }
}

/**
 * One kind of log line a peer can cause at will (a refused connection, a failed TLS
 * handshake: a client reconnecting in a loop), written within a {@link LogThrottle}'s budget.
 * The lines dropped are told by the next line written (`unlogged`) or, when the flood stops
 * first, by a summary line once the budget has room (`suppressed`): the count is never lost.
 */
export class ThrottledLog {
  readonly #throttle: LogThrottle;
  readonly #write: (fields: Record<string, unknown>) => void;
  readonly #summarise: (suppressed: number) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param write Writes one line (its fields given, `unlogged` among them when lines were dropped).
   * @param summarise Writes the summary of `suppressed` lines dropped.
   */
  constructor(
    throttle: LogThrottle,
    write: (fields: Record<string, unknown>) => void,
    summarise: (suppressed: number) => void,
  ) {
    this.#throttle = throttle;
    this.#write = write;
    this.#summarise = summarise;
  }

  /** Writes the line, or counts it as dropped. */
  line(fields: Record<string, unknown>): void {
    if (this.#throttle.allow(fields)) {
      this.#write(fields);
      return;
    }
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => this.flush(), Math.min(this.#throttle.wait(), 60_000));
    // A summary due is no reason to keep a process up (the relay's close() flushes it).
    this.#timer.unref();
  }

  /** Writes the summary of the lines dropped now, if any (the relay closing). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const suppressed = this.#throttle.takeDropped();
    if (suppressed > 0) this.#summarise(suppressed);
  }
}

/**
 * Warnings `message` a peer can cause at will, within a budget of 20 lines, then 60 a minute;
 * the summary of those dropped is `log lines suppressed`, naming `message`.
 * @param now The budget's clock (the relay's `now` option). Default `Date.now`.
 */
export function throttledWarning(
  log: RelayLogger,
  message: string,
  now?: () => number,
): ThrottledLog {
  return new ThrottledLog(
    new LogThrottle(20, 60, now),
    (fields) => log.warn(fields, message),
    (suppressed) => log.warn({ lines: message, suppressed }, 'log lines suppressed'),
  );
}
