// DeliveryError.confirmedBytes when the session closes mid-transfer is what onProgress last
// reported: the bytes the peer confirmed, in order, from which a resume starts.
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError, Endpoint } from '../src/index.js';
import { next } from './helpers/inbox.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(['session.close()', 'endpoint.close()', 'peer endpoint.close()'] as const)(
  'a transfer cut by %s',
  (how) => {
    it('rejects with confirmedBytes equal to the last progress', async () => {
      const b = new Endpoint();
      cleanups.push(() => b.close());
      await b.listen({ host: '127.0.0.1', port: 0 });
      const a = new Endpoint();
      cleanups.push(() => a.close());
      const sb = b.createSession();
      sb.accept();
      const sa = a.createSession();
      await sa.connect([sb.localUri]);
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
