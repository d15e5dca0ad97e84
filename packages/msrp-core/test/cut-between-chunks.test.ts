// A message held in memory whose connection breaks between two of its chunks: the chunks
// answered 200 are the sender's confirmedBytes, from which it resumes (the resumed message's
// `offset` says "the octets the application already holds"). The reader must get them.
import { afterEach, expect, it } from 'vitest';
import { Endpoint } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { RawPeer } from './helpers/raw-peer.js';
import { until } from './helpers/socket-pair.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('delivers (aborted) an in-memory message whose connection broke between its chunks, as it does one cut mid-chunk', async () => {
  const b = new Endpoint({ host: '127.0.0.1' });
  cleanups.push(() => b.close());
  const port = (await b.listen({ host: '127.0.0.1', port: 0 })).port!;
  const session = b.createSession({ rebind: true });
  session.accept();
  const inbox = session[Symbol.asyncIterator]();
  const text = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123';
  const to = [session.localUri];
  const chunk = (start: number, end: number) => ({
    toPath: to,
    messageId: 'cut-between',
    byteRange: { start, end, total: 30 },
    body: text.slice(start - 1, end),
  });

  const first = await RawPeer.connect(port);
  cleanups.push(() => first.destroy());
  // Octets 1-10 confirmed: the sender will resume from 10.
  expect((await first.transact({ ...chunk(1, 10), flag: '+' })).head.statusCode).toBe(200);
  first.destroy();
  await until(() => session.state === 'waiting');

  const second = await RawPeer.connect(port);
  cleanups.push(() => second.destroy());
  expect((await second.transact(chunk(11, 30))).head.statusCode).toBe(200);

  // The reader must hold octets 1-10 somewhere: the first message (aborted) carries them.
  const m1 = await next(inbox, 2000);
  // (The resumed message, offset 10, came first: octets 1-10, confirmed, were lost.)
  expect(m1.offset).toBe(0);
  expect(m1.aborted).toBe(true);
  expect(m1.text()).toBe(text.slice(0, 10));
  const m2 = await next(inbox, 2000);
  expect(m2.offset).toBe(10);
  expect(m2.text()).toBe(text.slice(10));
});
