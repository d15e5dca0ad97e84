// A listener that several peers reach through one relay (as `msrp listen --relay` is): all
// their SENDs arrive on its one connection to the relay, which never unbinds between them,
// so it sends to the latest sender, or to the From-Path of the message it answers.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Chat, nextEvent, type Session, type SessionOptions } from '@msrp-ts/msrp-core';
import { clientOf, next, startRelay } from './helpers.js';
import { tempDir } from '../../msrp-core/test/helpers/temp-dir.js';

/** bob's listening session through the relay, accepting whoever sends to its path. */
async function listener(
  relay: Parameters<typeof clientOf>[1],
  options: SessionOptions = {},
): Promise<Session> {
  const bob = await clientOf('bob', relay);
  const session = bob.createSession({ ...options, rebind: true });
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
  it('sends to the latest sender, or to the From-Path given (SendOptions.toPath)', async () => {
    const { uri } = await startRelay();
    const bob = await listener([uri]);
    let bound = 0;
    bob.on('bound', () => bound++);
    const inbox = bob[Symbol.asyncIterator]();
    const first = await sender([uri], bob.localPath);
    const firstInbox = first[Symbol.asyncIterator]();
    await first.send('one');
    const fromFirst = await next(inbox);
    await bob.send('to one');
    expect((await next(firstInbox)).text()).toBe('to one');

    const second = await sender([uri], bob.localPath);
    const secondInbox = second[Symbol.asyncIterator]();
    await second.send('two');
    const fromSecond = await next(inbox);
    // Each message names its sender behind the relay (RFC 4976 §7.1): the relays, then alice.
    expect(fromFirst.fromPath?.at(-1)).toEqual(first.localUri);
    expect(fromSecond.fromPath?.at(-1)).toEqual(second.localUri);
    // The connection to the relay stayed; the second sender is the peer now.
    expect(bound).toBe(2);
    expect(bob.remotePath?.at(-1)).toEqual(second.localUri);
    await bob.send('to two');
    expect((await next(secondInbox)).text()).toBe('to two');

    await bob.send('to one again', { toPath: fromFirst.fromPath! });
    expect((await next(firstInbox)).text()).toBe('to one again');
    await expect(bob.send('x', { toPath: [] })).rejects.toMatchObject({
      code: 'MSRP_ERR_INVALID_ARGUMENT',
    });
  });

  it('a message under way stays with its peer when another sender comes', async () => {
    const { uri } = await startRelay();
    const bob = await listener([uri], { chunkSize: 1024 });
    const inbox = bob[Symbol.asyncIterator]();
    const first = await sender([uri], bob.localPath);
    await first.send('one');
    await next(inbox);
    // bob's file: its first piece now, its last one once the second sender has spoken; the
    // last chunk carries the hash (a head of its own, not the message's template).
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    async function* pieces(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(4096).fill(1);
      await released;
      yield new Uint8Array(4096).fill(2);
    }
    const sent = bob.sendFile(pieces(), { name: 'f.bin' });
    const second = await sender([uri], bob.localPath);
    await second.send('two');
    await next(inbox);
    release();
    await sent;
    const file = await next(first[Symbol.asyncIterator]());
    expect(file.filename).toBe('f.bin');
    const saved = await file.saveTo(join(await tempDir('msrp-listener-peers-'), 'f.bin'));
    expect(saved).toMatchObject({ bytes: 8192, hashMatches: true });
  });

  it("sends each peer's IMDN to that peer", async () => {
    const { uri } = await startRelay();
    const bob = await listener([uri]);
    new Chat(bob, { cpim: true, isComposing: false });
    for (const text of ['from the first', 'from the second']) {
      const chat = new Chat(await sender([uri], bob.localPath), { cpim: true, isComposing: false });
      const { messageId, sent } = chat.send(text);
      const [delivered] = await nextEvent(chat, 'delivered', {
        signal: AbortSignal.timeout(10_000),
      });
      expect(delivered.messageId).toBe(messageId);
      await sent;
    }
  });
});
