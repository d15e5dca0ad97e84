// What the send-outcome properties share (in memory, through a relay): a mix of messages
// sent at once, each asking for a REPORT or not, refused or aborted in one of several ways,
// and the check that every send settled as the receiver saw its message.
import fc from 'fast-check';
import { expect } from 'vitest';
import { DeliveryError, type Session, type SessionOptions } from '../../src/index.js';
import { next } from './inbox.js';
import { bodyOf, bytesOf } from './message-mix.js';
import { within } from './within.js';

/** How a message of the mix ends: normally, or aborted at once, a moment later, from its first progress, or by an onProgress that throws. */
type Ending = 'no' | 'now' | 'soon' | 'progress' | 'throw';

/** A message of the mix. */
export interface OutcomeMessage {
  readonly size: number;
  readonly seed: number;
  readonly successReport: boolean;
  readonly abort: Ending;
  /** `image/x-refused` is not accepted (415); `text/x-check` is refused by content (413). */
  readonly type: string;
}

/** 1 to `most` messages, mostly short, some up to `largest` bytes. */
export function outcomeMixes(largest: number, most: number): fc.Arbitrary<OutcomeMessage[]> {
  return fc.array(
    fc.record({
      size: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: largest })),
      seed: fc.nat(255),
      successReport: fc.boolean(),
      abort: fc.constantFrom<Ending>('no', 'no', 'now', 'soon', 'progress', 'throw'),
      type: fc.constantFrom('text/plain', 'text/plain', 'image/x-refused', 'text/x-check'),
    }),
    { minLength: 1, maxLength: most },
  );
}

/**
 * The sending session's options for `mix`: `chunkSize` raised so that no message has over
 * 2,000 chunks (a run of one-byte chunks through relays outlasts its timeout), a REPORT
 * waited for 5 s.
 */
export function senderOptions(
  mix: readonly OutcomeMessage[],
  chunkSize: number,
  maxInFlightChunks: number,
): SessionOptions {
  const largest = Math.max(...mix.map((m) => m.size));
  return {
    chunkSize: Math.max(chunkSize, Math.ceil(largest / 2000)),
    maxInFlightChunks,
    reportTimeout: 5_000,
  };
}

/** The receiving session's options the mix expects: which types it refuses, and how. */
export const REFUSING: SessionOptions = {
  acceptTypes: ['text/plain', 'text/x-check', 'text/x-end'],
  checkMessage: (m) => (m.contentType?.subtype === 'x-check' ? 413 : undefined),
};

/**
 * Sends `mix` from `from` to `to` (a session with {@link REFUSING}'s options, holding messages
 * up to `inMemoryThreshold` in memory) at once, reading every message as it comes, then
 * checks: a send that resolved was delivered exact, with its REPORT when it asked for one; one
 * that failed was refused (its status, a `refused` event) or aborted; nothing else arrived;
 * the session pair goes on both ways. `viaRelay`: a relay answers each chunk itself (RFC 4976
 * §7), so a message the receiver refuses without a success REPORT asked for may resolve;
 * its refusal then comes as a failure REPORT (the sender's `report` event).
 */
export async function settleMix(
  from: Session,
  to: Session,
  mix: readonly OutcomeMessage[],
  inMemoryThreshold: number,
  viaRelay = false,
): Promise<void> {
  const refused: Array<string | undefined> = [];
  to.on('refused', (r) => refused.push(r.messageId));
  const failureReports = new Map<string, number>();
  let reported = (): void => undefined;
  from.on('report', (r) => {
    if (r.status.code === 200) return;
    failureReports.set(r.messageId, r.status.code);
    reported();
  });
  const bodies = mix.map((m) => bytesOf(m.size, m.seed));
  const seen: Array<Promise<string>> = [];
  const reading = (async () => {
    for await (const m of to) {
      if (m.contentType?.subtype === 'x-end') return;
      seen.push(
        bodyOf(m).then(
          (b) => b.toString('base64'),
          () => 'failed',
        ),
      );
    }
  })();
  // Each send's outcome as a value: they settle in any order.
  const outcomes = await Promise.all(
    mix.map(async (m, i) => {
      const controller = new AbortController();
      if (m.abort === 'now') controller.abort();
      if (m.abort === 'soon') setTimeout(() => controller.abort(), 1);
      try {
        const d = await from.send(bodies[i]!, {
          contentType: m.type,
          successReport: m.successReport,
          signal: controller.signal,
          onProgress: () => {
            if (m.abort === 'progress') controller.abort();
            if (m.abort === 'throw') throw new Error('app bug');
          },
        });
        return { ok: true as const, d };
      } catch (e) {
        return { ok: false as const, e };
      }
    }),
  );
  await from.send('end', { contentType: 'text/x-end' });
  await reading;
  const delivered = (await Promise.all(seen)).filter((g) => g !== 'failed');
  const want: string[] = [];
  const maybe: string[] = [];
  const refusedLater: Array<[string, number]> = [];
  outcomes.forEach((o, i) => {
    const m = mix[i]!;
    const body = Buffer.from(bodies[i]!).toString('base64');
    // Only a streamed message escapes checkMessage.
    const refusal =
      m.type === 'image/x-refused'
        ? 415
        : m.type === 'text/x-check' && m.size <= inMemoryThreshold
          ? 413
          : undefined;
    if (o.ok && refusal && viaRelay && !m.successReport) {
      if (m.abort === 'no') refusedLater.push([o.d.messageId, refusal]);
      return;
    }
    if (o.ok) {
      expect(refusal).toBeUndefined();
      expect(o.d.bytes).toBe(m.size);
      if (m.successReport) expect(o.d.report?.code).toBe(200);
      want.push(body);
      return;
    }
    expect(o.e).toBeInstanceOf(DeliveryError);
    const { status, messageId } = o.e as DeliveryError;
    if (status === 413 || status === 415) expect(refused).toContain(messageId);
    maybe.push(body);
    if (m.abort !== 'no') return;
    if (refusal === undefined) throw o.e;
    expect(status).toBe(refusal);
  });
  for (const [messageId, status] of refusedLater) {
    // Bounded, so that a REPORT never sent fails the run at once, naming it: waited for
    // without end, the run hit the property's timeout, its shrinking the test's, and no
    // counterexample was printed.
    const report = (async () => {
      while (!failureReports.has(messageId)) await new Promise<void>((r) => (reported = r));
    })();
    await within(report, 10_000, `the failure REPORT (${status}) of ${messageId}, refused`);
    expect(failureReports.get(messageId)).toBe(status);
  }
  // Every send that resolved was delivered exact. One that failed may have arrived whole (its
  // last chunk was out before the abort); nothing else arrived.
  for (const w of want) expect(delivered).toContain(w);
  for (const d of delivered) expect([...want, ...maybe]).toContain(d);
  expect(delivered.length).toBeLessThanOrEqual(want.length + maybe.length);
  const back = to.send('back');
  expect((await next(from[Symbol.asyncIterator]())).text()).toBe('back');
  await back;
}
