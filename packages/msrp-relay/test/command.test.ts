// The msrp-relay command (configuration, logs, metrics, health, SIGTERM), its users file,
// and listening on TLS and IPv6.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import { digestHa1, parseUri, type MsrpUri } from '@msrp-ts/msrp-core';
import { resolveConfig, UsageError } from '../src/cli/config.js';
import { HELP } from '../src/cli/help.js';
import { warnOutsideRealm } from '../src/cli/reload.js';
import { FileCredentialStore, parseUsersFile, Relay, StaticCredentialStore } from '../src/index.js';
import { LayeredCredentialStore } from '../src/layered-credential-store.js';
import { clientOf, endpoint, next, onCleanup, USERS, sessionPair } from './helpers.js';
import { root, runRelay, tsx } from './relay-command.js';
import { tempDir } from '../../msrp-core/test/helpers/temp-dir.js';

describe('configuration', () => {
  const noFile = (): string => {
    throw new Error('no file');
  };

  it('takes flags over environment over the config file', () => {
    const files: Record<string, string> = {
      '/etc/relay.json': JSON.stringify({
        realm: 'from-file',
        user: ['carol:c'],
        'max-pending': 7,
        'idle-timeout': 5,
      }),
    };
    const config = resolveConfig(
      ['--config', '/etc/relay.json', '--realm', 'from-flag', '--listen', 'msrp://0.0.0.0:0;tcp'],
      {
        MSRP_RELAY_REALM: 'from-env',
        MSRP_RELAY_IDLE_TIMEOUT: '9000',
        MSRP_RELAY_USER: 'dave:d,erin:e',
      },
      (path) => files[path]!,
    )!;
    expect(config.realm).toBe('from-flag');
    expect(config.limits).toEqual({ maxPendingTransactions: 7, idleTimeout: 9000 });
    expect(config.users.map((u) => u.username)).toEqual(['dave', 'erin']);
    expect(config.listen.map((u) => u.port)).toEqual([0]);
  });

  it('maps --frame-timeout, MSRP_RELAY_FRAME_TIMEOUT and "frame-timeout" to limits.frameTimeout', () => {
    const file = (path: string): string =>
      path === '/etc/relay.json' ? JSON.stringify({ 'frame-timeout': 3000 }) : noFile();
    const frameTimeout = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      resolveConfig(['--user', 'a:b', ...args], env, file)!.limits.frameTimeout;
    expect(frameTimeout([])).toBeUndefined();
    expect(frameTimeout(['--config', '/etc/relay.json'])).toBe(3000);
    expect(
      frameTimeout(['--config', '/etc/relay.json'], { MSRP_RELAY_FRAME_TIMEOUT: '2000' }),
    ).toBe(2000);
    expect(frameTimeout(['--frame-timeout', '1000'], { MSRP_RELAY_FRAME_TIMEOUT: '2000' })).toBe(
      1000,
    );
    expect(() => frameTimeout(['--frame-timeout', '1s'])).toThrow(
      /--frame-timeout must be a whole number/,
    );
    expect(HELP).toMatch(/--frame-timeout MS .*\n.*Default 30000/);
    // 0 turns the timeout off (Connection, the limits' "timeout" rule): --help says so.
    expect(frameTimeout(['--frame-timeout', '0'])).toBe(0);
    expect(HELP).toMatch(/--frame-timeout MS [^]*?Default 30000;\s+0: off/);
    expect(HELP).toMatch(/--idle-timeout MS [^]*?Default 300000; 0: off/);
  });

  it('refuses what cannot work, naming the option', () => {
    const bad: [string[], RegExp][] = [
      [['--user', 'a:b', '--listen', 'msrps://127.0.0.1:0;tcp'], /msrps listener needs/],
      [['--user', 'nocolon'], /NAME:PASSWORD/],
      [[], /no users/],
      [['--user', 'a:b', '--max-pending', 'lots'], /--max-pending must be a whole number/],
      [['--user', 'a:b', '--metrics', 'nowhere'], /HOST:PORT/],
      [['--user', 'a:b', '--metrics', '127.0.0.1:99999'], /--metrics must be HOST:PORT \(port 0/],
      // A relay handing out Use-Paths no client can parse.
      [
        ['--user', 'a:b', '--host', 'bad host'],
        /--host must be a name or an IP address.*"bad host"/,
      ],
      [['--user', 'a:b', '--host', '1.2.3.4:80'], /--host must be .*"1\.2\.3\.4:80"/],
      [['--user', 'a:b', '--bogus'], /Unknown option/],
      // It said only "Option '--max-pending' argument is ambiguous."
      [['--user', 'a:b', '--max-pending', '-1'], /ambiguous\. .* use '--max-pending=-XYZ'\.$/],
      // Numbers that would make a relay that starts and serves no one.
      [['--user', 'a:b', '--max-chunk-size', '0'], /--max-chunk-size must be a whole number of 1/],
      [['--user', 'a:b', '--max-ws-chunk', '0'], /--max-ws-chunk must be a whole number of 1/],
      [
        ['--user', 'a:b', '--min-expires', '100', '--max-expires', '50'],
        /--min-expires \(100\) is above --max-expires \(50\)/,
      ],
      [['--user', 'a:b', '--default-expires', '7200'], /--default-expires \(7200\) is outside/],
      [
        ['--user', 'a:b', '--idle-timeout', '3000000000'],
        /--idle-timeout must be milliseconds from 0 to 2147483647/,
      ],
    ];
    for (const [args, message] of bad) {
      expect(() => resolveConfig(args, {}, noFile)).toThrow(UsageError);
      expect(() => resolveConfig(args, {}, noFile)).toThrow(message);
    }
    expect(resolveConfig(['--help'], {}, noFile)).toBeUndefined();
  });

  it('takes --host as a name, an address, or an IPv6 address in brackets', () => {
    const host = (value: string) =>
      resolveConfig(['--user', 'a:b', '--host', value], {}, noFile)!.host;
    expect(host('relay.example.net')).toBe('relay.example.net');
    expect(host('192.0.2.7')).toBe('192.0.2.7');
    expect(host('[2001:db8::7]')).toBe('2001:db8::7');
    expect(host('2001:db8::7')).toBe('2001:db8::7');
  });
});

describe('users file', () => {
  it('reads plain passwords and HA1s per realm, and reloads', async () => {
    const dir = await tempDir('msrp-relay-');
    const path = join(dir, 'users');
    const ha1 = digestHa1('MD5', 'bob', 'r', 'pw');
    await writeFile(path, `# users\nalice:pa:ss # a comment\nbob:r:MD5:${ha1}\n\n`);
    const store = await FileCredentialStore.open(path);
    expect(store.size).toBe(2);
    expect(await store.ha1('alice', 'any', 'SHA-256')).toBe(
      digestHa1('SHA-256', 'alice', 'any', 'pa:ss'),
    );
    expect(await store.ha1('bob', 'r', 'MD5')).toBe(ha1);
    expect(await store.ha1('bob', 'other', 'MD5')).toBeUndefined();
    expect(await store.ha1('bob', 'r', 'SHA-256')).toBeUndefined();
    await writeFile(path, 'carol:x\n');
    await store.reload();
    expect(await store.ha1('alice', 'any', 'MD5')).toBeUndefined();
    expect(() => parseUsersFile('bob:r:MD5:nothex')).toThrow(
      /line 1: MD5 HA1 must be 32 hex digits/,
    );
    expect(() => parseUsersFile('nopassword')).toThrow(/line 1/);
  });

  it('challenges with the algorithms all its HA1 users have, anew after a reload, and refuses a file none serves', async () => {
    const dir = await tempDir('msrp-relay-');
    const path = join(dir, 'users');
    const line = (user: string, algorithm: 'MD5' | 'SHA-256', realm = 'r') =>
      `${user}:${realm}:${algorithm}:${digestHa1(algorithm, user, realm, 'pw')}\n`;
    await writeFile(path, line('bob', 'MD5') + 'alice:pw\n');
    const store = await FileCredentialStore.open(path);
    const layered = new LayeredCredentialStore([new StaticCredentialStore(USERS), store]);
    expect(layered.algorithms).toEqual(['MD5']);
    await writeFile(path, line('bob', 'SHA-256'));
    await store.reload();
    expect(layered.algorithms).toEqual(['SHA-256']);
    // bob could answer only MD5 and carol only SHA-256: whichever the client picks, one fails.
    await writeFile(path, line('bob', 'MD5') + line('carol', 'SHA-256'));
    await expect(store.reload()).rejects.toThrow(
      /no digest algorithm serves every user \(bob has no SHA-256 HA1, carol has no MD5 HA1\)/,
    );
    // HA1s of another realm than the relay's cannot authenticate: the command warns of them.
    await writeFile(path, line('bob', 'MD5', 'example.net') + line('carol', 'MD5') + 'dave:pw\n');
    await store.reload();
    expect(store.outsideRealm('r')).toEqual(['bob']);
    const warned: object[] = [];
    const log = { info: () => {}, error: () => {}, warn: (fields: object) => warned.push(fields) };
    warnOutsideRealm(log, store, 'r');
    expect(warned).toEqual([{ users: ['bob'], count: 1, realm: 'r', file: path }]);
  });

  it('fails with MSRP_ERR_FILE and the fs error when the file cannot be read', async () => {
    const path = join(await tempDir('msrp-relay-'), 'missing');
    await expect(FileCredentialStore.open(path)).rejects.toMatchObject({
      code: 'MSRP_ERR_FILE',
      cause: { code: 'ENOENT' },
    });
    await writeFile(path, 'alice:pw\n');
    const store = await FileCredentialStore.open(path);
    await rm(path);
    await expect(store.reload()).rejects.toMatchObject({ code: 'MSRP_ERR_FILE' });
    // The users read before stay in force.
    expect(store.size).toBe(1);
    // A file that reads but does not parse is still an argument error.
    await writeFile(path, 'nopassword\n');
    await expect(store.reload()).rejects.toMatchObject({ code: 'MSRP_ERR_INVALID_ARGUMENT' });
  });
});

describe('relay options', () => {
  it('refuses options that would serve no one, naming the option', () => {
    const credentials = new StaticCredentialStore(USERS);
    const bad: [Omit<ConstructorParameters<typeof Relay>[0], 'credentials'>, RegExp][] = [
      [
        { limits: { maxChunkSize: 0 } },
        /limit maxChunkSize must be a whole number of 1 or more, not 0/,
      ],
      [{ limits: { maxPendingTransactions: 1.5 } }, /maxPendingTransactions .* not 1\.5/],
      [{ limits: { frameTimeout: -1 } }, /frameTimeout must be milliseconds from 0 to /],
      [{ limits: { idleTimeout: 3e9 } }, /idleTimeout must be milliseconds from 0 to 2147483647/],
      [{ transactionTimeout: 0 }, /transactionTimeout must be milliseconds above 0/],
      [{ minExpires: 10, maxExpires: 5 }, /minExpires \(10\) is above maxExpires \(5\)/],
      [
        { defaultExpires: 30 },
        /defaultExpires \(30\) is outside minExpires to maxExpires \(60 to 3600\)/,
      ],
      [{ host: 'relay.example.net:2855' }, /option host must be a name or an IP address/],
      [{ host: '[::1]' }, /IPv6 without brackets\), not "\[::1\]"/],
    ];
    for (const [options, message] of bad) {
      expect(() => new Relay({ credentials, ...options })).toThrow(message);
    }
    // 0 turns the AUTH rate limits off, as documented.
    const relay = new Relay({ credentials, limits: { authFailureBurst: 0, frameTimeout: 0 } });
    void relay.close(0);
  });
});

describe('listeners', () => {
  it('none is opened once the relay closes, nor kept when it closes while binding', async () => {
    // Such a listener outlived the relay and kept its process running.
    const relay = new Relay({ credentials: new StaticCredentialStore(USERS) });
    const binding = relay.listen({ host: '127.0.0.1', port: 0 });
    const bindingWs = relay.listen({ host: '127.0.0.1', port: 0, transport: 'ws' });
    await relay.close(0);
    const closed = { code: 'MSRP_ERR_SESSION', message: 'Cannot listen: the relay is closed' };
    await expect(binding).rejects.toMatchObject(closed);
    await expect(bindingWs).rejects.toMatchObject(closed);
    await expect(relay.listen({ host: '127.0.0.1', port: 0 })).rejects.toMatchObject(closed);
    expect(relay.uris).toEqual([]);
  });

  it('serves msrps (TLS) clients', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 86_400_000),
    });
    const relay = new Relay({ credentials: new StaticCredentialStore(USERS) });
    onCleanup(() => relay.close(1000));
    const uri = await relay.listen({
      host: '127.0.0.1',
      port: 0,
      tls: { cert: pems.cert, key: pems.private },
    });
    expect(uri.scheme).toBe('msrps');
    const tls = { ca: pems.cert, servername: 'localhost' };
    const alice = await clientOf('alice', [uri], { tls });
    const bob = await clientOf('bob', [uri], { tls });
    expect(alice.usePath[0]!.scheme).toBe('msrps');
    const { a, b } = await sessionPair(alice, bob);
    await a.send('over TLS');
    expect((await next(b[Symbol.asyncIterator]())).text()).toBe('over TLS');
  });

  it('serves IPv6 clients', async () => {
    const relay = new Relay({ credentials: new StaticCredentialStore(USERS) });
    onCleanup(() => relay.close(1000));
    const uri = await relay.listen({ host: '::1', port: 0 });
    expect(uri.host).toBe('::1');
    const alice = await clientOf('alice', [uri], { host: '::1' });
    expect(alice.usePath[0]!.host).toBe('::1');
    const bob = await clientOf('bob', [uri], { host: '::1' });
    const { a, b } = await sessionPair(alice, bob);
    await a.send('over IPv6');
    expect((await next(b[Symbol.asyncIterator]())).text()).toBe('over IPv6');
  });

  it('hands an IPv4 client of a dual-stack listener an IPv4 relay URI, not a mapped IPv6 one', async () => {
    // As a [::] listener sees IPv4 clients (bound here to loopback only): its Use-Path was
    // msrp://[::ffff:127.0.0.1]:..., which an IPv4-only peer cannot reach.
    const relay = new Relay({ credentials: new StaticCredentialStore(USERS) });
    onCleanup(() => relay.close(1000));
    const { port } = await relay.listen({ host: '::ffff:127.0.0.1', port: 0 });
    const alice = await clientOf('alice', [parseUri(`msrp://127.0.0.1:${port};tcp`)]);
    expect(alice.usePath[0]!.host).toBe('127.0.0.1');
  });
});

/** The command from source on a free loopback port with `args`, killed after the test. */
function relayCommand(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): ChildProcessByStdio<null, Readable, Readable> {
  const child = spawn(
    tsx,
    [
      ...['--conditions=source', 'packages/msrp-relay/src/cli/msrp-relay.ts'],
      ...['--listen', 'msrp://127.0.0.1:0;tcp', ...args],
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  onCleanup(() => child.exitCode === null && child.kill('SIGKILL'));
  return child;
}

describe('msrp-relay command', () => {
  it('prints its URIs, relays, logs JSON, serves metrics and health, stops on SIGTERM', async () => {
    const dir = await tempDir('msrp-relay-');
    await writeFile(join(dir, 'users'), 'bob:bob-secret\n');
    const child = relayCommand(
      [
        ...['--user', 'alice:alice-secret', '--users', join(dir, 'users')],
        ...['--metrics', '127.0.0.1:0', '--log-level', 'debug'],
      ],
      { MSRP_RELAY_REALM: 'env-realm' },
    );
    const logs: Record<string, unknown>[] = [];
    createInterface({ input: child.stderr }).on('line', (line) =>
      logs.push(JSON.parse(line) as Record<string, unknown>),
    );
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const listening = (await lines.next()).value as string;
    const metricsLine = (await lines.next()).value as string;
    expect(listening).toMatch(/^listening msrp:\/\/127\.0\.0\.1:\d+;tcp$/);
    const uri: MsrpUri = parseUri(listening.slice('listening '.length));
    const metricsUrl = metricsLine.replace(/^metrics /, '');

    const alice = await clientOf('alice', [uri]);
    const bob = await clientOf('bob', [uri]);
    const { a, b } = await sessionPair(alice, bob);
    await a.send('via the command');
    expect((await next(b[Symbol.asyncIterator]())).text()).toBe('via the command');
    const wrong = endpoint({ relays: [{ uri, username: 'alice', password: 'nope' }] });
    await expect(wrong.authenticate()).rejects.toThrow(/refused the credentials/);

    const health = (await (await fetch(`${metricsUrl}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', sessions: 2 });
    const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/^msrp_relay_sessions 2$/m);
    expect(metrics).toMatch(/^msrp_relay_auth_failures_total\{reason="credentials"\} 1$/m);
    expect(metrics).toMatch(/^msrp_relay_forwarded_bytes_total \d+$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    // Level names and ISO times, what operators grep for (not pino's 30 and epoch ms).
    for (const l of logs) {
      expect(['debug', 'info', 'warn', 'error']).toContain(l.level);
      expect(l.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(typeof l.msg).toBe('string');
    }
    expect(logs.find((l) => l.msg === 'AUTH failed')?.level).toBe('warn');
    const messages = logs.map((l) => l.msg);
    expect(messages).toContain('AUTH succeeded');
    expect(messages).toContain('AUTH failed');
    expect(messages).toContain('shutting down');
    expect(messages.indexOf('stopped')).toBeGreaterThan(messages.indexOf('shutting down'));
    expect(logs.find((l) => l.msg === 'relay started')?.realm).toBe('env-realm');
  });

  it('serves on, and stops cleanly on SIGTERM, when what reads its stdout and stderr is gone', async () => {
    // Pipes whose reader went away (a journald restart, `| head`): the relay died on the
    // EPIPE of its stdout and then never exited (its queued logs retried forever), or hung
    // in its shutdown waiting for the logs to drain.
    const child = relayCommand(USERS.flatMap((u) => ['--user', `${u.username}:${u.password}`]));
    child.stdout.destroy();
    const logs = createInterface({ input: child.stderr })[Symbol.asyncIterator]();
    let started: { listen?: string[]; msg?: string } = {};
    while (started.msg !== 'relay started') {
      started = JSON.parse((await logs.next()).value as string) as typeof started;
    }
    child.stderr.destroy();
    const uri = parseUri(started.listen![0]!);
    // Each AUTH is logged: to a pipe no one reads any more.
    const alice = await clientOf('alice', [uri]);
    const bob = await clientOf('bob', [uri]);
    const { a, b } = await sessionPair(alice, bob);
    await a.send('logs or no logs');
    expect((await next(b[Symbol.asyncIterator]())).text()).toBe('logs or no logs');
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  });
});

describe('msrp-relay command line mistakes', () => {
  it('get one line on stderr and exit 2, never a stack trace; --version prints the version', async () => {
    const relay = (args: string[]) => runRelay(args);
    const mistakes = await Promise.all([
      relay(['--bogus']),
      relay(['--user', 'a:b', '--listen']),
      relay(['--user', 'a:b', '--max-chunk-size', '1M']),
      relay(['--user', 'a:b', '--listen', 'http://example.com']),
      relay(['--users', '/nonexistent/users.txt']),
      // It was exit 3, "cannot listen: error:0480006C:PEM routines::no start line".
      relay([
        ...['--user', 'a:b', '--listen', 'msrps://127.0.0.1:0;tcp'],
        ...['--tls-cert', 'package.json', '--tls-key', 'package.json'],
      ]),
    ]);
    for (const result of mistakes) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^msrp-relay: [^\n]+\n$/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(mistakes[5].stderr).toContain('--tls-cert package.json and --tls-key package.json: ');
    // A port taken after another listener bound: exit 3, and no "listening" line before it
    // for a script to take the relay as started.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const { port } = taken.address() as AddressInfo;
    const busy = await relay([
      ...['--user', 'a:b', '--listen', 'msrp://127.0.0.1:0;tcp'],
      ...['--listen', `msrp://127.0.0.1:${port};tcp`, '--log-level', 'silent'],
    ]);
    expect(busy).toMatchObject({ code: 3, stdout: '' });
    expect(busy.stderr).toMatch(/^msrp-relay: cannot listen: .*EADDRINUSE/);
    const { version } = JSON.parse(
      await readFile(join(root, 'packages/msrp-relay/package.json'), 'utf8'),
    ) as { version: string };
    expect(await relay(['--version'])).toEqual({
      code: 0,
      stdout: `msrp-relay ${version}\n`,
      stderr: '',
    });
  });

  it('quotes every URI with a ";" in --help', () => {
    const unquoted = HELP.split('\n')
      .filter((line) => !/^\s*listening /.test(line))
      .flatMap((line) => line.replace(/'[^']*'/g, '').match(/msrps?:\/\/\S*;\S*/g) ?? []);
    expect(unquoted).toEqual([]);
    expect(HELP).toContain('--version');
  });
});
