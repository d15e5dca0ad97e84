// An in-memory stream for the ChunkScheduler tests: it records what is written and, on hold,
// stops taking bytes, as a peer that reads slowly. And the SEND chunks those tests forward.
import { Duplex } from 'node:stream';
import {
  Parser,
  newTransactionId,
  parseUri,
  type ContinuationFlag,
  type Head,
  type RequestHead,
} from '@msrp-ts/msrp-core';

/** A stream that records what is written; with `hold`, it stops taking bytes (a slow peer). */
export class Wire extends Duplex {
  readonly written: Buffer[] = [];
  hold = false;
  readonly #held: (() => void)[] = [];
  constructor() {
    // A small buffer, as a socket's: `drain` comes once more than this was queued.
    super({ writableHighWaterMark: 1024 });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.written.push(chunk);
    if (this.hold) this.#held.push(callback);
    else callback();
  }
  release(): void {
    this.hold = false;
    for (const callback of this.#held.splice(0)) callback();
  }
  /** The frames written so far. */
  frames(): { head: Head; body: string; flag: ContinuationFlag }[] {
    const frames: { head: Head; body: string; flag: ContinuationFlag }[] = [];
    let head: Head | undefined;
    let body = '';
    const parser = new Parser({
      head: (h) => void ((head = h), (body = '')),
      body: (part) => void (body += Buffer.from(part).toString()),
      end: (flag) => void frames.push({ head: head!, body, flag }),
    });
    parser.push(Buffer.concat(this.written));
    return frames;
  }
}

/** Connection events that ignore everything. */
export const ignore = {
  head: () => true,
  body: () => true,
  end: () => undefined,
  protocolError: () => undefined,
  closed: () => undefined,
};

/** The head of a SEND chunk toward bob: `bytes` of a `total`-byte message, from `start`. */
export function chunk(messageId: string, start: number, bytes: number, total: number): RequestHead {
  return {
    kind: 'request',
    method: 'SEND',
    transactionId: newTransactionId(),
    toPath: [parseUri('msrp://127.0.0.1:2855/bob;tcp')],
    fromPath: [parseUri('msrp://127.0.0.1:2855/relay;tcp')],
    messageId,
    byteRange: { start, end: start + bytes - 1, total },
    contentType: { type: 'text', subtype: 'plain', params: [] },
  };
}
