// Issue 10: `pnpm demo:web` (scripts/demo-web.ts) as a person runs it: it prints the URL of the
// page, serves the page and its configuration, and stops cleanly on SIGTERM; the rendezvous
// pairs pages two by two.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { Rendezvous } from '../examples/web-chat/rendezvous.js';

const root = new URL('../', import.meta.url).pathname;
const tsx = new URL('node_modules/.bin/tsx', `file://${root}`).pathname;

function demoWeb(...args: string[]) {
  const child = spawn(tsx, ['--conditions=source', 'scripts/demo-web.ts', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator]() };
}

describe('pnpm demo:web', () => {
  it('prints the URL, serves the page, and stops cleanly on SIGTERM', async () => {
    const { child, exited, lines } = demoWeb('--host', '127.0.0.1', '--port', '0');
    try {
      const first = (await lines.next()).value as string;
      const url = /^web chat {2}(http:\/\/127\.0\.0\.1:\d+\/)$/.exec(first)?.[1];
      expect(url, first).toBeDefined();
      expect((await lines.next()).value).toMatch(
        /^relay {5}msrp:\/\/127\.0\.0\.1:\d+;ws \(pages\), msrp:\/\/127\.0\.0\.1:\d+;tcp/,
      );
      expect((await lines.next()).value).toMatch(/^accounts {2}alice \/ \S+, bob \/ \S+/);

      const page = await fetch(url!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script type="module" src="/chat.js">');
      const script = await fetch(`${url!}chat.js`);
      expect(script.headers.get('content-type')).toBe('text/javascript');
      expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
      const config = (await (await fetch(`${url!}config.json`)).json()) as Record<string, string>;
      expect(config['relay']).toMatch(/;ws$/);
      expect(config['relayTcp']).toMatch(/;tcp$/);
      expect((await fetch(`${url!}nothing`)).status).toBe(404);
      expect((await fetch(`${url!}rooms/x`, { method: 'POST', body: '{}' })).status).toBe(400);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toEqual([0, null]);
  }, 30_000);

  it('refuses a bad flag with exit 2 and one line', async () => {
    const { child, exited } = demoWeb('--port', 'http');
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    expect((await exited)[0]).toBe(2);
    expect(stderr).toBe('demo:web: --port must be a port, not "http" (see pnpm demo:web --help)\n');
  }, 30_000);
});

describe('the web chat rendezvous', () => {
  const entry = (id: string) => ({
    id,
    name: `user-${id}`,
    path: `msrp://h.invalid:2855/${id};tcp`,
  });

  it('pairs the second page with the first: the second connects, the first learns who', async () => {
    const rendezvous = new Rendezvous();
    const first = rendezvous.join('lobby', entry('a'));
    const second = await rendezvous.join('lobby', entry('b'));
    expect(second).toEqual({ peer: { name: 'user-a', path: entry('a').path }, connects: true });
    expect(await first).toEqual({
      peer: { name: 'user-b', path: entry('b').path },
      connects: false,
    });
    // The room is empty again: the next page waits.
    const third = rendezvous.join('lobby', entry('c'));
    rendezvous.leave('lobby', 'c');
    expect(await third).toEqual({ gone: 'left' });
  });

  it('keeps rooms apart, replaces a page that joins again, and ends waits on close', async () => {
    const rendezvous = new Rendezvous();
    const old = rendezvous.join('one', entry('a'));
    const again = rendezvous.join('one', entry('a'));
    expect(await old).toEqual({ gone: 'replaced' });
    const other = rendezvous.join('two', entry('b'));
    rendezvous.leave('one', 'b'); // not in room one: nothing happens
    rendezvous.close();
    expect(await again).toEqual({ gone: 'closed' });
    expect(await other).toEqual({ gone: 'closed' });
  });
});
