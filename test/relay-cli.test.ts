// `msrp listen` and `msrp send` through an msrp-relay (RFC 4976), as separate processes; and
// the built commands as installed in node_modules/.bin.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generate } from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import { formatUri, parseUri } from '@msrp-ts/msrp-core';
import { Relay, StaticCredentialStore } from '@msrp-ts/msrp-relay';

const root = fileURLToPath(new URL('../', import.meta.url));
const tsx = join(root, 'node_modules/.bin/tsx');
const run = promisify(execFile);
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function msrp(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(tsx, ['--conditions=source', 'packages/msrp-cli/src/msrp.ts', ...args], {
    cwd: root,
  });
}

/** `msrp listen --relay relay` as bob (`args` besides), stopped after the test: its stdout lines. */
function listenAsBob(relay: string, ...args: string[]): AsyncIterator<string> {
  const listener = spawn(
    tsx,
    [
      ...['--conditions=source', 'packages/msrp-cli/src/msrp.ts', 'listen'],
      ...['--relay', relay, '--user', 'bob', '--password', 'b-pw', ...args],
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  cleanups.push(async () => {
    if (listener.exitCode === null) {
      listener.kill('SIGTERM');
      await once(listener, 'exit');
    }
  });
  return createInterface({ input: listener.stdout })[Symbol.asyncIterator]();
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
    const lines = listenAsBob(relayUri, '--out', join(dir, 'in'));
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
    // Through a relay "delivered" means the peer's success REPORT came back (asked by default).
    expect(sent.stdout).toMatch(
      /^delivered message: 23 bytes in [\d.]+ s, success report 200 OK\n$/,
    );
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

    // --no-report: the relay took every chunk; whether bob has them is not known.
    const unconfirmed = await msrp(
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
      'fire and forget',
      '--no-report',
    );
    expect(unconfirmed.stdout).toMatch(/^accepted by the relay \(no report asked[^)]*\) message: /);
    expect(unconfirmed.stdout).not.toContain('success report');
    expect((await lines.next()).value).toBe('fire and forget');
  });

  it('behind a relay reached over WebSocket, gives the ws URIs RFC 7977 asks for', async () => {
    const relay = await startRelay();
    const tcp = formatUri(relay.uris[0]!);
    const ws = formatUri(await relay.listen({ host: '127.0.0.1', port: 0, transport: 'ws' }));
    const lines = listenAsBob(ws);
    const path = ((await lines.next()).value as string).replace(/^listening /, '').split(' ');
    // Bob's own URI said ;tcp though he is reachable only over his WebSocket (RFC 7977 §8.1.1).
    expect(path.map((uri) => parseUri(uri).transport)).toEqual(['ws', 'ws']);
    expect(parseUri(path[1]!).host).toMatch(/\.invalid$/);
    const sent = await msrp(
      ...['send', '--relay', tcp, '--user', 'alice', '--password', 'a-pw'],
      ...['--to', path.join(' '), '--text', 'tcp to ws'],
    );
    expect(sent.stdout).toMatch(/^delivered message: 9 bytes/);
    expect((await lines.next()).value).toBe('tcp to ws');
  });
});

/** The relay with alice and bob on a loopback port (0: a free one). */
async function startRelay(port = 0, tls?: { cert: string; key: string }): Promise<Relay> {
  const relay = new Relay({
    credentials: new StaticCredentialStore([
      { username: 'alice', password: 'a-pw' },
      { username: 'bob', password: 'b-pw' },
    ]),
  });
  await relay.listen({ host: '127.0.0.1', port, ...(tls && { tls }) });
  cleanups.push(() => relay.close(1000));
  return relay;
}

/** Spawns a built bin (node_modules/.bin), its stdout as lines. */
function spawnBin(
  name: 'msrp' | 'msrp-relay',
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { child: ChildProcess; lines: AsyncIterator<string>; stderr: () => string } {
  const child = spawn(join(root, 'node_modules/.bin', name), args, {
    cwd: options.cwd ?? root,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'close');
    }
  });
  let spawnError: Error | undefined;
  child.on('error', (e) => (spawnError = e));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const closed = once(child, 'close').catch(() => undefined);
  ended.set(lines, async () => {
    // Its exit comes after its stdout's end: waited for, a second at most.
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1000))]);
    const how = spawnError?.message ?? `exit ${String(child.exitCode ?? child.signalCode)}`;
    return `${name} ${args[0] ?? ''}: ${how}, stderr: ${JSON.stringify(stderr)}`;
  });
  return { child, lines, stderr: () => stderr };
}

/** How a spawned bin's stdout ended, by its lines: for the error that says it did. */
const ended = new WeakMap<AsyncIterator<string>, () => Promise<string>>();

/** The next stdout line, failing after `ms` instead of hanging. */
async function nextLine(lines: AsyncIterator<string>, ms = 20_000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    lines.next(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no line within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
  if (result.done) {
    throw new Error(`stdout ended (${(await ended.get(lines)?.()) ?? 'not spawned here'})`);
  }
  return result.value;
}

/** Whether `port` on loopback can be listened on again. */
async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  try {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    server.close();
  }
}

describe('the built commands (node_modules/.bin)', { timeout: 120_000 }, () => {
  it('msrp --help and --version answer at once (no compiler at run time)', async () => {
    const started = performance.now();
    const help = await run(join(root, 'node_modules/.bin/msrp'), ['--help']);
    const elapsed = performance.now() - started;
    expect(help.stdout).toMatch(/^Usage: msrp <command>/);
    // tsx compiling the sources took ~4 s here; node on dist/ ~0.15 s. A wide bound for a busy machine.
    expect(elapsed).toBeLessThan(3000);
    const version = await run(join(root, 'node_modules/.bin/msrp-relay'), ['--version']);
    expect(version.stdout).toBe('msrp-relay 0.1.0\n');
  });

  it('msrp-relay exits 0 on SIGTERM and SIGINT and frees its port', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const relay = spawnBin('msrp-relay', ['--listen', 'msrp://127.0.0.1:0;tcp', '--user', 'a:b']);
      const port = parseUri((await nextLine(relay.lines)).replace(/^listening /, '')).port!;
      expect(await portIsFree(port)).toBe(false);
      relay.child.kill(signal);
      const [code] = (await once(relay.child, 'close')) as [number | null];
      expect(code, relay.stderr()).toBe(0);
      expect(await portIsFree(port)).toBe(true);
      // Logs carry level names and ISO times.
      expect(relay.stderr()).toMatch(/"level":"info","time":"\d{4}-\d\d-\d\dT[\d:.]+Z"/);
    }
  });

  it('relative paths resolve against the directory pnpm was run from (INIT_CWD)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'msrp-cwd-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'users.txt'), 'carol:c-pw\n');
    await writeFile(join(dir, 'relay.json'), JSON.stringify({ realm: 'from-cwd' }));
    // What pnpm sets when `pnpm msrp-relay ...` is run in `dir`: the script runs in the root.
    const env = { ...process.env, INIT_CWD: dir, npm_lifecycle_event: 'msrp-relay' };
    const relay = spawnBin(
      'msrp-relay',
      ['--listen', 'msrp://127.0.0.1:0;tcp', '--users', './users.txt', '--config', 'relay.json'],
      { env },
    );
    const relayUri = (await nextLine(relay.lines)).replace(/^listening /, '');
    // The config file was read from `dir` ("relay started" is logged after the listening line).
    await eventually(() => relay.stderr().includes('"realm":"from-cwd"'));

    // msrp: --out and --file relative to INIT_CWD too, through the relay as carol.
    const msrpEnv = { ...env, npm_lifecycle_event: 'msrp' };
    const listener = spawnBin(
      'msrp',
      ['listen', '--relay', relayUri, '--user', 'carol', '--password', 'c-pw', '--out', 'in'],
      { env: msrpEnv },
    );
    const path = (await nextLine(listener.lines)).replace(/^listening /, '');
    await writeFile(join(dir, 'note.txt'), 'relative');
    await run(
      join(root, 'node_modules/.bin/msrp'),
      ['send', '--relay', relayUri, '--user', 'carol', '--password', 'c-pw'].concat([
        '--to',
        path,
        '--file',
        './note.txt',
        '--content-type',
        'application/octet-stream',
      ]),
      { cwd: root, env: msrpEnv },
    );
    expect(await nextLine(listener.lines)).toBe(
      `saved ${join(dir, 'in', 'note.txt')} (8 bytes, sha-256 ${sha256Of('relative')}, hash matched)`,
    );
    // Outside a pnpm script of that name, INIT_CWD is not looked at.
    const plain = await run(
      join(root, 'node_modules/.bin/msrp'),
      ['sdp', 'inspect', './relay.json'],
      { cwd: root, env: { ...process.env, INIT_CWD: dir } },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(plain).toMatchObject({ code: 2 });
  });

  it('listen --relay reconnects when the relay comes back, prints the new path, or exits 3', async () => {
    const first = await startRelay();
    const relayUri = formatUri(first.uris[0]!);
    const port = first.uris[0]!.port!;
    const listener = spawnBin('msrp', [
      'listen',
      '--relay',
      relayUri,
      '--user',
      'bob',
      '--password',
      'b-pw',
      '--reconnect',
      '60000',
    ]);
    const oldPath = (await nextLine(listener.lines)).replace(/^listening /, '');
    const quitter = spawnBin('msrp', [
      'listen',
      '--relay',
      relayUri,
      '--user',
      'alice',
      '--password',
      'a-pw',
      '--reconnect',
      '0',
    ]);
    await nextLine(quitter.lines);

    // Listened for before the relay closes: the quitter may exit (and close) while it does,
    // and a `once` made after that waited for ever (a CI run timed out at 120 s here).
    const quitterClosed = once(quitter.child, 'close');
    await first.close(0);
    // --reconnect 0: a clear message and exit 3 (connection lost).
    const [code] = (await quitterClosed) as [number | null];
    expect(code).toBe(3);
    expect(quitter.stderr()).toMatch(
      /msrp listen: lost the connection to the relay msrp:\/\/127\.0\.0\.1:\d+;tcp\n/,
    );
    await eventually(() => /lost the connection to the relay/.test(listener.stderr()));
    expect(listener.child.exitCode).toBe(null);

    // The relay is back on the same port: bob authenticates again and prints his new path.
    await startRelay(port);
    const newPath = (await nextLine(listener.lines)).replace(/^listening /, '');
    expect(newPath).not.toBe(oldPath);
    const sent = await msrp(
      'send',
      '--relay',
      relayUri,
      '--user',
      'alice',
      '--password',
      'a-pw',
      '--to',
      newPath,
      '--text',
      'after the restart',
    );
    expect(sent.stdout).toMatch(/^delivered message: .*success report 200/);
    expect(await nextLine(listener.lines)).toBe('after the restart');
  });

  it('listen and chat --relay to an msrps relay take --fingerprint and --ca', async () => {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 86_400_000),
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const relay = await startRelay(0, { cert: pems.cert, key: pems.private });
    const relayUri = formatUri(relay.uris[0]!);
    expect(relayUri).toMatch(/^msrps:/);
    const dir = await mkdtemp(join(tmpdir(), 'msrp-tls-relay-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'ca.pem'), pems.cert);
    const fingerprint = `SHA-256 ${new X509Certificate(pems.cert).fingerprint256}`;
    const account = ['--relay', relayUri, '--user', 'bob', '--password', 'b-pw'];
    const pinned = spawnBin('msrp', ['listen', ...account, '--fingerprint', fingerprint]);
    expect(await nextLine(pinned.lines)).toMatch(/^listening msrps:\/\//);
    const chat = spawnBin('msrp', ['chat', '--listen', ...account, '--ca', join(dir, 'ca.pem')]);
    expect(await nextLine(chat.lines)).toMatch(/^listening msrps:\/\//);
    const wrong = await run(join(root, 'node_modules/.bin/msrp'), [
      'listen',
      ...account,
      '--fingerprint',
      fingerprint.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(wrong).toMatchObject({ code: 3 });
  });
});

function sha256Of(text: string): string {
  return createHash('sha256').update(text).digest('hex').toUpperCase().match(/../g)!.join(':');
}

/** Polls `condition` every 50 ms for up to `ms`. */
async function eventually(condition: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
