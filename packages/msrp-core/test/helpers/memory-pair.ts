// Two connected in-memory ByteStreams, written against the interface alone (no Node streams),
// as a browser transport would be: bytes cross in a microtask, copied as a socket would copy
// them, with backpressure (write returns false past the high-water mark, drain follows).
import type { ByteStream, ByteStreamEvents } from '../../src/browser.js';

const HIGH_WATER_MARK = 64 * 1024;

class PairedStream implements ByteStream {
  readonly remote: string;
  other!: PairedStream;
  bufferedAmount = 0;
  writable = true;
  #events: ByteStreamEvents | undefined;
  readonly #inbox: Uint8Array[] = [];
  #paused = false;
  #scheduled = false;
  #peerEnded = false;
  #closed = false;

  constructor(remote: string) {
    this.remote = remote;
  }

  open(events: ByteStreamEvents): void {
    this.#events = events;
    this.#schedule();
  }

  write(parts: readonly Uint8Array[]): boolean {
    if (!this.writable) return false;
    for (const part of parts) {
      // Uint8Array's slice: a Buffer's own is a view, and a writer may reuse what it wrote
      // once the peer answered it (a file sender's read buffers).
      this.other.#inbox.push(Uint8Array.prototype.slice.call(part));
      this.bufferedAmount += part.length;
    }
    this.other.#schedule();
    return this.bufferedAmount < HIGH_WATER_MARK;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#schedule();
  }

  end(): void {
    if (!this.writable) return;
    this.writable = false;
    this.other.#peerEnded = true;
    this.other.#schedule();
    queueMicrotask(() => this.#events?.finished());
  }

  destroy(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.writable = false;
    if (error) this.#events?.error(error);
    queueMicrotask(() => this.#events?.close());
    this.other.destroy();
  }

  /** Delivers what arrived, in a microtask, unless paused. */
  #schedule(): void {
    if (this.#scheduled || !this.#events) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      const events = this.#events!;
      while (!this.#paused && !this.#closed && this.#inbox.length > 0) {
        const bytes = this.#inbox.shift()!;
        const sender = this.other;
        const before = sender.bufferedAmount;
        sender.bufferedAmount -= bytes.length;
        // The writer was told to wait: it may write again once everything left.
        if (before >= HIGH_WATER_MARK && sender.bufferedAmount < HIGH_WATER_MARK)
          queueMicrotask(() => sender.#events?.drain());
        events.data(bytes);
      }
      if (this.#peerEnded && this.#inbox.length === 0 && !this.#closed) {
        this.#peerEnded = false;
        events.end();
      }
    });
  }
}

/** Two connected in-memory byte streams: what one writes, the other reads. */
export function memoryPair(): [ByteStream, ByteStream] {
  const a = new PairedStream('memory:a');
  const b = new PairedStream('memory:b');
  a.other = b;
  b.other = a;
  return [a, b];
}
