/** A frame waiting behind one written in parts, and who waits for it. */
interface Waiting {
  readonly frame: readonly Uint8Array[];
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

/** What {@link ExclusiveWrites} writes through: the connection's whole-frame write. */
export interface FrameWriter {
  write(frame: readonly Uint8Array[]): Promise<void>;
}

/**
 * A frame written in parts on a connection, waiting for `drain` between them, while other
 * frames queue behind it (RFC 4975 §7.1: a large chunk stays interruptible, never interleaved).
 * A connection creates one only when it first writes in parts.
 */
export class ExclusiveWrites {
  readonly #writer: FrameWriter;
  /** Set while a frame is written in parts; other frames queue in the backlog. */
  #exclusive: Promise<void> | undefined;
  #backlog: Waiting[] | undefined;

  constructor(writer: FrameWriter) {
    this.#writer = writer;
  }

  /** Settles once the frame being written in parts is done; undefined when none is. */
  get busy(): Promise<void> | undefined {
    return this.#exclusive;
  }

  /** Queues `frame` to go out right after the frame being written in parts. */
  queue(frame: readonly Uint8Array[]): Promise<void> {
    return new Promise((resolve, reject) =>
      (this.#backlog ??= []).push({ frame, resolve, reject }),
    );
  }

  /** {@link queue} for a writer that does not wait: a closing connection fails its transaction. */
  queueUnwaited(frame: readonly Uint8Array[]): void {
    const dropped = (): void => undefined;
    (this.#backlog ??= []).push({ frame, resolve: dropped, reject: dropped });
  }

  /** Writes head, body parts and end-line, one `write` each, while other frames wait. */
  async writeParts(
    head: Uint8Array,
    nextPart: () => Uint8Array | undefined,
    endLine: () => Uint8Array,
  ): Promise<void> {
    while (this.#exclusive) await this.#exclusive;
    let release!: () => void;
    this.#exclusive = new Promise<void>((resolve) => (release = resolve));
    try {
      await this.#writeDirect([head]);
      for (let part = nextPart(); part !== undefined; part = nextPart())
        await this.#writeDirect([part]);
      await this.#writeDirect([endLine()]);
    } finally {
      this.#exclusive = undefined;
      release();
      const backlog = this.#backlog;
      this.#backlog = undefined;
      if (backlog !== undefined)
        for (const { frame, resolve, reject } of backlog)
          this.#writer.write(frame).then(resolve, reject);
    }
  }

  #writeDirect(frame: readonly Uint8Array[]): Promise<void> {
    const exclusive = this.#exclusive;
    this.#exclusive = undefined;
    try {
      return this.#writer.write(frame);
    } finally {
      this.#exclusive = exclusive;
    }
  }
}
