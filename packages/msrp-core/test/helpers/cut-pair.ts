// An endpoint that dials a receiving endpoint over in-memory connections (helpers/memory-pair)
// which can be cut at an exact byte of either direction: a network that fails mid-transfer,
// for the file properties. Each dial makes a new connection, so a sender resumes on a fresh one.
import { Endpoint } from '../../src/index.js';
import type { ByteStream, ByteStreamEvents, SessionOptions } from '../../src/index.js';
import { memoryPair } from './memory-pair.js';

/** Where to cut the next connection: after `after` bytes written by the dialer or the receiver. */
export interface Cut {
  readonly from: 'dialer' | 'receiver';
  readonly after: number;
}

/** A stream that writes through `inner` until `after` bytes went, then is cut. */
class CutStream implements ByteStream {
  readonly #inner: ByteStream;
  #left: number;

  constructor(inner: ByteStream, after: number) {
    this.#inner = inner;
    this.#left = after;
  }

  get remote(): string {
    return this.#inner.remote;
  }

  get bufferedAmount(): number {
    return this.#inner.bufferedAmount;
  }

  get writable(): boolean {
    return this.#inner.writable;
  }

  open(events: ByteStreamEvents): void {
    this.#inner.open(events);
  }

  write(parts: readonly Uint8Array[]): boolean {
    if (!this.#inner.writable) return false;
    const through: Uint8Array[] = [];
    for (const part of parts) {
      if (this.#left >= part.length) {
        through.push(part);
        this.#left -= part.length;
        continue;
      }
      if (this.#left > 0) through.push(part.subarray(0, this.#left));
      this.#left = -1;
      break;
    }
    const more = through.length > 0 ? this.#inner.write(through) : true;
    if (this.#left >= 0) return more;
    // Cut: what was written before the cut byte may still be in flight; nothing after it goes.
    this.#inner.destroy();
    return false;
  }

  pause(): void {
    this.#inner.pause();
  }

  resume(): void {
    this.#inner.resume();
  }

  end(): void {
    this.#inner.end();
  }

  destroy(error?: Error): void {
    this.#inner.destroy(error);
  }
}

/**
 * A receiving endpoint listening on 127.0.0.1 (port 0) and one that dials it over loopback
 * TCP, whose socket reads are read into again (what an in-memory pair never does); closed by
 * the `cleanups` the test runs.
 */
export async function tcpPair(
  cleanups: Array<() => unknown>,
  options: { receiver?: SessionOptions; sender?: SessionOptions },
): Promise<{ server: Endpoint; client: Endpoint }> {
  const server = new Endpoint({ session: options.receiver });
  const client = new Endpoint({ session: options.sender });
  cleanups.push(
    () => client.close(),
    () => server.close(),
  );
  await server.listen({ host: '127.0.0.1', port: 0 });
  return { server, client };
}

/**
 * A receiving endpoint (`receiver` session options) and a dialing one (`sender`): connection
 * `n` (0, 1, ...) is cut as `cuts[n]` says, if it says. Both endpoints are closed by the
 * `cleanups` the test runs.
 */
export function cutPair(
  cleanups: Array<() => unknown>,
  options: { receiver?: SessionOptions; sender?: SessionOptions; cuts: (Cut | undefined)[] },
): { server: Endpoint; client: Endpoint } {
  const server = new Endpoint({ host: 'b.example.com', session: options.receiver });
  let dials = 0;
  const client = new Endpoint({
    session: options.sender,
    dialers: {
      msrp: () => {
        const cut = options.cuts[dials++];
        const [dialer, receiver] = memoryPair();
        const ours = new CutStream(dialer, cut?.from === 'dialer' ? cut.after : Infinity);
        const theirs = new CutStream(receiver, cut?.from === 'receiver' ? cut.after : Infinity);
        server.acceptConnection(theirs, 'a');
        return Promise.resolve(ours);
      },
    },
  });
  cleanups.push(
    () => client.close(),
    () => server.close(),
  );
  return { server, client };
}
