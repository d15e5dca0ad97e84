import type { ByteStream, ByteStreamEvents } from '@msrp-ts/msrp-core/internal';
import type { Hop } from './hop.js';

/**
 * A client connection's TCP or TLS stream, its reads offered to the hop's `FastPath` first:
 * the whole frames it takes from the start of a read, read at a frame boundary, never reach
 * the parser; the rest of the read does, as it would have. Every other call goes through.
 */
export class FastPathStream implements ByteStream {
  readonly #stream: ByteStream;
  readonly #hop: Hop;

  constructor(stream: ByteStream, hop: Hop) {
    this.#stream = stream;
    this.#hop = hop;
  }

  get remote(): string {
    return this.#stream.remote;
  }
  get remoteAddress(): string | undefined {
    return this.#stream.remoteAddress;
  }
  get localAddress(): string | undefined {
    return this.#stream.localAddress;
  }
  get bufferedAmount(): number {
    return this.#stream.bufferedAmount;
  }
  get writable(): boolean {
    return this.#stream.writable;
  }

  get messageFramed(): boolean {
    return this.#stream.messageFramed === true;
  }

  open(events: ByteStreamEvents): void {
    this.#stream.open(new FastPathReader(events, this.#hop));
  }
  write(parts: readonly Uint8Array[], lent?: boolean): boolean {
    return this.#stream.write(parts, lent);
  }
  pause(): void {
    this.#stream.pause();
  }
  resume(): void {
    this.#stream.resume();
  }
  end(error?: Error): void {
    this.#stream.end(error);
  }
  destroy(error?: Error): void {
    this.#stream.destroy(error);
  }
}

/** The stream's events, to the connection: reads through the hop's fast path first. */
class FastPathReader implements ByteStreamEvents {
  readonly #events: ByteStreamEvents;
  readonly #hop: Hop;

  constructor(events: ByteStreamEvents, hop: Hop) {
    this.#events = events;
    this.#hop = hop;
  }

  data(bytes: Uint8Array): void {
    const hop = this.#hop;
    const fast = hop.fast;
    const connection = hop.connection;
    // A socket reads into Buffers.
    if (!fast || !connection || !Buffer.isBuffer(bytes)) return this.#events.data(bytes);
    let from = 0;
    if (!connection.atFrameStart) {
      // The last read ended inside a frame: the parser finishes it, then the fast path goes on
      // if the parser is at a frame start indeed.
      const end = fast.finish(bytes);
      if (end < 0 || end === bytes.length) return this.#events.data(bytes);
      this.#events.data(bytes.subarray(0, end));
      from = end;
      if (!connection.atFrameStart) return this.#events.data(bytes.subarray(from));
    }
    // The fast path reads only at a frame boundary; it leaves the rest to the connection.
    from += fast.read(from === 0 ? bytes : bytes.subarray(from));
    // The rest, or nothing: the connection still sees the read (its idle timer, reading on).
    this.#events.data(from === 0 ? bytes : bytes.subarray(from));
  }
  holdsData(): boolean {
    // The fast path keeps nothing of a read (it copies what it forwards).
    return this.#events.holdsData?.() !== false;
  }
  drain(): void {
    this.#events.drain();
  }
  end(): void {
    this.#events.end();
  }
  endWhilePaused(): void {
    this.#events.endWhilePaused();
  }
  finished(): void {
    this.#events.finished();
  }
  error(error: Error): void {
    this.#events.error(error);
  }
  close(): void {
    this.#events.close();
  }
}
