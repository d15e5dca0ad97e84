// A source that waits (a chat app's queue of lines, say) when its send is aborted or its
// session closes: the send settles at once, without waiting for the source's next piece.
import { afterEach, describe, expect, it } from 'vitest';
import { loopbackSessionPair } from './helpers/session-pair.js';
import { within } from './helpers/within.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An async iterable that yields `first`, then waits for ever. */
function stalled<T>(first: T): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => {
      let given = false;
      return {
        next: () => {
          if (given) return new Promise<IteratorResult<T>>(() => undefined);
          given = true;
          return Promise.resolve({ value: first, done: false });
        },
      };
    },
  };
}

describe('a source that waits when the session closes', () => {
  it('send(): rejects MSRP_ERR_SESSION at once', async () => {
    const { a: sa } = await loopbackSessionPair(cleanups);
    let confirmed!: () => void;
    const progress = new Promise<void>((resolve) => (confirmed = resolve));
    const sending = sa
      .send(stalled(new Uint8Array(64 * 1024)), { onProgress: () => confirmed() })
      .catch((e: unknown) => e);
    await within(progress, 3000, 'first piece confirmed');
    await sa.close();
    expect(await within(sending, 3000, 'send')).toMatchObject({ code: 'MSRP_ERR_SESSION' });
  });

  it('sendFile(): rejects MSRP_ERR_SESSION at once', async () => {
    const { a: sa } = await loopbackSessionPair(cleanups);
    let confirmed!: () => void;
    const progress = new Promise<void>((resolve) => (confirmed = resolve));
    const sending = sa
      .sendFile(stalled(new Uint8Array(64 * 1024)), { name: 'x', onProgress: () => confirmed() })
      .catch((e: unknown) => e);
    await within(progress, 3000, 'first piece confirmed');
    await sa.close();
    expect(await within(sending, 3000, 'sendFile')).toMatchObject({ code: 'MSRP_ERR_SESSION' });
  });

  it('sendMany(): rejects MSRP_ERR_SESSION at once', async () => {
    const { a: sa } = await loopbackSessionPair(cleanups);
    let delivered!: () => void;
    const confirmed = new Promise<void>((resolve) => (delivered = resolve));
    const sending = sa
      .sendMany(stalled('first line'), { onDelivered: () => delivered() })
      .catch((e: unknown) => e);
    // Nothing under way: the run waits for its source only.
    await within(confirmed, 3000, 'first line confirmed');
    await sa.close();
    expect(await within(sending, 3000, 'sendMany')).toMatchObject({ code: 'MSRP_ERR_SESSION' });
  });

  it('send() with a signal: aborts at once', async () => {
    const { a: sa } = await loopbackSessionPair(cleanups);
    const controller = new AbortController();
    let confirmed!: () => void;
    const progress = new Promise<void>((resolve) => (confirmed = resolve));
    const sending = sa
      .send(stalled(new Uint8Array(64 * 1024)), {
        signal: controller.signal,
        onProgress: () => confirmed(),
      })
      .catch((e: unknown) => e);
    await within(progress, 3000, 'first piece confirmed');
    controller.abort();
    expect(await within(sending, 3000, 'send')).toMatchObject({ code: 'MSRP_ERR_ABORTED' });
  });

  it('sendMany() with a signal: aborts at once', async () => {
    const { a: sa } = await loopbackSessionPair(cleanups);
    const controller = new AbortController();
    let delivered!: () => void;
    const confirmed = new Promise<void>((resolve) => (delivered = resolve));
    const sending = sa
      .sendMany(stalled('first line'), {
        signal: controller.signal,
        onDelivered: () => delivered(),
      })
      .catch((e: unknown) => e);
    await within(confirmed, 3000, 'first line confirmed');
    controller.abort();
    expect(await within(sending, 3000, 'sendMany')).toMatchObject({ code: 'MSRP_ERR_ABORTED' });
  });
});
