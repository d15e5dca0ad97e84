// The chat layer over two real sessions on an in-memory pair: CPIM and bare text, delivery
// and display notifications correlated by imdn.Message-ID, is-composing, bad input.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Chat,
  Endpoint,
  createCpim,
  formatCpim,
  formatImdn,
  type ChatEvents,
  type ChatOptions,
  type Session,
} from '../src/index.js';
import { memoryPair } from './helpers/memory-pair.js';

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Two bound sessions: `a` connected to `b` over an in-memory pair. */
async function sessions(): Promise<{ a: Session; b: Session }> {
  const server = new Endpoint({ host: 'b.example.com' });
  const client = new Endpoint({
    dialers: {
      msrp: () => {
        const [ours, theirs] = memoryPair();
        server.acceptConnection(theirs, 'a');
        return Promise.resolve(ours);
      },
    },
  });
  cleanups.push(
    () => client.close(),
    () => server.close(),
  );
  const b = server.createSession();
  b.accept();
  const a = client.createSession();
  await a.connect([b.localUri]);
  return { a, b };
}

const RCS: ChatOptions = { peerAcceptTypes: ['message/cpim', 'application/im-iscomposing+xml'] };

async function chats(options: ChatOptions = RCS, peer: ChatOptions = options) {
  const { a, b } = await sessions();
  const alice = new Chat(a, options);
  const bob = new Chat(b, peer);
  cleanups.push(
    () => alice.close(),
    () => bob.close(),
  );
  return { alice, bob, a, b };
}

/** The next `event` of `chat`, failing rather than hanging when none comes in 5 s. */
function next<K extends keyof ChatEvents>(chat: Chat, event: K): Promise<ChatEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${String(event)} within 5 s`)), 5000);
    chat.once(event, ((...args: ChatEvents[K]) => {
      clearTimeout(timer);
      resolve(args);
    }) as never);
  });
}

describe('Chat', () => {
  it('chats in CPIM both ways, with delivered then displayed correlated by imdn.Message-ID', async () => {
    const { alice, bob } = await chats();
    expect(alice.cpim).toBe(true);
    const received = next(bob, 'message');
    const delivered = next(alice, 'delivered');
    const { messageId, sent } = alice.send('Hello Bob');
    await sent;
    const [m] = await received;
    expect(m.text).toBe('Hello Bob');
    expect(m.messageId).toBe(messageId);
    expect(m.from?.uri).toBe('sip:anonymous@anonymous.invalid');
    expect(m.to.map((t) => t.uri)).toEqual(['sip:anonymous@anonymous.invalid']);
    expect(m.dateTime?.date).toBeInstanceOf(Date);
    expect(m.contentType).toBe('text/plain');
    expect(m.requested).toMatchObject({ positiveDelivery: true, display: true });
    expect(m.cpim?.get('urn:ietf:params:imdn', 'Message-ID')?.text).toBe(messageId);
    const [d] = await delivered;
    expect(d.messageId).toBe(messageId);
    expect(d.imdn).toMatchObject({ kind: 'delivery', status: 'delivered' });

    const displayed = next(alice, 'displayed');
    await expect(bob.markDisplayed(m)).resolves.toBe(true);
    const [shown] = await displayed;
    expect(shown.messageId).toBe(messageId);
    expect(shown.imdn).toMatchObject({ kind: 'display', status: 'displayed' });

    // And back: Bob's message reaches Alice and is acknowledged too.
    const back = next(alice, 'message');
    const bobDelivered = next(bob, 'delivered');
    const reply = bob.send('Hi Alice');
    const [r] = await back;
    expect(r.text).toBe('Hi Alice');
    expect((await bobDelivered)[0].messageId).toBe(reply.messageId);
  });

  it('sends bare text when the peer does not accept message/cpim, and asks for nothing', async () => {
    const { alice, bob } = await chats({ peerAcceptTypes: ['text/plain'] });
    expect(alice.cpim).toBe(false);
    const received = next(bob, 'message');
    const { messageId, sent } = alice.send('plain hello');
    const delivery = await sent;
    expect(delivery.messageId).toBe(messageId);
    const [m] = await received;
    expect(m).toMatchObject({ text: 'plain hello', messageId, cpim: undefined, to: [] });
    expect(m.from).toBeUndefined();
    await expect(bob.markDisplayed(m)).resolves.toBe(false);
  });
});
