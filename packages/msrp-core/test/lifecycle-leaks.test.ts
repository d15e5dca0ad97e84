// Nothing left running (sockets, timers, file handles) once the endpoints closed, whatever
// was under way: the process can exit.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { resources, settlesTo } from './helpers/resources.js';
import { loopbackSessionPair } from './helpers/session-pair.js';
import { failOnUnhandled } from './helpers/unhandled.js';

const cleanups: Array<() => unknown> = [];
failOnUnhandled(['unhandledRejection']);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('nothing left running', () => {
  it('after both endpoints close mid-transfer (send, successReport wait, sendFile)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'msrp-leak-'));
    const path = join(dir, 'f.bin');
    await writeFile(path, new Uint8Array(20 * 1024 * 1024));
    const before = resources();
    const {
      a: sa,
      b: sb,
      client: a,
      server: b,
    } = await loopbackSessionPair(cleanups, undefined, {
      keepaliveInterval: 1000,
    });
    const reader = sb[Symbol.asyncIterator]();
    const outcomes = [
      sa.send('with report', { successReport: true, reportTimeout: 60_000 }),
      sa.send(new Uint8Array(10 * 1024 * 1024)),
      sa.sendFile(path),
    ].map((p) =>
      p.then(
        () => 'ok',
        (e: { code?: string }) => e.code,
      ),
    );
    await next(reader);
    await next(reader);
    await a.close();
    await b.close();
    const settled = await Promise.all(outcomes);
    expect(settled.slice(1)).toEqual(['MSRP_ERR_SESSION', 'MSRP_ERR_SESSION']);
    expect(await settlesTo(before)).toEqual({});
    await rm(dir, { recursive: true });
  });

  it('after the receiving endpoint closes mid-transfer', async () => {
    const before = resources();
    const { client: a, server: b, a: sa, b: sb } = await loopbackSessionPair(cleanups);
    const reader = sb[Symbol.asyncIterator]();
    const unbound: unknown[] = [];
    sa.on('unbound', (e) => unbound.push(e));
    let closes = 0;
    sa.on('close', () => void closes++);
    const sending = sa.send(new Uint8Array(30 * 1024 * 1024)).catch((e: unknown) => e);
    await next(reader);
    await b.close();
    expect(await sending).toMatchObject({ code: 'MSRP_ERR_CONNECTION' });
    expect(unbound.length).toBe(1);
    expect(closes).toBe(1);
    expect(sa.state).toBe('closed');
    await a.close();
    expect(closes).toBe(1);
    expect(await settlesTo(before)).toEqual({});
  });

  it('after connect fails against a port nobody listens on', async () => {
    const before = resources();
    const a = new Endpoint();
    const sa = a.createSession();
    await sa.connect([{ ...sa.localUri, host: '127.0.0.1', port: 1 }]).catch(() => {});
    await a.close();
    expect(await settlesTo(before)).toEqual({});
  });
});
