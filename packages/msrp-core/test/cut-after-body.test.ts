// A chunk cut with `+` once all its body is out: a relay cuts a chunk that others wait behind
// (RFC 4975 §7.1), at times after its last octet and before its end-line came, and an empty
// chunk (Byte-Range N+1-N/N) then brings the flag. The message is whole at the `+` chunk, and
// the empty one adds nothing to it. Both went wrong through msrp-relay (its forward
// properties): the message was delivered unchecked, and a receiver confirming when read took
// the empty chunk for a new, resumed message and delivered it, empty.
import { expect, it } from 'vitest';
import {
  cpimWrappedTypeCheck,
  createCpim,
  formatCpim,
  newMessageId,
  type MsrpUri,
  type RefusedMessage,
  type SessionOptions,
} from '../src/index.js';
import { cleanups, endpoint } from './helpers/cleanups.js';
import { next } from './helpers/inbox.js';
import { bodyOf } from './helpers/message-mix.js';
import { RawPeer, type RawRequestInit } from './helpers/raw-peer.js';

/** An accepting session with `options`, its refusals, and a raw peer connected to it. */
async function listening(options: SessionOptions) {
  const e = endpoint();
  const port = (await e.listen({ host: '127.0.0.1', port: 0 })).port!;
  const session = e.createSession(options);
  session.accept();
  const refused: RefusedMessage[] = [];
  session.on('refused', (r) => refused.push(r));
  const raw = await RawPeer.connect(port);
  cleanups.push(() => raw.destroy());
  return { session, refused, raw, inbox: session[Symbol.asyncIterator]() };
}

/** The two chunks of `body`: all of it ended with `+`, then an empty one ended with `$`. */
function cutAfterBody(
  to: readonly MsrpUri[],
  body: Uint8Array,
  contentType: string,
): [RawRequestInit, RawRequestInit] {
  const messageId = newMessageId();
  const total = body.length;
  return [
    {
      toPath: to,
      messageId,
      contentType,
      body,
      byteRange: { start: 1, end: total, total },
      flag: '+',
    },
    {
      toPath: to,
      messageId,
      contentType,
      body: '',
      byteRange: { start: total + 1, end: total, total },
      flag: '$',
    },
  ];
}

it('checks the message at its + chunk, and refuses its empty last chunk', async () => {
  const { session, refused, raw, inbox } = await listening({
    checkMessage: cpimWrappedTypeCheck(['text/plain']),
  });
  const cpim = formatCpim(
    createCpim({ from: 'sip:a@example.com', contentType: 'image/png', body: new Uint8Array(3) }),
  );
  const [whole, last] = cutAfterBody([session.localUri], cpim, 'message/cpim');
  expect((await raw.transact(whole)).head.statusCode).toBe(415);
  expect((await raw.transact(last)).head.statusCode).toBe(413);
  expect(refused.map((r) => r.error.status)).toEqual([415]);
  // Nothing reached the reader: the next message is the first it gets.
  await raw.transact({ toPath: [session.localUri], body: 'after' });
  expect((await next(inbox)).text()).toBe('after');
});

it('confirming when read: one message, whole, and a 200 for the empty chunk', async () => {
  const { session, raw, inbox } = await listening({ confirmWhenRead: true, inMemoryThreshold: 4 });
  const body = new TextEncoder().encode('hello, cut after its body');
  const [whole, last] = cutAfterBody([session.localUri], body, 'text/plain');
  // The + chunk's 200 waits for the reader; the empty chunk's does not.
  const first = raw.sendRequest(whole);
  expect((await raw.transact(last)).head.statusCode).toBe(200);
  const message = await next(inbox);
  expect((await bodyOf(message)).toString()).toBe('hello, cut after its body');
  expect((await raw.response(first.transactionId)).head.statusCode).toBe(200);
  // No second, empty message: the next one the reader gets is the next one sent (its 200
  // waits for the reader too).
  raw.sendRequest({ toPath: [session.localUri], body: 'after' });
  expect((await bodyOf(await next(inbox))).toString()).toBe('after');
});
