// A message refused 413 at its first chunk because the reader lags ("Receiver is not keeping
// up", maxQueuedMessages) or too many messages are under way (maxIncompleteMessages): RFC 4975
// §10.5 (413) "the sender MUST NOT send any more chunks for the same message" — its chunks
// already in flight still arrive. They must not become a new message either: one that starts
// at their Byte-Range (offset > 0) is a "resumed" message of octets the application never got.
import { afterEach, expect, it } from 'vitest';
import { Endpoint, type IncomingMessage } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { RawPeer } from './helpers/raw-peer.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const text = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123';

async function setup(options: { maxQueuedMessages?: number; maxIncompleteMessages?: number }) {
  const b = new Endpoint({ host: '127.0.0.1' });
  cleanups.push(() => b.close());
  const port = (await b.listen({ host: '127.0.0.1', port: 0 })).port!;
  const session = b.createSession(options);
  session.accept();
  const peer = await RawPeer.connect(port);
  cleanups.push(() => peer.destroy());
  const to = [session.localUri];
  const chunk = (messageId: string, start: number, end: number) => ({
    toPath: to,
    messageId,
    byteRange: { start, end, total: 30 },
    body: text.slice(start - 1, end),
  });
  return { session, peer, chunk, inbox: session[Symbol.asyncIterator]() };
}

it('refuses (413) the rest of a message refused at its first chunk because the reader lagged', async () => {
  const { peer, chunk, inbox } = await setup({ maxQueuedMessages: 1 });
  expect((await peer.transact({ ...chunk('waiting-1', 1, 30), flag: '$' })).head.statusCode).toBe(
    200,
  );
  // The queue is full: the first chunk of the next message gets 413.
  expect((await peer.transact({ ...chunk('refused-1', 1, 10), flag: '+' })).head.statusCode).toBe(
    413,
  );
  // The reader catches up.
  expect((await next(inbox, 2000)).messageId).toBe('waiting-1');
  // A chunk of the refused message that was in flight arrives.
  const status = (await peer.transact({ ...chunk('refused-1', 11, 30), flag: '$' })).head
    .statusCode;
  await peer.transact({ ...chunk('marker-1', 1, 30), flag: '$' });
  const m: IncomingMessage = await next(inbox, 2000);
  // Now: 200, and a message 'refused-1' of offset 10 is delivered before the marker.
  expect({ status, delivered: m.messageId }).toEqual({ status: 413, delivered: 'marker-1' });
});

it('refuses (413) the rest of a message refused at its first chunk for too many under way', async () => {
  const { peer, chunk, inbox } = await setup({ maxIncompleteMessages: 1 });
  expect((await peer.transact({ ...chunk('open-1', 1, 10), flag: '+' })).head.statusCode).toBe(200);
  expect((await peer.transact({ ...chunk('refused-2', 1, 10), flag: '+' })).head.statusCode).toBe(
    413,
  );
  // The message under way completes: room again.
  expect((await peer.transact({ ...chunk('open-1', 11, 30), flag: '$' })).head.statusCode).toBe(
    200,
  );
  expect((await next(inbox, 2000)).messageId).toBe('open-1');
  const status = (await peer.transact({ ...chunk('refused-2', 11, 30), flag: '$' })).head
    .statusCode;
  await peer.transact({ ...chunk('marker-2', 1, 30), flag: '$' });
  const m = await next(inbox, 2000);
  expect({ status, delivered: m.messageId }).toEqual({ status: 413, delivered: 'marker-2' });
});
