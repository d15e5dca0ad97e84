// The chat layer against a raw MSRP peer on loopback that sends the hand-written CPIM, IMDN
// and is-composing fixtures (test/fixtures) as RCS clients write them, and reads what the
// Chat answers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Chat,
  Endpoint,
  createCpim,
  formatCpim,
  parseCpim,
  parseImdn,
  parseDispositionNotification,
  CPIM_HEADERS_NS,
  parseIsComposing,
  type ChatOptions,
} from '../src/index.js';
import { nextChatEvent as next } from './helpers/chat-events.js';
import { imdnCpim } from './helpers/imdn-cpim.js';
import { RawPeer } from './helpers/raw-peer.js';
import { cleanups } from './helpers/cleanups.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

function fixture(dir: string, name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, dir, name)));
}

/** The fixture files of `dir` (not its .gitattributes). */
function fixtures(dir: string): string[] {
  return readdirSync(join(FIXTURES, dir)).filter((n) => !n.startsWith('.'));
}

/** A Chat on a listening endpoint's session, and a raw peer bound to it. */
async function rawChat(options: ChatOptions = { cpim: true }) {
  const endpoint = new Endpoint();
  cleanups.push(() => endpoint.close());
  const port = (await endpoint.listen({ host: '127.0.0.1', port: 0 })).port!;
  const session = endpoint.createSession();
  session.accept();
  const chat = new Chat(session, options);
  cleanups.push(() => chat.close());
  const peer = await RawPeer.connect(port, { autoRespond: true });
  cleanups.push(() => peer.destroy());
  const bound = await peer.transact({
    toPath: [session.localUri],
    byteRange: { start: 1, end: 0, total: 0 },
  });
  expect(bound.head.statusCode).toBe(200);
  const send = async (body: Uint8Array | string, contentType = 'message/cpim') => {
    const response = await peer.transact({ toPath: [session.localUri], contentType, body });
    expect(response.head.statusCode).toBe(200);
  };
  return { chat, peer, send };
}

/** The text CPIM fixtures, what each should deliver, and the IMDN id it asks about. */
const MESSAGES: ReadonlyArray<[name: string, text: string | undefined, imdnId?: string]> = [
  ['rcs-one-to-one.cpim', 'Hello from RCS 👋', '5a8f0c2e-9a51-4f7e-b1c4-2d6e8f9a0b1c'],
  ['sloppy-lf-only.lf.cpim', 'Hello from RCS 👋', '5a8f0c2e-9a51-4f7e-b1c4-2d6e8f9a0b1c'],
  ['rcs-group-chat.cpim', 'Bonjour à tous, ça va ?', 'Kjg7Hs2lPq9ZxW'],
  ['inner-mime-version.cpim', 'no content-length here', 'abc123XYZ'],
  ['escapes.cpim', undefined],
  ['binary-image.cpim', undefined],
];

describe('Chat with a raw RCS-style peer', () => {
  it('covers every CPIM fixture', () => {
    const names = fixtures('cpim');
    const covered = [
      ...MESSAGES.map(([n]) => n),
      'rfc3862-example.cpim',
      'rcs-imdn-notification.cpim',
    ];
    expect(names.toSorted()).toEqual(covered.toSorted());
  });

  for (const [name, text, imdnId] of MESSAGES) {
    it(`delivers ${name} and answers the notifications it asks for`, async () => {
      const { chat, peer, send } = await rawChat();
      const bytes = fixture('cpim', name);
      const expected = parseCpim(bytes);
      const received = next(chat, 'message');
      await send(bytes);
      const [m] = await received;
      expect(m.from).toEqual(expected.from);
      expect(m.to).toEqual(expected.to);
      expect(m.bytes).toEqual(expected.body);
      if (text !== undefined) expect(m.text).toBe(text);
      if (!expected.isText) expect(m.text).toBeUndefined();
      if (imdnId === undefined) {
        await expect(chat.markDisplayed(m)).resolves.toBe(false);
        return;
      }
      const asked = parseDispositionNotification(
        expected.get('urn:ietf:params:imdn', 'Disposition-Notification')?.text ?? '',
      );
      if (asked.positiveDelivery) {
        // The Chat answers at once, in CPIM, To the message's From, with its own Message-ID.
        const delivered = await peer.request('SEND');
        const wrapper = parseCpim(delivered.body);
        expect(wrapper.to[0]?.uri).toBe(expected.from?.uri);
        expect(wrapper.contentHeader('Content-Disposition')).toBe('notification');
        expect(wrapper.get('urn:ietf:params:imdn', 'Message-ID')?.text).not.toBe(imdnId);
        const imdn = parseImdn(wrapper.body);
        expect(imdn).toMatchObject({ messageId: imdnId, kind: 'delivery', status: 'delivered' });
        expect(imdn.dateTime).toBe(expected.get(CPIM_HEADERS_NS, 'DateTime')?.text);
      }
      // display: when the app says the user saw it.
      expect(asked.display).toBe(true);
      await expect(chat.markDisplayed(m)).resolves.toBe(true);
      const displayed = parseImdn(parseCpim((await peer.request('SEND')).body).body);
      expect(displayed).toMatchObject({ messageId: imdnId, kind: 'display', status: 'displayed' });
      expect(peer.requests.filter((r) => r.head.method === 'SEND')).toHaveLength(
        asked.positiveDelivery ? 2 : 1,
      );
    });
  }

  it('takes the RFC 3862 example only when it knows the header its Require names', async () => {
    const strict = await rawChat();
    const problem = next(strict.chat, 'malformed');
    await strict.send(fixture('cpim', 'rfc3862-example.cpim'));
    expect((await problem)[0].reason).toBe('unsupported-require');

    const knowing = await rawChat({
      cpim: true,
      knownHeaders: [{ namespace: 'mid:MessageFeatures@id.foo.com', name: 'VitalMessageOption' }],
    });
    const message = next(knowing.chat, 'message');
    await knowing.send(fixture('cpim', 'rfc3862-example.cpim'));
    const [m] = await message;
    expect(m.from?.uri).toBe('im:piglet@100akerwood.com');
    expect(m.cpim?.subjects[0]?.text).toBe('the weather will be fine today');
  });

  it('reports the RCS IMDN fixture as about a message it never sent', async () => {
    const { chat, send } = await rawChat();
    const problem = next(chat, 'malformed');
    await send(fixture('cpim', 'rcs-imdn-notification.cpim'));
    const [p] = await problem;
    expect(p.reason).toBe('unknown-message-id');
  });

  for (const name of fixtures('imdn')) {
    it(`correlates the IMDN fixture ${name} with the message it sent`, async () => {
      const { chat, peer, send } = await rawChat();
      const sent = chat.send('hello');
      const request = await peer.request('SEND');
      const messageId = parseCpim(request.body).get('urn:ietf:params:imdn', 'Message-ID')?.text;
      expect(messageId).toBe(sent.messageId);
      // The fixture, about our message: its message-id replaced by ours.
      const template = parseImdn(fixture('imdn', name));
      const xml = new TextDecoder()
        .decode(fixture('imdn', name))
        .replace(/(<(?:\w+:)?message-id>)[^<]*</, `$1${messageId}<`);
      const events: string[] = [];
      for (const e of ['delivered', 'displayed', 'failed', 'malformed'] as const) {
        chat.on(e, () => events.push(e));
      }
      const wrapped = imdnCpim(xml, { headers: [['imdn.Message-ID', 'fixture-notification']] });
      await send(formatCpim(wrapped));
      // Then a marker message, which arrives after the notification was handled.
      const marker = next(chat, 'message');
      await send('marker', 'text/plain');
      await marker;
      const expected =
        template.kind === 'processing'
          ? []
          : template.status === 'delivered'
            ? ['delivered']
            : template.status === 'displayed'
              ? ['displayed']
              : ['failed'];
      expect(events).toEqual(expected);
    });
  }

  for (const name of fixtures('is-composing')) {
    it(`shows the is-composing fixture ${name}, bare and in CPIM`, async () => {
      const { chat, send } = await rawChat();
      const xml = fixture('is-composing', name);
      const active = parseIsComposing(xml).state === 'active';
      const events: string[] = [];
      chat.on('composing', () => events.push('composing')).on('idle', () => events.push('idle'));
      await send(xml, 'application/im-iscomposing+xml');
      const wrapped = createCpim({
        from: 'sip:anonymous@anonymous.invalid',
        contentType: 'application/im-iscomposing+xml',
        body: xml,
      });
      await send(formatCpim(wrapped));
      const marker = next(chat, 'message');
      await send('marker', 'text/plain');
      await marker;
      // active, active again (no new event), then the message ends it; idle alone: nothing.
      expect(events).toEqual(active ? ['composing', 'idle'] : []);
    });
  }

  it('sends is-composing bare when the peer lists it in accept-types (RCS), else in CPIM', async () => {
    const rcs = await rawChat({
      peerAcceptTypes: ['message/cpim', 'application/im-iscomposing+xml'],
      peerWrappedTypes: ['text/plain', 'message/imdn+xml'],
    });
    rcs.chat.typing();
    const bare = await rcs.peer.request('SEND');
    expect(bare.head.contentType?.subtype).toBe('im-iscomposing+xml');
    expect(parseIsComposing(bare.body).state).toBe('active');

    const cpimOnly = await rawChat({ peerAcceptTypes: ['message/cpim'] });
    cpimOnly.chat.typing();
    const wrapped = await cpimOnly.peer.request('SEND');
    expect(wrapped.head.contentType?.subtype).toBe('cpim');
    const inner = parseCpim(wrapped.body);
    expect(inner.contentHeader('Content-Type')).toBe('application/im-iscomposing+xml');
    expect(parseIsComposing(inner.body).state).toBe('active');
  });
});
