// A long-lived AbortSignal shared by many actions (one per conversation, say) keeps no
// listener once they settle, however they settle.
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { loopbackSessionPair } from './helpers/session-pair.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const listeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;

describe('a shared signal', () => {
  it('send and sendMany: no listener left after success', async () => {
    const { a: sa } = await loopbackSessionPair(cleanups);
    const { signal } = new AbortController();
    await sa.send('one', { signal });
    await sa.send(new Uint8Array(100_000), { signal });
    await sa.sendMany(['a', 'b', 'c'], { signal });
    await sa.sendFile(new Uint8Array(10), { signal });
    expect(listeners(signal)).toBe(0);
  });

  it('send, sendMany and sendFile: no listener left when the session closes under them', async () => {
    const { a: sa, b: sb } = await loopbackSessionPair(cleanups);
    const { signal } = new AbortController();
    const reader = sb[Symbol.asyncIterator]();
    function* many(): Generator<string> {
      for (let i = 0; i < 1e6; i++) yield `line ${i}`;
    }
    const runs = [
      sa.send(new Uint8Array(20 * 1024 * 1024), { signal }),
      sa.sendFile(new Uint8Array(20 * 1024 * 1024), { signal }),
      sa.sendMany(many(), { signal }),
    ].map((p) => p.catch((e: unknown) => e));
    await next(reader);
    await sa.close();
    for (const r of await Promise.all(runs)) expect(r).toMatchObject({ code: 'MSRP_ERR_SESSION' });
    expect(listeners(signal)).toBe(0);
  });

  it('connect that fails: no listener left', async () => {
    const a = new Endpoint();
    cleanups.push(() => a.close());
    const { signal } = new AbortController();
    const s = a.createSession();
    await s.connect([{ ...s.localUri, host: '127.0.0.1', port: 1 }], { signal }).catch(() => {});
    expect(listeners(signal)).toBe(0);
  });
});
