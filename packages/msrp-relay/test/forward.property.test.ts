// Forwarding, end to end, as a property: any mix of messages (empty to a few hundred KiB, each
// with `send()` or in one `sendMany()`), sent at once in both directions under any chunk size
// and window, on up to three session pairs at once, confirmed as they come or once read,
// crosses the relay and is delivered once each and exact (RFC 4976 §7: a relay forwards each
// chunk as it is, whatever the chunking). A relay and two authenticated endpoints on
// loopback, whose connections to it the pairs share.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Endpoint, IncomingMessage, Session } from '@msrp-ts/msrp-core';
import { clientOf, startRelay } from './helpers.js';

/** The whole body of a message, read from its stream when it streams. */
async function bodyOf(message: IncomingMessage): Promise<Buffer> {
  if (!message.stream) return Buffer.from(message.body ?? new Uint8Array(0));
  const parts: Uint8Array[] = [];
  for await (const part of message.stream) parts.push(part);
  return Buffer.concat(parts);
}

const messages = fc.array(
  fc.record({
    size: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 600_000 })),
    seed: fc.nat(255),
    alone: fc.boolean(),
  }),
  { minLength: 1, maxLength: 8 },
);

const bytesOf = (size: number, seed: number): Uint8Array =>
  Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);

/** Sends `plan` from `from` to `to` at once; resolves once all was sent and received exact. */
async function exchange(
  from: Session,
  to: Session,
  plan: ReadonlyArray<{ size: number; seed: number; alone: boolean }>,
): Promise<void> {
  const bodies = plan.map(({ size, seed }) => bytesOf(size, seed));
  const alone = plan.flatMap((m, i) => (m.alone ? [i] : []));
  const together = plan.flatMap((m, i) => (m.alone ? [] : [i]));
  const inbox = to[Symbol.asyncIterator]();
  const received = (async () => {
    const reads: Array<Promise<Buffer>> = [];
    for (let k = 0; k < plan.length; k++) {
      const { value } = await inbox.next();
      reads.push(bodyOf(value as IncomingMessage));
    }
    return Promise.all(reads);
  })();
  const sent = await Promise.all([
    ...alone.map((i) => from.send(bodies[i]!).then((d) => d.bytes)),
    from.sendMany(together.map((i) => bodies[i]!)).then((d) => d.bytes),
  ]);
  const total = together.reduce((sum, i) => sum + bodies[i]!.length, 0);
  expect(sent).toEqual([...alone.map((i) => bodies[i]!.length), total]);
  // Messages interleave by chunks: compare as a multiset of bodies.
  const got = (await received).map((buf) => buf.toString('base64')).sort();
  const want = bodies.map((body) => Buffer.from(body).toString('base64')).sort();
  expect(got).toEqual(want);
}

describe('Forwarding properties (a relay on loopback)', () => {
  it('forwards any mix of messages, both ways and on several sessions at once, under any chunk size and window, exact', async () => {
    const { uri } = await startRelay();
    const alice: Endpoint = await clientOf('alice', [uri]);
    const bob: Endpoint = await clientOf('bob', [uri]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(messages, messages), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 70_000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom(1024, 1024 * 1024),
        fc.boolean(),
        async (pairs, chunkSize, maxInFlightChunks, inMemoryThreshold, confirmWhenRead) => {
          const largest = Math.max(...pairs.flat(2).map((m) => m.size));
          const options = {
            chunkSize: Math.max(chunkSize, Math.ceil(largest / 2000)),
            maxInFlightChunks,
            inMemoryThreshold,
            confirmWhenRead,
          };
          await Promise.all(
            pairs.map(async ([there, back]) => {
              const b = bob.createSession(options);
              const a = alice.createSession(options);
              b.accept(a.localPath);
              const bound = new Promise<void>((resolve) => b.once('bound', () => resolve()));
              await a.connect(b.localPath);
              await bound;
              await Promise.all([exchange(a, b, there), exchange(b, a, back)]);
              await a.close();
              await b.close();
            }),
          );
        },
      ),
      { numRuns: 25, timeout: 30_000 },
    );
  }, 120_000);
});
