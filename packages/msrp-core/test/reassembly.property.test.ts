// Reassembly end to end, as properties: a message cut into chunks at any points, its chunks
// after the first sent in any order, some resent or overlapping, with its total announced or
// not (RFC 4975 §7.1: a receiver puts chunks back by Byte-Range), is delivered once,
// whole and exact, held in memory or streamed; every chunk is answered 200; a resent chunk of
// a finished message delivers nothing again. A raw peer on loopback plays the sender.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Endpoint, type CreateSessionOptions } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { bodyOf } from './helpers/message-mix.js';
import { RawPeer } from './helpers/raw-peer.js';
import { cleanups } from './helpers/cleanups.js';

/** An endpoint and a raw peer connected to it; each run takes a session of its own. */
async function receiver(options: CreateSessionOptions) {
  const e = new Endpoint({ host: '127.0.0.1' });
  cleanups.push(() => e.close());
  const port = (await e.listen({ host: '127.0.0.1', port: 0 })).port!;
  const peer = await RawPeer.connect(port);
  cleanups.push(() => peer.destroy());
  const session = () => {
    const s = e.createSession(options);
    s.accept();
    cleanups.push(() => s.close());
    return { session: s, inbox: s[Symbol.asyncIterator]() };
  };
  return { session, peer };
}

/** Chunks of a message: 1-based inclusive Byte-Ranges, in the order they are sent. */
interface Plan {
  body: Uint8Array;
  ranges: Array<[number, number]>;
  totalKnown: boolean;
}

/**
 * A body, ranges that cover it (cut at random points, then a few more that overlap them),
 * sent from the first octet on in a random order, then some sent once more after the rest.
 */
const plans: fc.Arbitrary<Plan> = fc
  .uint8Array({ minLength: 1, maxLength: 3000 })
  .chain((body) =>
    fc.record({
      body: fc.constant(body),
      cuts: fc.uniqueArray(fc.integer({ min: 1, max: body.length }), { maxLength: 10 }),
      // Each from a cut point (as a resent chunk starts) or from anywhere, to anywhere past it.
      extra: fc.array(
        fc.tuple(
          fc.nat(),
          fc.boolean(),
          fc.integer({ min: 1, max: body.length }),
          fc.integer({ min: 1, max: body.length }),
        ),
        { maxLength: 3 },
      ),
      order: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
        minLength: 16,
        maxLength: 16,
      }),
      resent: fc.array(fc.nat(), { maxLength: 2 }),
      totalKnown: fc.boolean(),
    }),
  )
  .map(({ body, cuts, extra, order, resent, totalKnown }) => {
    const starts = [1, ...cuts.filter((c) => c > 1).sort((a, b) => a - b)];
    const covering = starts.map((s, i): [number, number] => [
      s,
      (starts[i + 1] ?? body.length + 1) - 1,
    ]);
    const all = [
      ...covering,
      ...extra.map(([k, atCut, a, b]): [number, number] => {
        const start = atCut ? starts[k % starts.length]! : Math.min(a, b);
        return [start, Math.max(start, atCut ? a : b)];
      }),
    ];
    // A message starts at its first octet: a first chunk past it is a resume, delivered from
    // there (IncomingMessage.offset), and what comes below it later is the application's.
    const [first, ...rest] = all;
    const shuffled = [
      first!,
      ...rest
        .map((range, i) => ({ range, key: order[i % order.length]! + i / 1e6 }))
        .sort((a, b) => a.key - b.key)
        .map((x) => x.range),
    ];
    const again = resent.map((k) => shuffled[k % shuffled.length]!);
    return { body, ranges: [...shuffled, ...again], totalKnown };
  });

describe('Reassembly properties (a raw sender on loopback)', () => {
  it.each([
    ['held in memory', {}],
    ['streamed', { inMemoryThreshold: 64 }],
    ['streamed, each chunk confirmed once read', { inMemoryThreshold: 64, confirmWhenRead: true }],
  ] as const)(
    'delivers any message whose chunks come in any order after its first, resent or overlapping, once and exact (%s)',
    async (_, options) => {
      const { session: open, peer } = await receiver(options);
      let n = 0;
      await fc.assert(
        fc.asyncProperty(plans, async ({ body, ranges, totalKnown }) => {
          const { session, inbox } = open();
          const messageId = `prop-${n++}`;
          const total = body.length;
          // Read as it comes: with confirmWhenRead a streamed chunk is answered once read.
          const [message, answers] = await Promise.all([
            next(inbox, 2000).then(async (m) => ({
              messageId: m.messageId,
              bytes: await bodyOf(m),
            })),
            Promise.all(
              ranges.map(([start, end]) =>
                peer.transact({
                  toPath: [session.localUri],
                  messageId,
                  byteRange: { start, end, total: totalKnown ? total : '*' },
                  // RFC 4975 §7.1: `$` on the chunk that ends the message, `+` on the others.
                  flag: end === total ? '$' : '+',
                  contentType: 'application/octet-stream',
                  body: body.subarray(start - 1, end),
                }),
              ),
            ),
          ]);
          expect(answers.map((a) => a.head.statusCode)).toEqual(ranges.map(() => 200));
          expect(message.messageId).toBe(messageId);
          expect(Buffer.compare(message.bytes, Buffer.from(body))).toBe(0);
          // Nothing more of it: the next message is the one sent after.
          const after = await peer.transact({
            toPath: [session.localUri],
            messageId: `${messageId}-after`,
            body: 'after',
          });
          expect(after.head.statusCode).toBe(200);
          const following = await next(inbox);
          expect(following.messageId).toBe(`${messageId}-after`);
        }),
        { numRuns: 100, timeout: 3000 },
      );
    },
    60_000,
  );
});
