/**
 * Chunks a connection may have in flight whatever their bytes: large chunks need several to
 * keep the path busy (1 GiB in 1 MiB chunks through the relay, medians of 9 alternated with
 * the relay unbounded: 419 vs 520 MB/s with 4, 587 vs 607 with 8).
 */
const MIN_CHUNKS = 8;

/** The requests written on a connection that await responses (the hop's `PendingTable`). */
export interface InFlight {
  /** How many await a response (silent "partial" chunks not counted). */
  readonly awaited: number;
  /** Their body bytes. */
  readonly bytes: number;
}

/**
 * The bound on the chunks written on one connection and not yet answered (`maxPendingBytes`).
 * Past it the `ChunkScheduler` begins no chunk of a longer message and cuts the one it
 * writes: they wait in its queue, which a chat line overtakes, not in the sockets' buffers
 * (several MiB on Linux), which it cannot (issue 12: chat send→arrival p99 through the relay
 * beside 1 GiB in 8 KiB chunks, median of 6 runs 20.8 ms with 1 MiB, 51 ms unbounded).
 */
export class InFlightWindow {
  readonly #max: number;
  /** What is in flight; set once the hop has a pending table. */
  source: InFlight | undefined;
  /**
   * The peer's hop: the window is full only while the relay reads the peer's connection
   * (`heard`), for only then can the responses it waits for arrive. Unset: always heard.
   */
  peer: { readonly heard: boolean } | undefined;

  constructor(max: number) {
    this.#max = max;
  }

  /**
   * Whether no other chunk of a longer message may be written now. Never while the relay
   * does not read the peer's connection: its responses wait there behind its requests, and
   * those wait for room toward another peer whose responses may in turn wait for this one's
   * chunks (two endpoints sending each other files through one relay). Then the socket's
   * buffer bounds what is written, not the window.
   */
  get full(): boolean {
    const out = this.source;
    return (
      out !== undefined &&
      out.bytes >= this.#max &&
      out.awaited >= MIN_CHUNKS &&
      this.peer?.heard !== false
    );
  }
}
