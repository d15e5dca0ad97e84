import type { MsrpError } from '../errors.js';
import type { RequestHead } from '../wire/head.js';
import type { ContinuationFlag } from '../wire/parser.js';
import { ChunkLength } from './chunk-length.js';
import type { ChunkAnswer, ChunkReceiver } from './chunk-receiver.js';
import { FILE_HASH_HEADER } from './file-transfer.js';
import type { Reassembly } from './reassembly.js';

/** What an {@link InboundChunk} needs of its session's `Inbound`. */
export interface ChunkOwner {
  deliver(r: Reassembly): void;
  /** Body bytes of `r` came: its wait for the peer starts again. */
  active(r: Reassembly): void;
  check(r: Reassembly, flag: ContinuationFlag): MsrpError | undefined;
  finished(r: Reassembly, request: RequestHead, answer: ChunkAnswer): void;
  failed(r: Reassembly, request: RequestHead, error: MsrpError, refused: boolean): void;
}

/** The receiver of one incoming SEND chunk of a message being reassembled. */
export class InboundChunk implements ChunkReceiver {
  readonly #owner: ChunkOwner;
  readonly #r: Reassembly;
  readonly #request: RequestHead;
  readonly #length: ChunkLength;
  #refused = false;

  constructor(owner: ChunkOwner, r: Reassembly, request: RequestHead) {
    this.#owner = owner;
    this.#r = r;
    this.#request = request;
    this.#length = new ChunkLength(request.byteRange);
  }

  body(part: Uint8Array): boolean {
    this.#length.body(part.length);
    const room = this.#r.write(part);
    this.#owner.active(this.#r);
    // A message of unknown size turns into a stream when it outgrows inMemoryThreshold,
    // maybe inside one long chunk (1-*/*): the reader must have it now, or nobody drains
    // the stream and the connection stays paused for good.
    this.#owner.deliver(this.#r);
    return room;
  }

  check(flag: ContinuationFlag): MsrpError | undefined {
    const error = this.#length.end(flag);
    if (error !== undefined) return error;
    const refusal = this.#owner.check(this.#r, flag);
    this.#refused = refusal !== undefined;
    return refusal;
  }

  end(flag: ContinuationFlag, answer: ChunkAnswer): void {
    const hash = this.#request.extensions?.find(
      (h) => h.name.toLowerCase() === FILE_HASH_HEADER.toLowerCase(),
    )?.value;
    this.#r.endChunk(flag, hash, answer);
    this.#owner.finished(this.#r, this.#request, answer);
  }

  fail(error: MsrpError): void {
    this.#owner.failed(this.#r, this.#request, error, this.#refused);
  }
}
