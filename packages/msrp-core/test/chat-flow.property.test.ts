// fast-check over two Chats on real sessions (in-memory pair): any Unicode text, subject and
// display name, CPIM or bare, any notifications asked for, many messages in flight. Every
// message arrives once with its text exact, or `sent` refuses it (a lone surrogate UTF-8
// cannot carry); every notification reaches its message's events exactly once.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Chat, type ChatMessage } from '../src/index.js';
import { sessionPair } from './helpers/session-pair.js';
import { LostEvent, within } from './helpers/within.js';
import { cleanups } from './helpers/cleanups.js';

const RCS = ['message/cpim', 'application/im-iscomposing+xml'];
/** Whether UTF-8 can carry `text`: no lone surrogate. */
const wellFormed = (text: string): boolean => !/[\uD800-\uDFFF]/u.test(text);
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom('\u0000', '\r', '\n', '\uD800', '\uDC00', '😀', 'é', '\\', '"', ' '),
    maxLength: 12,
  }),
  fc.nat(70_000).map((n) => 'x'.repeat(n)), // one very long line
);

/**
 * How long each awaited event may take: one that never comes fails the case at once, named,
 * rather than hanging to the test's timeout (a full run once did, 60 s without a clue).
 */
const WAIT = 10_000;

/**
 * Resolves once `done()` holds, checked on each event of `chats`; fails after {@link WAIT}
 * with `what()`. Checked at once too: the events may all have come before.
 */
function until(chats: readonly Chat[], done: () => boolean, what: () => string): Promise<void> {
  const events = ['message', 'delivered', 'displayed', 'failed', 'malformed'] as const;
  let check = (): void => undefined;
  const met = new Promise<void>((resolve) => {
    check = () => {
      if (done()) resolve();
    };
  });
  for (const chat of chats) for (const e of events) chat.on(e, check);
  check();
  return within(met, WAIT, what).finally(() => {
    for (const chat of chats) for (const e of events) chat.off(e, check);
  });
}

const scenario = fc.record({
  cpim: fc.boolean(),
  asked: fc.record({
    positiveDelivery: fc.boolean(),
    negativeDelivery: fc.boolean(),
    display: fc.boolean(),
  }),
  name: fc.option(anyText, { nil: undefined }),
  messages: fc.array(
    fc.record({
      text: anyText,
      subject: fc.option(anyText, { nil: undefined }),
      read: fc.boolean(),
    }),
    { minLength: 1, maxLength: 6 },
  ),
});

describe('Chat end to end', () => {
  it('delivers every message once, exact or refused, and each notification once', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ cpim, asked, name, messages }) => {
        // Which case a lost event belongs to: sizes, not the texts (up to 70 000 characters).
        const lengths = (t: string | undefined) => (t === undefined ? null : t.length);
        const of = JSON.stringify({
          cpim,
          asked,
          name: lengths(name),
          messages: messages.map((m) => [lengths(m.text), lengths(m.subject), m.read]),
        });
        const { a, b } = await sessionPair(cleanups);
        const alice = new Chat(a, {
          peerAcceptTypes: cpim ? RCS : ['text/plain'],
          notifications: asked,
          from:
            name === undefined ? 'sip:alice@example.com' : { name, uri: 'sip:alice@example.com' },
        });
        // Bob's one message, the marker, asks for no IMDN: alice's would race the check of
        // faults below (and fail when her name is no UTF-8: an `error`, as it should be).
        const bob = new Chat(b, { peerAcceptTypes: RCS, notifications: false });
        const received: ChatMessage[] = [];
        const events: string[] = [];
        bob.on('message', (m) => received.push(m));
        for (const e of ['delivered', 'displayed', 'failed'] as const) {
          alice.on(e, (n) => events.push(`${e} ${n.messageId}`));
        }
        const faults: unknown[] = [];
        for (const chat of [alice, bob]) {
          chat.on('error', (e) => faults.push(e)).on('malformed', (p) => faults.push(p));
        }
        // All in flight at once.
        const sends = messages.map((m) => ({
          ...m,
          ...alice.send(m.text, m.subject === undefined ? {} : { subject: m.subject }),
        }));
        const outcomes = await Promise.allSettled(
          sends.map((s, i) =>
            within(s.sent, WAIT, () => `sent of message ${i + 1} of ${sends.length} in ${of}`),
          ),
        );
        const lost = outcomes.find((o) => o.status === 'rejected' && o.reason instanceof LostEvent);
        if (lost?.status === 'rejected') throw lost.reason;
        const ok = sends.filter((m, i) => {
          const headers = cpim ? [m.subject ?? '', name ?? ''] : [];
          // UTF-8 cannot carry a lone surrogate: refused, never sent as U+FFFD.
          const unsendable = ![m.text, ...headers].every(wellFormed);
          // Headers a reader with default limits (64 KiB) would refuse: refused here.
          const huge = headers.join('').length > 60_000;
          const outcome = outcomes[i]!;
          if (outcome.status === 'rejected') {
            expect(unsendable || huge).toBe(true);
            expect(outcome.reason).toMatchObject({ code: 'MSRP_ERR_INVALID_ARGUMENT' });
          } else expect(unsendable).toBe(false);
          return outcome.status === 'fulfilled';
        });
        const notifying =
          cpim && (asked.positiveDelivery || asked.negativeDelivery || asked.display);
        const deliveries = notifying && asked.positiveDelivery ? ok.length : 0;
        await until(
          [alice, bob],
          () =>
            received.length >= ok.length &&
            events.filter((e) => e.startsWith('delivered')).length >= deliveries,
          () =>
            `messages or deliveries ${JSON.stringify({ got: received.length, ok: ok.length, deliveries, events, faults })} in ${of}`,
        );
        // Bob reads some of them.
        const displays: string[] = [];
        for (const m of received) {
          const s = ok.find((o) => o.messageId === m.messageId);
          if (s?.read !== true) continue;
          const shown = await within(
            bob.markDisplayed(m),
            WAIT,
            () => `markDisplayed of ${m.messageId} in ${of}`,
          );
          expect(shown).toBe(notifying && asked.display);
          if (shown) displays.push(`displayed ${m.messageId}`);
        }
        await until(
          [alice, bob],
          () => events.filter((e) => e.startsWith('displayed')).length >= displays.length,
          () => `displays ${JSON.stringify({ displays, events, faults })} in ${of}`,
        );
        // A round trip after everything: any repeat would have come before it.
        const marker = new Promise((resolve) => alice.once('message', resolve));
        bob.send('marker');
        await within(marker, WAIT, () => `the marker at alice in ${of}`);

        expect(received.map((m) => m.messageId).toSorted()).toEqual(
          ok.map((m) => m.messageId).toSorted(),
        );
        for (const m of received) {
          const s = ok.find((o) => o.messageId === m.messageId)!;
          expect(m.text).toBe(s.text);
          if (cpim) {
            expect(m.cpim?.subjects.map((x) => x.text)).toEqual(
              s.subject === undefined ? [] : [s.subject],
            );
            expect(m.from).toEqual(
              name === undefined
                ? { uri: 'sip:alice@example.com' }
                : { name, uri: 'sip:alice@example.com' },
            );
          }
        }
        const expected = [
          ...(deliveries > 0 ? ok.map((m) => `delivered ${m.messageId}`) : []),
          ...displays,
        ];
        expect(events.toSorted()).toEqual(expected.toSorted());
        expect(faults).toEqual([]);
        alice.close();
        bob.close();
        for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
