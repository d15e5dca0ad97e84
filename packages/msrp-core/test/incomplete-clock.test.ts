// The incomplete-message watch times the chunks of one socket read with one clock read, not
// one per head and body piece (~70 ns each here: ~4 % of a receiver's CPU per small message),
// and still gives up a message whose next chunk does not come.
import { afterEach, expect, it, vi } from 'vitest';
import {
  encodeFrame,
  Endpoint,
  IncompleteMessageError,
  newMessageId,
  newTransactionId,
  parseUri,
  type ByteStream,
  type ByteStreamEvents,
  type MsrpUri,
} from '../src/index.js';
import { next } from './helpers/inbox.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PEER = parseUri('msrp://127.0.0.1:9/peer;tcp');

/** A peer's side we push bytes from, synchronously, as one socket read each. */
class FakePeer implements ByteStream {
  readonly remote = 'fake';
  readonly bufferedAmount = 0;
  writable = true;
  events: ByteStreamEvents | undefined;
  open(events: ByteStreamEvents): void {
    this.events = events;
  }
  write(): boolean {
    return true;
  }
  pause(): void {}
  resume(): void {}
  end(): void {
    this.writable = false;
    queueMicrotask(() => {
      this.events?.finished();
      this.events?.close();
    });
  }
  destroy(): void {
    this.writable = false;
    queueMicrotask(() => this.events?.close());
  }
}

/** The wire bytes of a SEND chunk of `text` (Byte-Range `start`-`end`/`total`). */
function chunk(to: MsrpUri, messageId: string, text: string, start = 1, total = text.length) {
  const end = start + text.length - 1;
  return Buffer.concat(
    encodeFrame(
      {
        kind: 'request',
        method: 'SEND',
        transactionId: newTransactionId(),
        toPath: [to],
        fromPath: [PEER],
        messageId,
        byteRange: { start, end, total },
        contentType: { type: 'text', subtype: 'plain', params: [] },
      },
      Buffer.from(text),
      end < total ? '+' : '$',
    ),
  );
}

async function receiving(incompleteMessageTimeout: number) {
  const endpoint = new Endpoint();
  cleanups.push(() => endpoint.close());
  const session = endpoint.createSession({ incompleteMessageTimeout });
  session.accept();
  const peer = new FakePeer();
  endpoint.acceptConnection(peer, 'fake');
  const inbox = session[Symbol.asyncIterator]();
  // The first SEND binds the session.
  peer.events!.data(chunk(session.localUri, newMessageId(), 'hello'));
  expect((await next(inbox)).text()).toBe('hello');
  return { session, peer, inbox };
}

it('reads the clock once for a read of 64 messages', async () => {
  const { session, peer } = await receiving(60_000);
  const wire = Buffer.concat(
    Array.from({ length: 64 }, () => chunk(session.localUri, newMessageId(), 'x'.repeat(100))),
  );
  const clock = vi.spyOn(Date, 'now');
  peer.events!.data(wire);
  expect(clock.mock.calls.length).toBeLessThanOrEqual(1);
});

it('times each read anew: the wait starts again at the read that brought more of a message', async () => {
  const { session, peer, inbox } = await receiving(150);
  const id = newMessageId();
  const text = 'a'.repeat(20);
  const started = Date.now();
  peer.events!.data(chunk(session.localUri, id, text.slice(0, 10), 1, 20));
  // More of it 100 ms later: its wait starts again then, not at the first read.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const again = Date.now();
  peer.events!.data(chunk(session.localUri, id, text.slice(10, 15), 11, 20));
  // Held in memory, the message reaches the reader once given up.
  const message = await next(inbox, 5000);
  expect(message.aborted).toBe(true);
  expect(message.received).toBe(15);
  const error = await message.completed.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IncompleteMessageError);
  expect((error as IncompleteMessageError).idleMs).toBeGreaterThanOrEqual(150);
  expect(Date.now() - again).toBeGreaterThanOrEqual(145);
  expect(Date.now() - started).toBeGreaterThanOrEqual(245);
});
