// Chat bugs found by chat-flow.property and chat-notifications.property, as named cases:
// IMDNs repeated or overtaken, text UTF-8 cannot carry, CPIM headers a peer would refuse,
// a composing peer timed out while still typing.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Chat, formatCpim, formatImdn, type ImdnNotification } from '../src/index.js';
import { nextChatEvent as next } from './helpers/chat-events.js';
import { imdnCpim } from './helpers/imdn-cpim.js';
import { sessionPair } from './helpers/session-pair.js';

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const RCS = { peerAcceptTypes: ['message/cpim', 'application/im-iscomposing+xml'] };

/** Alice's Chat, and the raw session `b` that answers it; `imdn` sends one notification. */
async function alicePeer() {
  const { a, b } = await sessionPair(cleanups);
  const alice = new Chat(a, RCS);
  cleanups.push(() => alice.close());
  const seen: string[] = [];
  for (const e of ['delivered', 'displayed', 'failed', 'malformed'] as const) {
    alice.on(e, () => seen.push(e));
  }
  const imdn = (messageId: string, kind: 'delivery' | 'display', status: string) => {
    const n = { messageId, dateTime: '2026-01-01T00:00:00Z', kind, status } as ImdnNotification;
    return b.send(formatCpim(imdnCpim(formatImdn(n))), { contentType: 'message/cpim' });
  };
  /** Resolves once everything `b` sent so far was handled by alice. */
  const flush = async () => {
    const marker = next(alice, 'message');
    await b.send('marker');
    await marker;
  };
  return { alice, seen, imdn, flush };
}

describe('Chat notifications', () => {
  it('emits a repeated IMDN once', async () => {
    const { alice, seen, imdn, flush } = await alicePeer();
    const { messageId } = alice.send('hello');
    await imdn(messageId, 'delivery', 'delivered');
    await imdn(messageId, 'delivery', 'delivered');
    await imdn(messageId, 'display', 'displayed');
    await imdn(messageId, 'display', 'displayed');
    await flush();
    expect(seen).toEqual(['delivered', 'displayed']);
  });

  it('still correlates a delivery overtaken by its display', async () => {
    // Was reported as malformed (unknown-message-id): the display had forgotten the message.
    const { alice, seen, imdn, flush } = await alicePeer();
    const { messageId } = alice.send('hello');
    await imdn(messageId, 'display', 'displayed');
    await imdn(messageId, 'delivery', 'delivered');
    await flush();
    expect(seen).toEqual(['displayed', 'delivered']);
  });
});

describe('Chat text', () => {
  for (const cpim of [true, false]) {
    it(`refuses a lone surrogate rather than send U+FFFD (${cpim ? 'CPIM' : 'bare'})`, async () => {
      const { a, b } = await sessionPair(cleanups);
      const alice = new Chat(a, { cpim });
      const bob = new Chat(b, RCS);
      cleanups.push(
        () => alice.close(),
        () => bob.close(),
      );
      const texts: Array<string | undefined> = [];
      bob.on('message', (m) => texts.push(m.text));
      await expect(alice.send('a\uD800b').sent).rejects.toMatchObject({
        code: 'MSRP_ERR_INVALID_ARGUMENT',
      });
      const line = next(bob, 'message');
      await alice.send('pair 😀 kept').sent;
      await line;
      expect(texts).toEqual(['pair 😀 kept']);
    });
  }

  it('refuses a lone surrogate in a subject or a display name', async () => {
    const alice = new Chat((await sessionPair(cleanups)).a, { cpim: true });
    const from = { name: 'Al\uDC00', uri: 'sip:al@x.example' };
    const named = new Chat((await sessionPair(cleanups)).a, { cpim: true, from });
    cleanups.push(
      () => alice.close(),
      () => named.close(),
    );
    await expect(alice.send('hi', { subject: 's\uDBFF' }).sent).rejects.toThrow('lone surrogate');
    await expect(named.send('hi').sent).rejects.toThrow('lone surrogate');
  });

  it('refuses CPIM headers over 64 KiB, which the peer would refuse as bad CPIM', async () => {
    // Was: sent resolved, and the peer's Chat reported the message as bad-cpim.
    const { a, b } = await sessionPair(cleanups);
    const alice = new Chat(a, { cpim: true });
    const bob = new Chat(b, RCS);
    cleanups.push(
      () => alice.close(),
      () => bob.close(),
    );
    const problems: string[] = [];
    bob.on('malformed', (p) => problems.push(p.reason));
    const { sent } = alice.send('hi', { subject: 's'.repeat(70_000) });
    await expect(sent).rejects.toMatchObject({ code: 'MSRP_ERR_INVALID_ARGUMENT' });
    // Just under the limit goes through.
    const line = next(bob, 'message');
    await alice.send('hi', { subject: 's'.repeat(60_000) }).sent;
    expect((await line)[0].cpim?.subjects[0]?.text).toHaveLength(60_000);
    expect(problems).toEqual([]);
  });
});

describe('Chat composing', () => {
  it('keeps the peer composing with an idle timeout over half the refresh interval', async () => {
    // Was: refreshes came only with keystrokes; typing at 0 s and 59 s, the peer's 120 s
    // refresh timeout ran out at 120 s although we stayed active until 149 s.
    const { a, b } = await sessionPair(cleanups);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const alice = new Chat(a, { ...RCS, composingIdleTimeout: 90_000 });
    const bob = new Chat(b, RCS);
    cleanups.push(
      () => alice.close(),
      () => bob.close(),
    );
    const start = Date.now();
    const seen: string[] = [];
    bob.on('composing', () => seen.push(`composing ${Date.now() - start}`));
    bob.on('idle', (s) => seen.push(`idle ${s?.state} ${Date.now() - start}`));
    // Advances in steps, letting the in-memory connection carry what the timers sent.
    const advance = async (ms: number): Promise<void> => {
      for (let i = 0; i < ms / 1000; i++) await vi.advanceTimersByTimeAsync(1000);
    };
    alice.typing();
    await advance(59_000);
    alice.typing();
    await advance(100_000);
    expect(seen).toEqual(['composing 0', 'idle idle 149000']);
  });
});
