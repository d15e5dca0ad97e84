// Issue 12 (chat beside a file): by default a session's window starts at 512 KiB of a message
// in flight, and grows (to maxInFlightBytes, 2 MiB) only while the peer answers fast: a peer
// that answers nothing holds the sender at 512 KiB, and a chat line beside waits behind that.
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { Endpoint, type IncomingMessage, type Session } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { until } from './helpers/socket-pair.js';
import { cleanups } from './helpers/cleanups.js';

const KiB = 1024;

it('keeps at most 512 KiB in flight by default while nothing is answered: a reader that stops holds the sender there', async () => {
  const b = new Endpoint({ host: '127.0.0.1' });
  cleanups.push(() => b.close());
  await b.listen({ host: '127.0.0.1', port: 0 });
  const a = new Endpoint({ host: '127.0.0.1' });
  cleanups.push(() => a.close());
  // Two sessions on one connection: the file's (default options) and a chat beside it. The
  // receiver answers a chunk only once read (confirmWhenRead), and reads none of the file.
  const pairs: [Session, Session][] = [];
  for (let i = 0; i < 2; i++) {
    const sb = b.createSession({ confirmWhenRead: true, inMemoryThreshold: 64 * KiB });
    sb.accept();
    const sa = a.createSession();
    await sa.connect([sb.localUri]);
    pairs.push([sa, sb]);
  }
  const [[file, fileInbox], [chat, chatInbox]] = pairs as [[Session, Session], [Session, Session]];
  // Aborted at the end: its rejection is expected.
  const sent = file.send(randomBytes(4 * 1024 * KiB)).catch(() => undefined);
  const message: IncomingMessage = await next(fileInbox[Symbol.asyncIterator]());
  await until(() => message.received >= 512 * KiB - 8 * KiB);
  // The chat line comes after every file chunk written so far on the connection.
  await chat.send('still here');
  expect((await next(chatInbox[Symbol.asyncIterator]())).text()).toBe('still here');
  expect(message.received).toBeLessThanOrEqual(512 * KiB);
  file.abort(message.messageId);
  await sent;
});
