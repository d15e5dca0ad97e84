// `msrp listen` and `msrp send` through an msrp-relay (RFC 4976), as separate processes.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { formatUri } from '@msrp-ts/msrp-core';
import { Relay, StaticCredentialStore } from '@msrp-ts/msrp-relay';

const root = fileURLToPath(new URL('../', import.meta.url));
const tsx = join(root, 'node_modules/.bin/tsx');
const run = promisify(execFile);
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function msrp(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(tsx, ['--conditions=source', 'packages/msrp-core/src/cli/msrp.ts', ...args], {
    cwd: root,
  });
}

describe('msrp send/listen --relay', () => {
  it('delivers a message and a file through the relay; bad credentials exit 1', async () => {
    const relay = new Relay({
      credentials: new StaticCredentialStore([
        { username: 'alice', password: 'a-pw' },
        { username: 'bob', password: 'b-pw' },
      ]),
    });
    cleanups.push(() => relay.close(1000));
    const relayUri = formatUri(await relay.listen({ host: '127.0.0.1', port: 0 }));
    const dir = await mkdtemp(join(tmpdir(), 'msrp-relay-cli-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const listener = spawn(
      tsx,
      [
        '--conditions=source',
        'packages/msrp-core/src/cli/msrp.ts',
        'listen',
        '--relay',
        relayUri,
        '--user',
        'bob',
        '--password',
        'b-pw',
        '--out',
        join(dir, 'in'),
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanups.push(async () => {
      if (listener.exitCode === null) {
        listener.kill('SIGTERM');
        await once(listener, 'exit');
      }
    });
    const lines = createInterface({ input: listener.stdout })[Symbol.asyncIterator]();
    const first = (await lines.next()).value as string;
    const path = first.replace(/^listening /, '');
    // The path to send to: the relay's URI for bob, then bob's own.
    expect(path.split(' ')).toHaveLength(2);
    expect(path.startsWith(relayUri.replace(';tcp', '/'))).toBe(true);

    const sent = await msrp(
      'send',
      '--relay',
      relayUri,
      '--user',
      'alice',
      '--password',
      'a-pw',
      '--to',
      path,
      '--text',
      'hello through the relay',
    );
    expect(sent.stdout).toMatch(/^delivered message: 23 bytes/);
    expect((await lines.next()).value).toBe('hello through the relay');

    await writeFile(join(dir, 'doc.bin'), Buffer.alloc(300_000, 7));
    const file = await msrp(
      'send',
      '--relay',
      relayUri,
      '--user',
      'alice',
      '--password',
      'a-pw',
      '--to',
      path,
      '--file',
      join(dir, 'doc.bin'),
      '--report',
    );
    expect(file.stdout).toMatch(/delivered doc\.bin: 300000 bytes.*success report 200/);
    expect((await lines.next()).value).toMatch(/saved .*doc\.bin \(300000 bytes, .*hash matched\)/);

    const refused = await msrp(
      'send',
      '--relay',
      relayUri,
      '--user',
      'alice',
      '--password',
      'wrong',
      '--to',
      path,
      '--text',
      'x',
    ).catch((e: { code: number; stderr: string }) => e);
    expect((refused as { code: number }).code).toBe(1);
    expect((refused as { stderr: string }).stderr).toMatch(/refused the credentials of alice/);
  });
});
