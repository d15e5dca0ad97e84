// An application's onProgress runs inside the connection's read: what it throws, and an abort
// it signals, touch its own message only, as far as that message still goes.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeliveryError, Endpoint } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { cleanups } from './helpers/cleanups.js';

/** Two session pairs between two loopback endpoints, sharing one connection. */
async function twoPairs() {
  const server = new Endpoint();
  cleanups.push(() => server.close());
  await server.listen({ host: '127.0.0.1', port: 0 });
  const client = new Endpoint();
  cleanups.push(() => client.close());
  const passive = [server.createSession(), server.createSession()];
  passive.forEach((s) => s.accept());
  const active = passive.map(() => client.createSession());
  await Promise.all(active.map((s, i) => s.connect([passive[i]!.localUri])));
  const inboxes = passive.map((s) => s[Symbol.asyncIterator]());
  return { active, inboxes };
}

describe('onProgress', () => {
  it('that throws aborts its own message with what it threw as the cause; the connection and its other session go on', async () => {
    const { active, inboxes } = await twoPairs();
    const [a1, a2] = active as [(typeof active)[0], (typeof active)[0]];
    const bug = new Error('progress bar gone');
    const sending = a1.send(randomBytes(8 * 1024 * 1024), {
      onProgress: () => {
        throw bug;
      },
    });
    const message = await next(inboxes[0]!);
    const reading = (async () => {
      for await (const piece of message.stream!) void piece;
    })().catch((e: unknown) => e);
    const error = await sending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_ABORTED', cause: bug });
    expect((error as DeliveryError).confirmedBytes).toBeGreaterThan(0);
    // RFC 4975 §7.1: the receiver learns of the abort from the `#` chunk.
    expect(await reading).toMatchObject({ code: 'MSRP_ERR_ABORTED' });
    await a2.send('the other session');
    expect((await next(inboxes[1]!)).text()).toBe('the other session');
    await a1.send('and this one');
    expect((await next(inboxes[0]!)).text()).toBe('and this one');
  });

  it('signalling an abort once every byte is confirmed leaves the message delivered', async () => {
    const { active, inboxes } = await twoPairs();
    const controller = new AbortController();
    let calls = 0;
    const delivery = await active[0]!.send('confirmed before the abort', {
      signal: controller.signal,
      onProgress: () => {
        calls++;
        controller.abort();
      },
    });
    expect(calls).toBe(1);
    expect(delivery.bytes).toBe(26);
    expect((await next(inboxes[0]!)).text()).toBe('confirmed before the abort');
  });
});
