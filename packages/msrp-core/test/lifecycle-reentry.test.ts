// Closing from inside handlers and loops, concurrent connects, a listen that cannot bind: all
// settle, once, and leave nothing unhandled.
import { describe, expect, it } from 'vitest';
import { Endpoint, MsrpError } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { loopbackSessionPair } from './helpers/session-pair.js';
import { failOnUnhandled } from './helpers/unhandled.js';
import { cleanups } from './helpers/cleanups.js';

failOnUnhandled();

function endpoint(): Endpoint {
  const e = new Endpoint();
  cleanups.push(() => e.close());
  return e;
}

describe('reentrancy', () => {
  it('endpoint.close() from a session close handler during endpoint.close()', async () => {
    const { client: a, a: sa } = await loopbackSessionPair(cleanups);
    const second = a.createSession();
    let inner: Promise<void> | undefined;
    sa.once('close', () => void (inner = a.close()));
    await a.close();
    await inner;
    expect(second.state).toBe('closed');
  });

  it('session.close() from its unbound handler when the peer endpoint closes', async () => {
    const { server: b, a: sa } = await loopbackSessionPair(cleanups);
    let closes = 0;
    sa.on('close', () => void closes++);
    sa.once('unbound', () => void sa.close());
    const closed = new Promise<void>((resolve) => sa.once('close', () => resolve()));
    await b.close();
    await closed;
    expect(closes).toBe(1);
  });

  it('endpoint.close() from the reader loop ends the loop', async () => {
    const { server: b, a: sa, b: sb } = await loopbackSessionPair(cleanups);
    await sa.send('one');
    await sa.send('two');
    const seen: string[] = [];
    for await (const m of sb) {
      seen.push(m.text());
      await b.close();
    }
    expect(seen[0]).toBe('one');
  });

  it('two concurrent connect() calls: the second rejects, the first succeeds', async () => {
    const b = endpoint();
    await b.listen({ host: '127.0.0.1', port: 0 });
    const sb = b.createSession();
    sb.accept();
    const a = endpoint();
    const sa = a.createSession();
    const first = sa.connect([sb.localUri]);
    const second = sa.connect([sb.localUri]);
    await expect(second).rejects.toBeInstanceOf(MsrpError);
    await first;
    expect(sa.state).toBe('bound');
    await sa.send('still fine');
    expect((await next(sb[Symbol.asyncIterator]())).text()).toBe('still fine');
  });

  it('listen on a port in use rejects with an MsrpError naming it, as documented; the endpoint still works', async () => {
    const b = endpoint();
    const uri = await b.listen({ host: '127.0.0.1', port: 0 });
    const c = endpoint();
    const error = await c.listen({ host: '127.0.0.1', port: uri.port! }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsrpError);
    expect(error).toMatchObject({
      code: 'MSRP_ERR_CONNECTION',
      message: `Cannot listen on 127.0.0.1:${uri.port}: address already in use (EADDRINUSE)`,
      cause: { code: 'EADDRINUSE' },
    });
    const again = await c.listen({ host: '127.0.0.1', port: 0 });
    expect(again.port).not.toBe(uri.port);
  });

  // Node threw a RangeError ("options.port should be >= 0 and < 65536") that named no listener.
  it.each([70000, -1, 1.5])(
    'listen on port %s rejects with MSRP_ERR_INVALID_ARGUMENT; the endpoint still works',
    async (port) => {
      const e = endpoint();
      const error = await e.listen({ host: '127.0.0.1', port }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(MsrpError);
      expect(error).toMatchObject({
        code: 'MSRP_ERR_INVALID_ARGUMENT',
        message: `Cannot listen on 127.0.0.1:${port}: the port must be a whole number from 0 to 65535`,
      });
      expect((await e.listen({ host: '127.0.0.1', port: 0 })).port).toBeGreaterThan(0);
    },
  );
});
