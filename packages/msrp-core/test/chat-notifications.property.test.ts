// fast-check: a peer answers our messages with IMDNs in any order, repeated, for messages we
// never sent, or broken. Each (message, kind) reaches its events exactly once, the first
// time; an unknown id or a broken document is a `malformed` event; the chat goes on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Chat, formatCpim, formatImdn, type ImdnNotification } from '../src/index.js';
import { imdnCpim } from './helpers/imdn-cpim.js';
import { sessionPair } from './helpers/session-pair.js';
import { cleanups } from './helpers/cleanups.js';

const OUTCOMES = [
  ['delivery', 'delivered'],
  ['delivery', 'failed'],
  ['delivery', 'forbidden'],
  ['display', 'displayed'],
  ['display', 'error'],
  ['processing', 'stored'],
] as const;

/** What the chat emits for a notification of `status`. */
const eventOf = (status: string): string =>
  status === 'delivered' ? 'delivered' : status === 'displayed' ? 'displayed' : 'failed';

const notification = fc.record({
  // An index into the messages sent, or one past: a message we never sent.
  target: fc.nat(5),
  outcome: fc.constantFrom(...OUTCOMES),
  broken: fc.boolean(),
});

describe('Chat with a peer sending IMDNs', () => {
  it('emits each (message, kind) once, whatever the order, repeats or garbage', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(notification, { maxLength: 16 }),
        async (count, notifications) => {
          const { a, b } = await sessionPair(cleanups);
          const alice = new Chat(a, { cpim: true });
          const ids = Array.from({ length: count }, (_, i) => alice.send(`m${i}`).messageId);
          const events: string[] = [];
          for (const e of ['delivered', 'displayed', 'failed'] as const) {
            alice.on(e, (n) => events.push(`${e} ${n.messageId} ${n.imdn.kind}`));
          }
          const problems: string[] = [];
          alice.on('malformed', (p) => problems.push(p.reason));
          alice.on('error', (e) => problems.push(`error ${e.message}`));

          const expected: string[] = [];
          const expectedProblems: string[] = [];
          const seen = new Set<string>();
          for (const { target, outcome, broken } of notifications) {
            const messageId = ids[target] ?? `never-sent-${target}`;
            const [kind, status] = outcome;
            const imdn = { messageId, dateTime: '2026-01-01T00:00:00Z', kind, status };
            let xml = new TextDecoder().decode(formatImdn(imdn as ImdnNotification));
            if (broken) {
              xml = xml.slice(0, xml.indexOf('</imdn>'));
              expectedProblems.push('bad-imdn');
            } else if (ids[target] === undefined) {
              expectedProblems.push('unknown-message-id');
            } else if (kind !== 'processing' && !seen.has(`${messageId} ${kind}`)) {
              seen.add(`${messageId} ${kind}`);
              expected.push(`${eventOf(status)} ${messageId} ${kind}`);
            }
            await b.send(formatCpim(imdnCpim(xml)), { contentType: 'message/cpim' });
          }
          // A line after them all: every notification was handled before it.
          const marker = new Promise((resolve) => alice.once('message', resolve));
          await b.send('marker');
          await marker;
          expect(events).toEqual(expected);
          expect(problems).toEqual(expectedProblems);
          alice.close();
          for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
        },
      ),
      { numRuns: 30 },
    );
  }, 30_000);
});
