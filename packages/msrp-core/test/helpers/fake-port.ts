// A SessionPort that parses what a SendScheduler writes and lets a test answer each request.
import { expect } from 'vitest';
import {
  Parser,
  parseContentType,
  type ContinuationFlag,
  type RequestHead,
  type ResponseHead,
} from '../../src/index.js';
import { type SessionPort, type Transaction, type TransactionSettle } from '../../src/internal.js';
import type { MsrpError } from '../../src/errors.js';
import { OutgoingMessage } from '../../src/session/outgoing-message.js';
import { SendScheduler, type SendSchedulerOptions } from '../../src/session/send-scheduler.js';
import type { MsrpUri } from '../../src/wire/uri.js';

const peer: MsrpUri = {
  scheme: 'msrp',
  host: '127.0.0.1',
  port: 2855,
  sessionId: 'peer',
  transport: 'tcp',
  params: [],
};
const us: MsrpUri = { ...peer, sessionId: 'us' };

export interface Written {
  head: RequestHead;
  body: Buffer;
  flag: ContinuationFlag;
  answer(statusCode?: number): void;
}

/** A port that parses what is written and lets the test answer each request. */
export class FakePort implements SessionPort {
  readonly written: Written[] = [];
  #waiters: Array<() => void> = [];

  /** When set, each request is answered 200 by itself, after this many microtasks. */
  constructor(readonly autoAnswerAfter?: number) {}

  send(transactionId: string, frame: readonly Uint8Array[], awaitResponse = true): Transaction {
    let answer!: (r: ResponseHead) => void;
    const response = awaitResponse
      ? new Promise<ResponseHead>((resolve) => (answer = resolve))
      : new Promise<ResponseHead>(() => undefined);
    let head: RequestHead | undefined;
    const body: Buffer[] = [];
    const parser = new Parser({
      head: (h) => void (head = h as RequestHead),
      body: (part) => void body.push(Buffer.from(part)),
      end: (flag) => {
        this.written.push({
          head: head!,
          body: Buffer.concat(body),
          flag,
          answer: (statusCode = 200) =>
            answer({ kind: 'response', transactionId, statusCode, toPath: [], fromPath: [] }),
        });
        this.#waiters.splice(0).forEach((w) => w());
        if (this.autoAnswerAfter !== undefined) {
          const written = this.written.at(-1)!;
          let hops = this.autoAnswerAfter;
          const later = (): void => (hops-- > 0 ? queueMicrotask(later) : written.answer());
          later();
        }
      },
    });
    for (const part of frame) parser.push(part);
    return { sent: Promise.resolve(), response };
  }

  whenRoom(): undefined {
    return undefined;
  }

  sendParts(
    transactionId: string,
    headBytes: Uint8Array,
    nextPart: () => Uint8Array | undefined,
    endLine: () => Uint8Array,
  ): Transaction {
    const frame = [headBytes];
    for (let part = nextPart(); part; part = nextPart()) frame.push(part);
    frame.push(endLine());
    return this.send(transactionId, frame);
  }

  sendChunk(
    transactionId: string,
    frame: readonly Uint8Array[],
    settle: TransactionSettle,
    datum?: number,
  ): boolean {
    this.send(transactionId, frame).response.then(
      (response) => settle(response, undefined, datum),
      (error: MsrpError) => settle(undefined, error, datum),
    );
    return this.room;
  }

  /** What sendChunk says of the connection's room; writable() resolves when it is set again. */
  room = true;
  #roomWaiters: Array<() => void> = [];

  setRoom(room: boolean): void {
    this.room = room;
    if (room) this.#roomWaiters.splice(0).forEach((w) => w());
  }

  writable(): Promise<void> {
    return this.room
      ? Promise.resolve()
      : new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  request(): Promise<ResponseHead> {
    throw new Error('not used');
  }

  resume(): void {}

  /** Waits until `n` frames were written in all. */
  async frames(n: number): Promise<Written[]> {
    while (this.written.length < n) {
      // Fails (rather than hangs) when the scheduler stops writing.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#waiters.push(resolve)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`only ${this.written.length} frames`)), 5000);
        }),
      ]).finally(() => clearTimeout(timer));
    }
    expect(this.written.length).toBeGreaterThanOrEqual(n);
    return this.written;
  }
}

export function scheduler(options: Partial<SendSchedulerOptions> = {}, autoAnswerAfter?: number) {
  const port = new FakePort(autoAnswerAfter);
  const host = { bound: true, port, toPath: [peer], fromPath: [us] };
  const s = new SendScheduler(host, {
    chunkSize: 4,
    maxInFlightChunks: 256,
    maxInFlightBytes: 1 << 20,
    remoteMaxSize: undefined,
    reportTimeout: 30_000,
    ...options,
  });
  return { s, port, host };
}

export function message(id: string, text: string): OutgoingMessage {
  return new OutgoingMessage(id, parseContentType('text/plain')!, Buffer.from(text));
}
