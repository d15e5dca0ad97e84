// The relay's WebSocket listener (RFC 7977): WebSocket clients authenticate and talk to TCP
// clients and to each other; the handshake checks subprotocol and Origin; messages are bounded.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  formatUri,
  parseUri,
  type Endpoint,
  type IncomingMessage,
  type MsrpUri,
} from '@msrp-ts/msrp-core';
import { resolveConfig, UsageError } from '../src/cli/config.js';
import { webOrigin } from '../src/ws-listener.js';
import {
  createRelayMetrics,
  Relay,
  StaticCredentialStore,
  type RelayLimits,
} from '../src/index.js';
import { USERS, clientOf, eventually, next, onCleanup, startRelay } from './helpers.js';
import { runRelay } from './relay-command.js';

/** A relay listening on TCP and on WebSocket, both on 127.0.0.1 port 0. */
async function wsRelay(limits: RelayLimits = {}, origins?: string[]) {
  const { relay, uri: tcp } = await startRelay({ limits });
  const ws = await relay.listen({
    host: '127.0.0.1',
    port: 0,
    transport: 'ws',
    ...(origins && { webSocket: { origins } }),
  });
  return { relay, tcp, ws };
}

async function readAll(message: IncomingMessage): Promise<Buffer> {
  if (!message.stream) return Buffer.from(message.body ?? new Uint8Array(0));
  const pieces: Uint8Array[] = [];
  for await (const piece of message.stream) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** Chats both ways between `a` and `b`, then sends 2 MiB in 8 KiB chunks each way. */
async function chat(a: Endpoint, b: Endpoint): Promise<void> {
  const bSession = b.createSession({ chunkSize: 8 * 1024 });
  const aSession = a.createSession({ chunkSize: 8 * 1024 });
  bSession.accept(aSession.localPath);
  await aSession.connect(bSession.localPath);
  const aInbox = aSession[Symbol.asyncIterator]();
  const bInbox = bSession[Symbol.asyncIterator]();
  await aSession.send('hello');
  expect((await next(bInbox)).text()).toBe('hello');
  await bSession.send('hi');
  expect((await next(aInbox)).text()).toBe('hi');
  const content = Buffer.alloc(2 * 1024 * 1024);
  for (let i = 0; i < content.length; i++) content[i] = (i * 31 + 7) & 0xff;
  for (const [from, inbox] of [
    [aSession, bInbox],
    [bSession, aInbox],
  ] as const) {
    const sent = from.send(content, { contentType: 'application/octet-stream' });
    const got = await next(inbox);
    expect(Buffer.compare(await readAll(got), content)).toBe(0);
    expect((await sent).bytes).toBe(content.length);
  }
}

/** The status of a refused handshake, or `open`. */
async function handshake(url: string, protocols: string[], origin?: string): Promise<number> {
  const socket = new WebSocket(url, protocols, origin === undefined ? {} : { origin });
  onCleanup(() => socket.terminate());
  return new Promise((resolve, reject) => {
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('open', () => resolve(101));
    socket.on('error', reject);
  });
}

const urlOf = (uri: MsrpUri): string => `ws://${uri.host}:${uri.port}/`;

describe('relay WebSocket listener (RFC 7977)', () => {
  it('listens on ws with its real port; AUTH with digest over the WebSocket; Use-Path carries ws', async () => {
    const { relay, ws } = await wsRelay();
    expect(formatUri(ws)).toMatch(/^msrp:\/\/127\.0\.0\.1:\d+;ws$/);
    expect(ws.port).not.toBe(0);
    expect(relay.uris.map(formatUri)).toContain(formatUri(ws));
    const alice = await clientOf('alice', [ws]);
    const relayUri = alice.usePath[0]!;
    expect(relayUri.transport).toBe('ws');
    expect(relayUri.port).toBe(ws.port);
    expect(relay.stats.authSuccesses).toBe(1);
    expect(relay.stats.connectionsByTransport.get('ws')).toBe(1);
  });

  it('forwards between a WebSocket client and a TCP client: chat and 2 MiB in 8 KiB chunks, both ways', async () => {
    const { relay, tcp, ws } = await wsRelay();
    const alice = await clientOf('alice', [ws]);
    const bob = await clientOf('bob', [tcp]);
    // RFC 7977 §8: a WebSocket client's own URI is an .invalid one with transport ws.
    const own = alice.createSession().localUri;
    expect(own.host).toMatch(/\.invalid$/);
    expect(formatUri(own)).toMatch(/^msrp:\/\/[^/]+\.invalid:2855\/[^;]+;ws$/);
    expect(bob.createSession().localUri.transport).toBe('tcp');
    await chat(alice, bob);
    expect(relay.stats.connectionsByTransport.get('ws')).toBe(1);
    expect(relay.stats.connectionsByTransport.get('tcp')).toBe(1);
    expect(relay.stats.errors.size).toBe(0);
  });

  it('forwards between two WebSocket clients', async () => {
    const { relay, ws } = await wsRelay();
    const alice = await clientOf('alice', [ws]);
    const bob = await clientOf('bob', [ws]);
    await chat(alice, bob);
    expect(relay.stats.connectionsByTransport.get('ws')).toBe(2);
    expect(relay.stats.errors.size).toBe(0);
  });

  it('refuses a handshake without the msrp subprotocol (§4.1)', async () => {
    const { relay, ws } = await wsRelay();
    expect(await handshake(urlOf(ws), ['chat'])).toBe(400);
    expect(await handshake(urlOf(ws), [])).toBe(400);
    expect(await handshake(`ws://127.0.0.1:${ws.port}/other`, ['msrp'])).toBe(404);
    expect(await handshake(urlOf(ws), ['chat', 'msrp'])).toBe(101);
    expect(relay.stats.connectionsByTransport.get('ws')).toBe(1);
  });

  it('refuses an Origin not on the allow-list with 403', async () => {
    const { ws } = await wsRelay({}, ['https://chat.example.net']);
    expect(await handshake(urlOf(ws), ['msrp'], 'https://evil.example.com')).toBe(403);
    expect(await handshake(urlOf(ws), ['msrp'], 'https://chat.example.net')).toBe(101);
    // Not a browser: nothing to check.
    expect(await handshake(urlOf(ws), ['msrp'])).toBe(101);
  });

  it('compares origins as origins: case, a default port or a trailing / make no difference', async () => {
    // An allow-list entry written https://Chat.example.net/ matched no browser: all got 403.
    const { ws } = await wsRelay({}, ['https://Chat.example.net/', 'http://dev.example:8080']);
    expect(await handshake(urlOf(ws), ['msrp'], 'https://chat.example.net')).toBe(101);
    expect(await handshake(urlOf(ws), ['msrp'], 'https://chat.example.net:443')).toBe(101);
    expect(await handshake(urlOf(ws), ['msrp'], 'http://dev.example:8080')).toBe(101);
    expect(await handshake(urlOf(ws), ['msrp'], 'http://dev.example')).toBe(403);
    expect(await handshake(urlOf(ws), ['msrp'], 'http://chat.example.net')).toBe(403);
    expect(webOrigin('chat.example.net')).toBeUndefined();
    expect(webOrigin('file:///tmp/x.html')).toBeUndefined();
  });

  it('closes a connection sending an oversize message with 1009; other sessions go on', async () => {
    const { relay, tcp, ws } = await wsRelay({ maxWebSocketMessage: 64 * 1024 });
    const alice = await clientOf('alice', [ws]);
    const bob = await clientOf('bob', [tcp]);
    const bad = new WebSocket(urlOf(ws), ['msrp']);
    onCleanup(() => bad.terminate());
    await once(bad, 'open');
    await eventually(() => relay.connectionCount === 3, 5000, 'the bad connection');
    const closed = once(bad, 'close');
    bad.send(Buffer.alloc(100 * 1024, 0x41));
    const [code] = (await closed) as [number];
    expect(code).toBe(1009);
    await eventually(() => relay.connectionCount === 2, 5000, 'the bad connection to go');
    const bSession = bob.createSession();
    const aSession = alice.createSession();
    bSession.accept(aSession.localPath);
    await aSession.connect(bSession.localPath);
    await aSession.send('still here');
    expect((await next(bSession[Symbol.asyncIterator]())).text()).toBe('still here');
  });
});

describe('relay WebSocket listener with other relays and TLS', () => {
  it('a relay dials the next relay over ws: AUTH through A (TCP) to B (ws), then chat', async () => {
    const a = await wsRelay();
    const b = await wsRelay();
    const alice = await clientOf('alice', [a.tcp, b.ws]);
    expect(alice.usePath.map((u) => [u.port, u.transport])).toEqual([
      [a.tcp.port, 'tcp'],
      [b.ws.port, 'ws'],
    ]);
    const bob = await clientOf('bob', [b.ws]);
    await chat(alice, bob);
    expect(a.relay.stats.connectionsByTransport.get('ws')).toBe(1);
    expect(b.relay.stats.connectionsByTransport.get('ws')).toBe(2);
  });

  it('serves wss with the msrps certificate; Use-Path is msrps ;ws', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 86_400_000),
    });
    const relay = new Relay({ credentials: new StaticCredentialStore(USERS) });
    onCleanup(() => relay.close(1000));
    const tls = { cert: pems.cert, key: pems.private };
    const wss = await relay.listen({ host: '127.0.0.1', port: 0, transport: 'ws', tls });
    expect(formatUri(wss)).toMatch(/^msrps:\/\/127\.0\.0\.1:\d+;ws$/);
    const tcp = await relay.listen({ host: '127.0.0.1', port: 0 });
    const clientTls = { tls: { ca: pems.cert, servername: 'localhost' } };
    const alice = await clientOf('alice', [wss], clientTls);
    expect(alice.usePath[0]!.scheme).toBe('msrps');
    expect(alice.usePath[0]!.transport).toBe('ws');
    // Over wss the client's own URI is msrps, ;ws (RFC 7977 §8).
    expect(formatUri(alice.createSession().localUri)).toMatch(
      /^msrps:\/\/[^/]+\.invalid:2855\/[^;]+;ws$/,
    );
    const bob = await clientOf('bob', [tcp]);
    await chat(alice, bob);
    expect(relay.stats.connectionsByTransport.get('wss')).toBe(1);
  });

  it("metrics and logs name each connection's transport", async () => {
    const logged: Record<string, unknown>[] = [];
    const keep = (fields: Record<string, unknown>, message: string): void => {
      logged.push({ ...fields, message });
    };
    const logger = { debug: keep, info: keep, warn: keep, error: keep };
    const { relay, uri: tcp } = await startRelay({ logger });
    const ws = await relay.listen({ host: '127.0.0.1', port: 0, transport: 'ws' });
    await clientOf('alice', [ws]);
    await clientOf('bob', [tcp]);
    const accepted = logged.filter((l) => l.message === 'connection accepted');
    expect(accepted.map((l) => l.transport).sort()).toEqual(['tcp', 'ws']);
    const text = await createRelayMetrics(relay, { processMetrics: false }).metrics();
    expect(text).toMatch(/msrp_relay_connections_opened_total\{transport="ws"\} 1/);
    expect(text).toMatch(/msrp_relay_connections_opened_total\{transport="tcp"\} 1/);
  });
});

describe('msrp-relay WebSocket configuration', () => {
  const noFile = (): string => {
    throw new Error('no file');
  };

  it('takes --ws-path, --ws-origin, --max-ws-message, --max-ws-chunk from flags, environment and config file', () => {
    const file = JSON.stringify({ 'ws-path': '/file', 'ws-origin': ['https://a.example'] });
    const config = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      resolveConfig(['--user', 'a:b', ...args], env, () => file)!;
    const fromFile = config(['--config', 'relay.json', '--listen', 'msrp://127.0.0.1:0;ws']);
    expect(fromFile.wsPath).toBe('/file');
    expect(fromFile.wsOrigins).toEqual(['https://a.example']);
    expect(fromFile.listen[0]!.transport).toBe('ws');
    const fromEnv = config(['--config', 'relay.json'], {
      MSRP_RELAY_WS_PATH: '/env',
      MSRP_RELAY_WS_ORIGIN: 'https://b.example,https://c.example',
      MSRP_RELAY_MAX_WS_MESSAGE: '1000',
    });
    expect(fromEnv.wsPath).toBe('/env');
    expect(fromEnv.wsOrigins).toEqual(['https://b.example', 'https://c.example']);
    expect(fromEnv.limits.maxWebSocketMessage).toBe(1000);
    expect(config(['--max-ws-chunk', '32768']).limits.maxWebSocketChunk).toBe(32768);
    expect(config([], { MSRP_RELAY_MAX_WS_CHUNK: '4096' }).limits.maxWebSocketChunk).toBe(4096);
    const fromFlags = config(
      ['--ws-origin', 'https://d.example', '--ws-origin', 'https://e.example'],
      {
        MSRP_RELAY_WS_ORIGIN: 'https://b.example',
      },
    );
    expect(fromFlags.wsOrigins).toEqual(['https://d.example', 'https://e.example']);
    expect(config([]).wsOrigins).toBeUndefined();
    expect(config([]).wsPath).toBeUndefined();
    for (const path of ['/', '/msrp/ws', '/caf%C3%A9', '/a//b', '/~x;y=1'])
      expect(config(['--ws-path', path]).wsPath).toBe(path);
  });

  it('refuses a ws path no request can have and a transport other than tcp or ws', async () => {
    const bad: [string[], RegExp][] = [
      [['--ws-path', 'msrp'], /--ws-path must start with \//],
      // Every handshake got 404: the request's path never is one of these.
      ...['/ws?x', '/ws#x', '/w s', '/ws\tx', '/a/../ws', '/ws\\x', '/café', '//ws', '//'].map(
        (path): [string[], RegExp] => [['--ws-path', path], /--ws-path must be a path as a URL/],
      ),
      [['--ws-origin', 'chat.example.net'], /--ws-origin must be an origin like https:/],
      [['--listen', 'msrp://127.0.0.1:0;sctp'], /transport must be tcp or ws/],
      [['--listen', 'msrps://127.0.0.1:0;ws'], /msrps listener needs/],
    ];
    for (const [args, message] of bad) {
      const run = () => resolveConfig(['--user', 'a:b', ...args], {}, noFile);
      expect(run).toThrow(UsageError);
      expect(run).toThrow(message);
    }
    const relay = await runRelay([
      '--user',
      'a:b',
      '--listen',
      'msrp://127.0.0.1:0;ws',
      '--ws-path',
      '/ws?x',
    ]);
    expect(relay.code, relay.stderr).toBe(2);
    expect(relay.stderr).toMatch(/^msrp-relay: --ws-path [^\n]+\n$/);
  });
});

describe('msrp-relay --listen ;ws', () => {
  it('prints the ws URI with its real port, and serves WebSocket clients there', async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const child = spawn(
      join(root, 'node_modules/.bin/tsx'),
      [
        '--conditions=source',
        'packages/msrp-relay/src/cli/msrp-relay.ts',
        '--listen',
        'msrp://127.0.0.1:0;ws',
        '--ws-path',
        '/msrp',
        '--user',
        'alice:alice-secret',
        '--log-level',
        'silent',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    onCleanup(() => child.kill('SIGKILL'));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = (await lines.next()).value as string;
    const m = /^listening (msrp:\/\/127\.0\.0\.1:(\d+);ws)$/.exec(first);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThan(0);
    const uri = parseUri(m![1]!);
    expect(await handshake(`ws://127.0.0.1:${uri.port}/`, ['msrp'])).toBe(404);
    expect(await handshake(`ws://127.0.0.1:${uri.port}/msrp`, ['msrp'])).toBe(101);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  });
});
