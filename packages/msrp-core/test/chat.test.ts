// The chat layer over two real sessions on an in-memory pair: CPIM and bare text, delivery
// and display notifications correlated by imdn.Message-ID, is-composing, bad input.
import { describe, expect, it } from 'vitest';
import {
  Chat,
  createCpim,
  formatCpim,
  formatImdn,
  type ChatOptions,
  type ComposingTimers,
  type Session,
} from '../src/index.js';
import { nextChatEvent as next } from './helpers/chat-events.js';
import { imdnCpim } from './helpers/imdn-cpim.js';
import { sessionPair } from './helpers/session-pair.js';
import { cleanups } from './helpers/cleanups.js';

const ANONYMOUS = 'sip:anonymous@anonymous.invalid';

/** Two bound sessions: `a` connected to `b` over an in-memory pair. */
const sessions = (): Promise<{ a: Session; b: Session }> => sessionPair(cleanups);

/** A clock for the is-composing timers that moves only when told. */
class ManualClock implements ComposingTimers {
  #now = 0;
  #timers = new Map<number, { at: number; callback: () => void }>();
  #next = 0;
  setTimeout(callback: () => void, ms: number): unknown {
    this.#next += 1;
    this.#timers.set(this.#next, { at: this.#now + ms, callback });
    return this.#next;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  now(): number {
    return this.#now;
  }
  /** Moves the clock on by `ms`, firing the timers due on the way, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const due = [...this.#timers]
        .filter(([, t]) => t.at <= end)
        .sort((x, y) => x[1].at - y[1].at)[0];
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].callback();
    }
    this.#now = end;
  }
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

describe('Chat', () => {
  // An IMDN's optional <subject> (RFC 5438) echoes the message's: ImdnRequest.subject says it
  // is echoed, and the Chat's notifications left it out.
  it("echoes the message's Subject in its delivery and display notifications", async () => {
    const { alice, bob } = await chats();
    const received = next(bob, 'message');
    const delivered = next(alice, 'delivered');
    alice.send('Hello Bob', { subject: 'lunch?' });
    const [m] = await received;
    const [d] = await delivered;
    expect(d.imdn.subject).toBe('lunch?');
    const displayed = next(alice, 'displayed');
    await bob.markDisplayed(m);
    const [shown] = await displayed;
    expect(shown.imdn.subject).toBe('lunch?');
  });

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

  // RFC 2046 §4.1.2: the charset parameter says how a text's octets are characters, bare too.
  it('decodes bare text in its charset, and reports one it cannot decode', async () => {
    const { a, bob } = await chats();
    const received = next(bob, 'message');
    const cafe = new Uint8Array([0x63, 0x61, 0x66, 0xe9]);
    await a.send(cafe, { contentType: 'text/plain; charset=ISO-8859-1' });
    expect((await received)[0].text).toBe('café');
    const problem = next(bob, 'malformed');
    await a.send(cafe, { contentType: 'text/plain; charset=x-no-such' });
    const [p] = await problem;
    expect(p).toMatchObject({ reason: 'unaccepted-type', error: { status: 415 } });
  });

  it('shows the peer typing, then idle after 15 s without typing (RFC 3994 §3.2)', async () => {
    const clock = new ManualClock();
    const { alice, bob } = await chats({ ...RCS, timers: clock });
    const composing = next(bob, 'composing');
    alice.typing();
    const [status] = await composing;
    expect(status).toMatchObject({ state: 'active', refresh: 120 });
    expect(bob.peerComposing).toBe(true);
    const idle = next(bob, 'idle');
    clock.advance(14_999);
    alice.typing(); // still typing: the 15 s start again
    clock.advance(14_999);
    expect(bob.listenerCount('idle')).toBe(1); // no idle yet (not sent)
    clock.advance(1);
    const [idleStatus] = await idle;
    expect(idleStatus?.state).toBe('idle');
    expect(bob.peerComposing).toBe(false);
  });

  it('takes a message as the end of typing, bare too (RFC 3994 §3.3)', async () => {
    const { alice, bob } = await chats({ peerAcceptTypes: ['text/plain'] });
    const composing = next(bob, 'composing');
    alice.typing();
    await composing;
    const idle = next(bob, 'idle');
    const message = next(bob, 'message');
    alice.send('done typing');
    const [status] = await idle;
    expect(status).toBeUndefined();
    expect((await message)[0].text).toBe('done typing');
  });

  it('addresses a group-chat message to a named To and answers To the original From', async () => {
    const { alice, bob } = await chats(
      { ...RCS, from: { name: 'Alice', uri: 'sip:alice@example.com' } },
      { ...RCS, from: 'sip:bob@example.com' },
    );
    const received = next(bob, 'message');
    const delivered = next(alice, 'delivered');
    const sent = alice.send('to Bob only', {
      to: { name: 'Bob', uri: 'sip:bob@example.com' },
      subject: 'private',
    });
    const [m] = await received;
    expect(m.from).toEqual({ name: 'Alice', uri: 'sip:alice@example.com' });
    expect(m.to).toEqual([{ name: 'Bob', uri: 'sip:bob@example.com' }]);
    expect(m.cpim?.subjects).toEqual([{ text: 'private' }]);
    const [d] = await delivered;
    expect(d.messageId).toBe(sent.messageId);
    expect(d.imdn.recipientUri).toBe('sip:bob@example.com');
    expect(d.from?.uri).toBe('sip:bob@example.com');
    expect(d.imdn.dateTime).toBe(m.cpim?.get('urn:ietf:params:cpim-headers:', 'DateTime')?.text);
  });

  it('reports a malformed CPIM body and goes on chatting', async () => {
    const { a, bob } = await chats();
    const problem = next(bob, 'malformed');
    const bad = new TextEncoder().encode('From <sip:x@y>\r\nno colon\r\n\r\nbody');
    await a.send(bad, { contentType: 'message/cpim' });
    const [p] = await problem;
    expect(p.reason).toBe('bad-cpim');
    expect(p.error.code).toBe('MSRP_ERR_CPIM');
    expect(p.bytes).toEqual(bad);
    expect(p.contentType).toBe('message/cpim');
    await expectStillWorking(a, bob);
  });

  it('reports an XML bomb in an IMDN, bounded, and goes on chatting', async () => {
    const { b, alice } = await chats();
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE imdn [<!ENTITY a "aaaaaaaaaa">' +
      '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>' +
      '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>&c;</message-id></imdn>';
    const problem = next(alice, 'malformed');
    await b.send(formatCpim(imdnCpim(bomb, { to: ANONYMOUS })), { contentType: 'message/cpim' });
    const [p] = await problem;
    expect(p.reason).toBe('bad-imdn');
    expect(p.error.code).toBe('MSRP_ERR_XML');
    await expectStillWorking(b, alice);
  });

  it('reports an IMDN for a message it never sent', async () => {
    const { b, alice } = await chats();
    const problem = next(alice, 'malformed');
    const xml = formatImdn({
      messageId: 'never-sent-0001',
      dateTime: '2024-05-17T09:12:44Z',
      kind: 'delivery',
      status: 'delivered',
    });
    await b.send(formatCpim(imdnCpim(xml, { to: ANONYMOUS })), { contentType: 'message/cpim' });
    const [p] = await problem;
    expect(p.reason).toBe('unknown-message-id');
    expect(p.error.message).toContain('never-sent-0001');
  });

  it('refuses a CPIM that requires a header it does not know (RFC 3862 §4.7)', async () => {
    const { a, bob } = await chats();
    const problem = next(bob, 'malformed');
    const cpim = createCpim({
      from: 'sip:a@example.com',
      dateTime: new Date(),
      ns: { x: 'urn:example:x' },
      require: ['x.Vital'],
      headers: [['x.Vital', 'yes']],
      body: 'needs x.Vital',
    });
    let delivered = 0;
    bob.on('message', () => (delivered += 1));
    await a.send(formatCpim(cpim), { contentType: 'message/cpim' });
    const [p] = await problem;
    expect(p.reason).toBe('unsupported-require');
    expect(delivered).toBe(0);
  });

  it('refuses a wrapped type outside acceptWrappedTypes', async () => {
    const { a, bob } = await chats(RCS, {
      ...RCS,
      acceptWrappedTypes: ['text/plain', 'message/imdn+xml'],
    });
    const problem = next(bob, 'malformed');
    const cpim = createCpim({
      from: 'sip:a@example.com',
      contentType: 'image/png',
      body: new Uint8Array([1, 2]),
    });
    await a.send(formatCpim(cpim), { contentType: 'message/cpim' });
    const [p] = await problem;
    expect(p.reason).toBe('unaccepted-type');
    expect(p.error.status).toBe(415);
  });

  it('hands over what is no chat as "other", and survives a listener that throws', async () => {
    const { a, bob } = await chats();
    const other = next(bob, 'other');
    await a.send(new Uint8Array([0, 1, 2]), { contentType: 'application/octet-stream' });
    expect((await other)[0].body).toEqual(new Uint8Array([0, 1, 2]));
    bob.once('message', () => {
      throw new Error('app bug');
    });
    const error = next(bob, 'error');
    await a.send('first');
    expect((await error)[0].message).toBe('app bug');
    await expectStillWorking(a, bob);
  });

  it('hands over a small text file (Content-Disposition: attachment) as "other", not as a line', async () => {
    const { a, bob } = await chats();
    const lines: string[] = [];
    bob.on('message', (m) => lines.push(m.text ?? ''));
    const other = next(bob, 'other');
    await a.sendFile(new Blob(['a text file'], { type: 'text/plain' }), { name: 'notes.txt' });
    const [file] = await other;
    expect(file.filename).toBe('notes.txt');
    expect(file.text()).toBe('a text file');
    await expectStillWorking(a, bob);
    expect(lines).not.toContain('a text file');
  });

  it('refuses a file nobody listens for as "other" (413), rather than confirm it read', async () => {
    const { a, b } = await sessionPair(cleanups, { receiver: { confirmWhenRead: true } });
    const bob = new Chat(b);
    cleanups.push(() => bob.close());
    const sent = a.sendFile(new Blob([new Uint8Array(100_000)]), { name: 'photo.jpg' });
    await expect(sent).rejects.toMatchObject({ status: 413, confirmedBytes: 0 });
    const line = next(bob, 'message');
    await a.send('still chatting');
    expect((await line)[0].text).toBe('still chatting');
  });

  it('once closed, refuses what comes (413) rather than confirm it read', async () => {
    // The read loop drained the session: a file sent after close() was confirmed read.
    const { a, b } = await sessionPair(cleanups, { receiver: { confirmWhenRead: true } });
    const bob = new Chat(b);
    bob.close();
    const sent = a.sendFile(new Blob([new Uint8Array(100_000)]), { name: 'late.bin' });
    await expect(sent).rejects.toMatchObject({ status: 413, confirmedBytes: 0 });
    // Nor does it send: the notifications a line asks for would come to no reader.
    await expect(bob.send('after close').sent).rejects.toMatchObject({
      code: 'MSRP_ERR_SESSION',
      message: 'Cannot send: the chat is closed',
    });
  });

  it('hands over a named text file as "other", not as a chat message', async () => {
    const { a, bob } = await chats();
    const other = next(bob, 'other');
    let messages = 0;
    bob.on('message', () => (messages += 1));
    await a.send('notes\n', {
      contentType: 'text/plain',
      contentHeaders: [{ name: 'Content-Disposition', value: 'attachment; filename="notes.txt"' }],
    });
    expect((await other)[0].filename).toBe('notes.txt');
    expect(messages).toBe(0);
    await expectStillWorking(a, bob);
  });

  it('rejects sent and resolves markDisplayed false with an error event once the session closed', async () => {
    const { alice, bob, a, b } = await chats();
    const received = next(bob, 'message');
    alice.send('before close');
    const [m] = await received;
    await b.close();
    await a.close();
    const { sent } = alice.send('after close');
    await expect(sent).rejects.toMatchObject({ code: 'MSRP_ERR_SESSION' });
    const error = next(bob, 'error');
    await expect(bob.markDisplayed(m)).resolves.toBe(false);
    expect((await error)[0]).toMatchObject({ code: 'MSRP_ERR_SESSION' });
  });

  it('asks for no notification with notifications: false, and still carries an imdn.Message-ID', async () => {
    const { alice, bob } = await chats({ ...RCS, notifications: false }, RCS);
    const received = next(bob, 'message');
    const { messageId } = alice.send('no receipts please');
    const [m] = await received;
    expect(m.messageId).toBe(messageId);
    expect(m.cpim?.get('urn:ietf:params:imdn', 'Disposition-Notification')).toBeUndefined();
    expect(m.requested).toEqual({
      positiveDelivery: false,
      negativeDelivery: false,
      processing: false,
      display: false,
    });
    await expect(bob.markDisplayed(m)).resolves.toBe(false);
  });
});

/** A bare text from `a` still reaches `chat` as a message. */
async function expectStillWorking(a: Session, chat: Chat): Promise<void> {
  const message = next(chat, 'message');
  await a.send('still here');
  expect((await message)[0].text).toBe('still here');
}
