import { backgroundTimer, type Timer } from '../events/timers.js';
import type { ByteStream } from './byte-stream.js';

/**
 * After our last byte is flushed, how long a closing connection waits for the peer's FIN
 * (reading and discarding what it still sends) before it is destroyed. Closing at once
 * could turn late bytes from the peer into a RST that destroys our last response.
 */
const LINGER_MS = 100;

/**
 * When a closing connection's stream is destroyed: once the peer closed its side too (the
 * stream's own close), or shortly ({@link LINGER_MS}) after our last byte left, or at the
 * latest after the grace time when the peer does not read.
 */
export class ClosingTimer {
  readonly #stream: ByteStream;
  #timer: Timer | undefined;
  #graceMs = 2000;
  /** Our side is ended and every queued byte went out. */
  #finished = false;

  constructor(stream: ByteStream) {
    this.#stream = stream;
  }

  /**
   * Ends our side (if not yet) and destroys the stream within `graceMs` at the latest.
   * `error`: the peer broke the protocol, for the stream to say so ({@link ByteStream.end}).
   */
  endSoon(graceMs: number, error?: Error): void {
    const stream = this.#stream;
    if (stream.writable) stream.end(error);
    if (this.#timer !== undefined) return;
    this.#graceMs = graceMs;
    this.#timer = backgroundTimer(() => stream.destroy(), graceMs);
    if (this.#finished) this.#linger();
  }

  /** Our last byte left: once we are closing, wait a moment for the peer's FIN, no longer. */
  finished(): void {
    this.#finished = true;
    if (this.#timer !== undefined) this.#linger();
  }

  /** The stream closed: nothing is left to destroy. */
  stop(): void {
    clearTimeout(this.#timer);
  }

  #linger(): void {
    clearTimeout(this.#timer);
    const stream = this.#stream;
    this.#timer = backgroundTimer(() => stream.destroy(), Math.min(LINGER_MS, this.#graceMs));
  }
}
