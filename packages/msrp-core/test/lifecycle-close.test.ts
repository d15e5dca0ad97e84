// Closing sessions and endpoints over loopback TCP: twice, concurrently, mid-transfer; what a
// closed session answers; readers ending. No rejection is left unhandled.
import { describe, expect, it } from 'vitest';
import { DeliveryError, MsrpError, type Session } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { loopbackSessionPair } from './helpers/session-pair.js';
import { failOnUnhandled } from './helpers/unhandled.js';
import { within } from './helpers/within.js';
import { cleanups, endpoint } from './helpers/cleanups.js';

failOnUnhandled();

function count(session: Session, event: 'close' | 'unbound' | 'bound'): () => number {
  let n = 0;
  session.on(event, () => void n++);
  return () => n;
}

describe('closing twice, sending after close', () => {
  it('session.close() twice: one close event, both resolve', async () => {
    const { a: sa } = await loopbackSessionPair(cleanups);
    const closes = count(sa, 'close');
    await sa.close();
    await sa.close();
    expect(closes()).toBe(1);
  });

  it('endpoint.close() twice, concurrently: both resolve, sessions close once', async () => {
    const { client: a, a: sa, b: sb } = await loopbackSessionPair(cleanups);
    const closesA = count(sa, 'close');
    const closesB = count(sb, 'close');
    const peerClosed = new Promise<void>((resolve) => sb.once('close', () => resolve()));
    await within(Promise.all([a.close(), a.close()]), 5000, 'close twice');
    await a.close();
    await within(peerClosed, 5000, 'peer close');
    expect(closesA()).toBe(1);
    expect(closesB()).toBe(1);
  });

  it('connect or accept after close throws a clear MsrpError', async () => {
    const a = endpoint();
    const sa = a.createSession();
    await sa.close();
    await expect(sa.connect([sa.localUri])).rejects.toBeInstanceOf(MsrpError);
    expect(() => sa.accept()).toThrow(MsrpError);
  });

  it('send before connect rejects (a promise, not a throw)', async () => {
    const a = endpoint();
    const sa = a.createSession();
    const sending = sa.send('too early');
    await expect(sending).rejects.toMatchObject({ code: 'MSRP_ERR_SESSION' });
  });

  it('reading a closed session ends at once', async () => {
    const { b: sb } = await loopbackSessionPair(cleanups);
    await sb.close();
    const it1 = sb[Symbol.asyncIterator]();
    expect(await within(it1.next(), 2000, 'next')).toEqual({ done: true, value: undefined });
    const it2 = sb.batches();
    expect(await within(it2.next(), 2000, 'batches')).toEqual({ done: true, value: undefined });
  });
});

describe('endpoint.close() mid-transfer', () => {
  it('pending sends reject with DeliveryError MSRP_ERR_SESSION; readers end on both sides', async () => {
    const { client: a, a: sa, b: sb } = await loopbackSessionPair(cleanups);
    const reader = sb[Symbol.asyncIterator]();
    const big = new Uint8Array(20 * 1024 * 1024);
    const sending = sa.send(big).catch((e: unknown) => e);
    const first = await next(reader);
    expect(first.stream).toBeDefined();
    const readerA = sa[Symbol.asyncIterator]();
    const endedA = readerA.next();
    await within(a.close(), 5000, 'endpoint close');
    const error = await within(sending, 5000, 'send settles');
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_SESSION' });
    expect((error as DeliveryError).confirmedBytes).toBeLessThan(big.length);
    expect(await within(endedA, 2000, 'reader of a')).toEqual({ done: true, value: undefined });
    // The peer's message in progress aborts once its reader reads up to the cut.
    const drained = (async () => {
      for await (const piece of first.stream!) void piece;
    })();
    await expect(within(drained, 5000, 'peer stream')).rejects.toBeInstanceOf(MsrpError);
    expect(first.aborted).toBe(true);
    expect(await within(reader.next(), 5000, 'reader of b')).toEqual({
      done: true,
      value: undefined,
    });
  });

  it('a queued batch of sends all reject when the session closes', async () => {
    const { a: sa } = await loopbackSessionPair(cleanups);
    const sends = Array.from({ length: 50 }, (_, i) =>
      sa.send(`line ${i}`).then(
        () => 'ok',
        (e: MsrpError) => e.code,
      ),
    );
    void sa.close();
    const results = await within(Promise.all(sends), 5000, 'sends');
    for (const r of results) expect(['ok', 'MSRP_ERR_SESSION']).toContain(r);
  });

  it('sendMany mid-run rejects when the session closes', async () => {
    const { a: sa } = await loopbackSessionPair(cleanups);
    function* lines(): Generator<string> {
      for (let i = 0; i < 100_000; i++) yield `line ${i}`;
    }
    const run = sa.sendMany(lines(), { maxPending: 8 }).catch((e: unknown) => e);
    const closing = new Promise<void>((resolve) =>
      setImmediate(() => void sa.close().then(resolve)),
    );
    await closing;
    const error = await within(run, 5000, 'sendMany');
    expect(error).toMatchObject({ code: 'MSRP_ERR_SESSION' });
  });
});

describe('readers', () => {
  it('for await and batches() at once: the second is refused', async () => {
    const { b: sb } = await loopbackSessionPair(cleanups);
    const first = sb[Symbol.asyncIterator]();
    const waiting = first.next();
    await expect(sb.batches().next()).rejects.toMatchObject({ code: 'MSRP_ERR_SESSION' });
    await sb.close();
    expect(await waiting).toEqual({ done: true, value: undefined });
  });
});
