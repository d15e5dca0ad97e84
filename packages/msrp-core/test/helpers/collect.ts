import {
  Parser,
  type ContinuationFlag,
  type FrameSink,
  type Head,
  type ParserOptions,
} from '../../src/index.js';

/** What a {@link Collector} saw; consecutive body pieces of a frame are merged into one event. */
export type FrameEvent =
  | { readonly type: 'head'; readonly head: Head }
  | { readonly type: 'body'; readonly bytes: Buffer }
  | { readonly type: 'end'; readonly flag: ContinuationFlag };

/** One sink call as it happened, before merging; `index` counts every call from 0. */
export type RawEvent =
  | { readonly type: 'head'; readonly index: number; readonly head: Head }
  | { readonly type: 'body'; readonly index: number; readonly part: Uint8Array }
  | { readonly type: 'end'; readonly index: number; readonly flag: ContinuationFlag };

/** Decides whether the sink answers `false` (pause) to a call. */
export type PauseRule = (event: RawEvent) => boolean;

/** A {@link FrameSink} that records what the parser emits. */
export class Collector implements FrameSink {
  /** Every call in order; body parts are kept as received (views, not copies). */
  readonly raw: RawEvent[] = [];
  readonly #merged: FrameEvent[] = [];
  #body: Buffer[] = [];
  readonly #pause: PauseRule | undefined;

  constructor(pause?: PauseRule) {
    this.#pause = pause;
  }

  /** The body parts received so far, in order. */
  get parts(): Uint8Array[] {
    return this.raw.flatMap((e) => (e.type === 'body' ? [e.part] : []));
  }

  /** The events so far, with the body pieces of each frame merged. */
  get events(): FrameEvent[] {
    this.#flush();
    return [...this.#merged];
  }

  head(head: Head): boolean {
    this.#flush();
    this.#merged.push({ type: 'head', head });
    return this.#answer({ type: 'head', index: this.raw.length, head });
  }

  body(part: Uint8Array): boolean {
    // Copy now: the merged event must not depend on the caller keeping the pushed bytes intact.
    this.#body.push(Buffer.from(part));
    return this.#answer({ type: 'body', index: this.raw.length, part });
  }

  end(flag: ContinuationFlag): boolean {
    this.#flush();
    this.#merged.push({ type: 'end', flag });
    return this.#answer({ type: 'end', index: this.raw.length, flag });
  }

  #answer(event: RawEvent): boolean {
    this.raw.push(event);
    return !this.#pause?.(event);
  }

  #flush(): void {
    if (this.#body.length === 0) return;
    this.#merged.push({ type: 'body', bytes: Buffer.concat(this.#body) });
    this.#body = [];
  }
}

/** Bytes of a piece given as text (UTF-8) or as bytes. */
export function toBytes(piece: string | Uint8Array): Uint8Array {
  return typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
}

/** Pushes `pieces` into a fresh parser with the given options, calls `end()`, returns the events. */
export function parseWith(
  options: ParserOptions,
  ...pieces: readonly (string | Uint8Array)[]
): FrameEvent[] {
  const sink = new Collector();
  const parser = new Parser(sink, options);
  for (const piece of pieces) parser.push(toBytes(piece));
  parser.end();
  return sink.events;
}

/** Pushes `pieces` into a fresh parser with default limits, calls `end()`, returns the events. */
export function parseAll(...pieces: readonly (string | Uint8Array)[]): FrameEvent[] {
  return parseWith({}, ...pieces);
}

/** Cuts `bytes` at the given offsets (any order, duplicates and out-of-range ones ignored). */
export function splitAt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(offsets)].filter((o) => o > 0 && o < bytes.length).sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    pieces.push(bytes.subarray(from, cut));
    from = cut;
  }
  return pieces;
}

/** Every byte of `bytes` as its own piece. */
export function byteByByte(bytes: Uint8Array): Uint8Array[] {
  return Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
}
