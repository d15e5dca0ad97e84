// A listener that several peers reach through one relay (as `msrp listen --relay` is): all
// their SENDs arrive on its one connection to the relay, so what it sends back to one of
// them must go to that one's From-Path, not to whichever peer came first.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Chat, type ChatNotification, type Session } from '@msrp-ts/msrp-core';
import { clientOf, next, startRelay } from './helpers.js';

/** bob's listening session through the relay, accepting whoever sends to its path. */
async function listener(relay: Parameters<typeof clientOf>[1]): Promise<Session> {
  const bob = await clientOf('bob', relay);
  const session = bob.createSession({ rebind: true });
  session.accept();
  return session;
}

/** A new session of a new alice endpoint, connected to `path` through the relay. */
async function sender(relay: Parameters<typeof clientOf>[1], path: Session['localPath']) {
  const alice = await clientOf('alice', relay);
  const session = alice.createSession();
  await session.connect(path);
  return session;
}

describe('a listener reached by several peers through a relay', () => {
  it('answers each peer at its From-Path (SendOptions.toPath), the second one too', async () => {
    const { uri } = await startRelay();
    const bob = await listener([uri]);
    const inbox = bob[Symbol.asyncIterator]();
    const first = await sender([uri], bob.localPath);
    await first.send('one');
    const fromFirst = await next(inbox);
    const second = await sender([uri], bob.localPath);
    await second.send('two');
    const fromSecond = await next(inbox);
    // Each message names its sender behind the relay (RFC 4976 §7.1): the relays, then alice.
    expect(fromFirst.fromPath?.at(-1)).toEqual(first.localUri);
    expect(fromSecond.fromPath?.at(-1)).toEqual(second.localUri);

    const secondInbox = second[Symbol.asyncIterator]();
    await bob.send('to two', { toPath: fromSecond.fromPath! });
    expect((await next(secondInbox)).text()).toBe('to two');
    // Without toPath the session's peer is the first one, as before.
    await bob.send('to one');
    expect((await next(first[Symbol.asyncIterator]())).text()).toBe('to one');
    await expect(bob.send('x', { toPath: [] })).rejects.toMatchObject({
      code: 'MSRP_ERR_INVALID_ARGUMENT',
    });
  });

  it("sends each peer's IMDN to that peer", async () => {
    const { uri } = await startRelay();
    const bob = await listener([uri]);
    new Chat(bob, { cpim: true, isComposing: false });
    for (const text of ['from the first', 'from the second']) {
      const chat = new Chat(await sender([uri], bob.localPath), { cpim: true, isComposing: false });
      const { messageId, sent } = chat.send(text);
      const [delivered] = (await once(chat, 'delivered', {
        signal: AbortSignal.timeout(10_000),
      })) as [ChatNotification];
      expect(delivered.messageId).toBe(messageId);
      await sent;
    }
  });
});
