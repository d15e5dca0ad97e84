// What the sending and forwarding properties share: a mix of messages, sent at once from one
// session and read whole at the other, compared exact.
import fc from 'fast-check';
import { expect } from 'vitest';
import type { IncomingMessage, Session } from '../../src/index.js';

/** A message of a mix: its size, its bytes' seed, and whether it goes alone (`send()`). */
export interface MixedMessage {
  readonly size: number;
  readonly seed: number;
  readonly alone: boolean;
}

/** 1 to `most` messages, mostly short, some up to `largest` bytes. */
export function mixes(largest: number, most: number): fc.Arbitrary<MixedMessage[]> {
  return fc.array(
    fc.record({
      size: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: largest })),
      seed: fc.nat(255),
      alone: fc.boolean(),
    }),
    { minLength: 1, maxLength: most },
  );
}

/** The whole body of a message, read from its stream when it streams. */
export async function bodyOf(message: IncomingMessage): Promise<Buffer> {
  if (!message.stream) {
    await message.completed;
    return Buffer.from(message.body ?? new Uint8Array(0));
  }
  const parts: Uint8Array[] = [];
  for await (const part of message.stream) parts.push(part);
  return Buffer.concat(parts);
}

/** The `size` bytes of a message made from `seed`. */
export const bytesOf = (size: number, seed: number): Uint8Array =>
  Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);

/**
 * Sends `mix` from `from` to `to` at once, those `alone` with `send()` and the others in one
 * `sendMany()`, and reads every message as it comes (a streamed one holds its session's
 * queue until read); checks that each send settled with its bytes and that the bodies read
 * are those sent, as a multiset (messages interleave by chunks).
 */
export async function exchange(from: Session, to: Session, mix: readonly MixedMessage[]) {
  const bodies = mix.map(({ size, seed }) => bytesOf(size, seed));
  const alone = mix.flatMap((m, i) => (m.alone ? [i] : []));
  const together = mix.flatMap((m, i) => (m.alone ? [] : [i]));
  const inbox = to[Symbol.asyncIterator]();
  const received = (async () => {
    const reads: Array<Promise<Buffer>> = [];
    for (let k = 0; k < mix.length; k++) {
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
  const got = (await received).map((buf) => buf.toString('base64')).sort();
  const want = bodies.map((body) => Buffer.from(body).toString('base64')).sort();
  expect(got).toEqual(want);
}
