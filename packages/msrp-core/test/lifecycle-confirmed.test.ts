// DeliveryError.confirmedBytes when the session closes mid-transfer is what onProgress last
// reported: the bytes the peer confirmed, in order, from which a resume starts.
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { loopbackSessionPair } from './helpers/session-pair.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(['session.close()', 'endpoint.close()', 'peer endpoint.close()'] as const)(
  'a transfer cut by %s',
  (how) => {
    it('rejects with confirmedBytes equal to the last progress', async () => {
      const { a: sa, b: sb, client: a, server: b } = await loopbackSessionPair(cleanups);
      let progressed = 0;
      let some!: () => void;
      const someConfirmed = new Promise<void>((resolve) => (some = resolve));
      const sending = sa
        .send(new Uint8Array(64 * 1024 * 1024), {
          onProgress: ({ bytes }) => {
            progressed = bytes;
            if (bytes >= 1024 * 1024) some();
          },
        })
        .catch((e: unknown) => e);
      const message = await next(sb[Symbol.asyncIterator]());
      void message.drain();
      await someConfirmed;
      if (how === 'session.close()') await sa.close();
      else if (how === 'endpoint.close()') await a.close();
      else await b.close();
      const error = await sending;
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as DeliveryError).confirmedBytes).toBe(progressed);
      expect(progressed).toBeGreaterThan(0);
    });
  },
);
