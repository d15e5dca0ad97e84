// Closing from inside handlers and loops, concurrent connects, a listen that cannot bind: all
// settle, once, and leave nothing unhandled.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Endpoint, MsrpError, type Session } from '../src/index.js';
import { next } from './helpers/inbox.js';

const cleanups: Array<() => unknown> = [];
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => void unhandled.push(e);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await new Promise((resolve) => setImmediate(resolve));
  expect(unhandled.splice(0)).toEqual([]);
});

function endpoint(): Endpoint {
  const e = new Endpoint();
  cleanups.push(() => e.close());
  return e;
}

async function pair(): Promise<{ a: Endpoint; b: Endpoint; sa: Session; sb: Session }> {
  const b = endpoint();
  await b.listen({ host: '127.0.0.1', port: 0 });
  const a = endpoint();
  const sb = b.createSession();
  sb.accept();
  const sa = a.createSession();
  await sa.connect([sb.localUri]);
  return { a, b, sa, sb };
}

describe('reentrancy', () => {
  it('endpoint.close() from a session close handler during endpoint.close()', async () => {
    const { a, sa } = await pair();
    const second = a.createSession();
    let inner: Promise<void> | undefined;
    sa.once('close', () => void (inner = a.close()));
    await a.close();
    await inner;
    expect(second.state).toBe('closed');
  });

  it('session.close() from its unbound handler when the peer endpoint closes', async () => {
    const { b, sa } = await pair();
    let closes = 0;
    sa.on('close', () => void closes++);
    sa.once('unbound', () => void sa.close());
    const closed = new Promise<void>((resolve) => sa.once('close', () => resolve()));
    await b.close();
    await closed;
    expect(closes).toBe(1);
  });

  it('endpoint.close() from the reader loop ends the loop', async () => {
    const { b, sa, sb } = await pair();
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

  it('listen on a port in use rejects with the bind error, as documented; the endpoint still works', async () => {
    const b = endpoint();
    const uri = await b.listen({ host: '127.0.0.1', port: 0 });
    const c = endpoint();
    const error = await c.listen({ host: '127.0.0.1', port: uri.port! }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EADDRINUSE' });
    const again = await c.listen({ host: '127.0.0.1', port: 0 });
    expect(again.port).not.toBe(uri.port);
  });
});
