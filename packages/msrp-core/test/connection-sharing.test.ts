// Sessions to the same peer share one connection (RFC 4975 §5.4, §8.1): one session closing,
// mid-message or while another connects, is no failure of that connection for the others.
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint, dialTcp, type EndpointOptions } from '../src/index.js';
import { next } from './helpers/inbox.js';

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function endpoint(options?: EndpointOptions): Endpoint {
  const e = new Endpoint(options);
  cleanups.push(() => e.close());
  return e;
}

const MiB = 1 << 20;

async function* mebibytes(count: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) {
    await Promise.resolve();
    yield new Uint8Array(MiB).fill(65);
  }
}

describe('a session closing mid-message on a shared connection', () => {
  // The interrupted chunk still gets its end-line (RFC 4975 §7.1, "#"), and the receiver
  // answers the rest of its chunk 481 (§10).
  for (const side of ['sender', 'receiver'] as const) {
    it(`(${side} closes) leaves the other session on the connection working both ways`, async () => {
      const b = endpoint();
      await b.listen({ host: '127.0.0.1', port: 0 });
      let dials = 0;
      const a = endpoint({
        dialers: {
          msrp: (uri, options) => {
            dials++;
            return dialTcp(uri, options);
          },
        },
        // One chunk for the whole message: it is written in parts (ExclusiveWrites).
        session: { chunkSize: 64 * MiB },
      });
      const [b1, b2] = [b.createSession(), b.createSession()];
      b1.accept();
      b2.accept();
      const [a1, a2] = [a.createSession(), a.createSession()];
      await a1.connect([b1.localUri]);
      await a2.connect([b2.localUri]);
      expect(dials).toBe(1);
      const big = a1.send(mebibytes(64), {
        contentType: 'application/octet-stream',
        size: 64 * MiB,
      });
      big.catch(() => undefined);
      const message = await next(b1[Symbol.asyncIterator]());
      let read = 0;
      for await (const part of message.stream!) {
        read += part.length;
        if (read > 4 * MiB) break;
      }
      await (side === 'sender' ? a1 : b1).close();
      await expect(big).rejects.toMatchObject({
        code: side === 'sender' ? 'MSRP_ERR_SESSION' : 'MSRP_ERR_REMOTE',
      });
      await a2.send('still here');
      expect((await next(b2[Symbol.asyncIterator]())).text()).toBe('still here');
      await b2.send('and back');
      expect((await next(a2[Symbol.asyncIterator]())).text()).toBe('and back');
    });
  }
});
