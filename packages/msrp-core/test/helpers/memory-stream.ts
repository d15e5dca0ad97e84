// A ByteStream written by hand, with no Node stream under it: what a test needs to show that
// Connection relies on the ByteStream interface alone.
import type { ByteStream, ByteStreamEvents } from '../../src/index.js';

/**
 * One end of a scripted connection. The test plays the peer: {@link receive} delivers bytes
 * (held while paused), {@link take} hands what was written to the peer (emitting `drain`
 * when a write had returned false), {@link peerEnd} is the peer's FIN.
 */
export class MemoryStream implements ByteStream {
  readonly remote = 'memory:1';
  /** Each `write` call, as the parts it was given. */
  readonly writes: Uint8Array[][] = [];
  bufferedAmount = 0;
  writable = true;
  paused = false;
  ended = false;
  destroyed = false;
  #events: ByteStreamEvents | undefined;
  #held: Uint8Array[] = [];
  #needDrain = false;
  #closed = false;
  #finished = false;
  #taken = 0;

  /** `highWaterMark`: queued bytes from which `write` returns false. */
  constructor(readonly highWaterMark = 1024) {}

  open(events: ByteStreamEvents): void {
    if (this.#events) throw new Error('opened twice');
    this.#events = events;
  }

  write(parts: readonly Uint8Array[]): boolean {
    if (!this.writable) throw new Error('write after end');
    this.writes.push([...parts]);
    for (const part of parts) this.bufferedAmount += part.length;
    const room = this.bufferedAmount < this.highWaterMark;
    if (!room) this.#needDrain = true;
    return room;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    while (!this.paused && this.#held.length > 0) this.#events!.data(this.#held.shift()!);
  }

  end(): void {
    this.writable = false;
    this.ended = true;
    if (this.bufferedAmount === 0) queueMicrotask(() => this.#finish());
  }

  destroy(): void {
    this.writable = false;
    this.destroyed = true;
    this.#close();
  }

  // ---- the peer's side --------------------------------------------------------------

  /** The peer sends `bytes`: delivered now, or once resumed. */
  receive(bytes: Uint8Array): void {
    if (this.paused || this.#held.length > 0) this.#held.push(bytes);
    else this.#events!.data(bytes);
  }

  /** Whether the connection says it still holds views of what it was given (`holdsData`). */
  holdsData(): boolean {
    return this.#events?.holdsData?.() !== false;
  }

  /** The peer reads everything queued, and gets the bytes written since the last take. */
  take(): Uint8Array {
    const all = this.writes.slice(this.#taken).flat();
    this.#taken = this.writes.length;
    const bytes = new Uint8Array(all.reduce((n, part) => n + part.length, 0));
    let at = 0;
    for (const part of all) {
      bytes.set(part, at);
      at += part.length;
    }
    this.bufferedAmount = 0;
    if (this.#needDrain) {
      this.#needDrain = false;
      this.#events!.drain();
    }
    if (this.ended) this.#finish();
    return bytes;
  }

  /** The peer closes its side. */
  peerEnd(): void {
    if (this.paused && this.#held.length > 0) this.#events!.endWhilePaused();
    else this.#events!.end();
  }

  #finish(): void {
    if (this.#finished || this.#closed) return;
    this.#finished = true;
    this.#events!.finished();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    queueMicrotask(() => this.#events!.close());
  }
}
