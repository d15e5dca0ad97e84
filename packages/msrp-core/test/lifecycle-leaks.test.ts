// Nothing left running (sockets, timers, file handles) once the endpoints closed, whatever
// was under way: the process can exit.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { loopbackSessionPair } from './helpers/session-pair.js';
import { failOnUnhandled } from './helpers/unhandled.js';

const cleanups: Array<() => unknown> = [];
failOnUnhandled(['unhandledRejection']);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** Waits (turn by turn, 3 s at most) until the active resources are back to `before`. */
async function settlesTo(before: Record<string, number>): Promise<Record<string, number>> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const now = resources();
    const extra = Object.fromEntries(
      Object.entries(now).filter(([k, v]) => v > (before[k] ?? 0) && k !== 'TTYWrap'),
    );
    if (Object.keys(extra).length === 0 || Date.now() > deadline) return extra;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

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
