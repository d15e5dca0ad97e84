// SIGHUP rereads the TLS certificate and key (certificate renewal without a restart), and the
// command handles its signals from its first moment: the real bin, signalled as a supervisor does.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, parseUri, type MsrpUri } from '@msrp-ts/msrp-core';
import { Relay, StaticCredentialStore } from '../packages/msrp-relay/src/index.js';
import {
  clientOf,
  eventually,
  next,
  onCleanup,
  rawAuth,
  rawClient,
  sessionPair,
  USERS,
} from '../packages/msrp-relay/test/helpers.js';
import { ROOT, start, type Started } from './helpers/deploy.js';

const BIN = join(ROOT, 'packages/msrp-relay/bin/msrp-relay.js');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-reload-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Pems {
  cert: string;
  private: string;
}
const certificate = (): Promise<Pems> =>
  generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 86_400_000),
  });
const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;

/** A TLS connection to `port`, with the certificate it was served. */
async function tlsTo(port: number): Promise<{ socket: TLSSocket; fingerprint: string }> {
  const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  onCleanup(() => socket.destroy());
  await once(socket, 'secureConnect');
  return { socket, fingerprint: socket.getPeerX509Certificate()!.fingerprint256 };
}

/** How many log lines with message `msg` the relay wrote. */
const count = (relay: Started, msg: string): number =>
  relay.stderr().split(`"msg":"${msg}"`).length - 1;

/** Sends SIGHUP and waits for the relay's "reloaded" line; returns that line. */
async function sighup(relay: Started): Promise<string> {
  const before = count(relay, 'reloaded');
  relay.child.kill('SIGHUP');
  await eventually(() => count(relay, 'reloaded') > before, 10_000, 'reloaded');
  return relay
    .stderr()
    .split('\n')
    .filter((l) => l.includes('"msg":"reloaded"'))
    .at(-1)!;
}

describe('SIGHUP reloads the TLS certificate', () => {
  it('new handshakes get the new certificate, connections up keep working, a bad file keeps the old', async () => {
    const [a, b] = [await certificate(), await certificate()];
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    await writeFile(cert, a.cert);
    await writeFile(key, a.private);
    const users = USERS.flatMap((u) => ['--user', `${u.username}:${u.password}`]);
    const relay = start(
      process.execPath,
      [BIN, '--listen', 'msrps://127.0.0.1:0;tcp', '--listen', 'msrps://127.0.0.1:0;ws'].concat(
        ['--tls-cert', cert, '--tls-key', key],
        users,
      ),
      { cwd: dir },
      onCleanup,
    );
    const uri: MsrpUri = parseUri((await relay.line()).replace(/^listening /, ''));
    const wss = parseUri((await relay.line()).replace(/^listening /, ''));
    expect([uri.scheme, wss.scheme, wss.transport]).toEqual(['msrps', 'msrps', 'ws']);

    // Alice and bob in a session over TLS with A; an old connection to the wss listener.
    const withA = { tls: { ca: a.cert, servername: 'localhost' } };
    const alice = await clientOf('alice', [uri], withA);
    const bob = await clientOf('bob', [uri], withA);
    const pair = await sessionPair(alice, bob);
    const oldWss = await tlsTo(wss.port!);
    expect(oldWss.fingerprint).toBe(fingerprint(a.cert));
    expect((await tlsTo(uri.port!)).fingerprint).toBe(fingerprint(a.cert));

    await writeFile(cert, b.cert);
    await writeFile(key, b.private);
    expect(await sighup(relay)).toContain('"reloaded":["tls"]');
    expect(relay.stderr()).toContain('"listeners":2');
    // New handshakes, on both listeners, get B; a client trusting only B gets in.
    expect((await tlsTo(uri.port!)).fingerprint).toBe(fingerprint(b.cert));
    expect((await tlsTo(wss.port!)).fingerprint).toBe(fingerprint(b.cert));
    const carol = await clientOf('alice', [uri], { tls: { ca: b.cert, servername: 'localhost' } });
    expect(carol.usePath[0]!.scheme).toBe('msrps');
    // The session made with A goes on, both ways; the old wss connection still answers.
    await pair.a.send('after the reload');
    expect((await next(pair.b[Symbol.asyncIterator]())).text()).toBe('after the reload');
    await pair.b.send('still here');
    expect((await next(pair.a[Symbol.asyncIterator]())).text()).toBe('still here');
    oldWss.socket.write('GET / HTTP/1.1\r\nHost: relay\r\n\r\n');
    const [answer] = (await once(oldWss.socket, 'data')) as [Buffer];
    expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 426/);

    // A certificate that does not parse: logged, B stays, the relay runs on.
    await writeFile(cert, '-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n');
    expect(await sighup(relay)).toContain('"failed":["tls"]');
    expect(count(relay, 'TLS certificate not reloaded, old one kept')).toBe(1);
    expect(relay.stderr()).toMatch(/"level":"error".*"msg":"TLS certificate not reloaded/);
    expect((await tlsTo(uri.port!)).fingerprint).toBe(fingerprint(b.cert));
    // A's certificate with B's key (a renewal half written): refused as a whole, B stays.
    await writeFile(cert, a.cert);
    expect(await sighup(relay)).toContain('"failed":["tls"]');
    expect((await tlsTo(uri.port!)).fingerprint).toBe(fingerprint(b.cert));
    expect((await tlsTo(wss.port!)).fingerprint).toBe(fingerprint(b.cert));
    // A missing file likewise.
    await rm(key);
    expect(await sighup(relay)).toContain('"failed":["tls"]');
    expect(count(relay, 'TLS certificate not reloaded, old one kept')).toBe(3);
    expect((await tlsTo(uri.port!)).fingerprint).toBe(fingerprint(b.cert));

    relay.child.kill('SIGTERM');
    expect(await relay.exited, relay.stderr()).toBe(0);
  }, 60_000);

  it('Relay.setTls: all listeners or none, and the count of listeners updated', async () => {
    const [a, b] = [await certificate(), await certificate()];
    const relay = new Relay({ credentials: new StaticCredentialStore(USERS) });
    onCleanup(() => relay.close(1000));
    expect(relay.setTls({ cert: b.cert, key: b.private })).toBe(0);
    await relay.listen({ host: '127.0.0.1', port: 0 });
    const tls = { cert: a.cert, key: a.private };
    const uri = await relay.listen({ host: '127.0.0.1', port: 0, tls });
    expect(relay.setTls({ cert: b.cert, key: b.private })).toBe(1);
    expect((await tlsTo(uri.port!)).fingerprint).toBe(fingerprint(b.cert));
    expect(() => relay.setTls({ cert: a.cert, key: b.private })).toThrow();
    expect((await tlsTo(uri.port!)).fingerprint).toBe(fingerprint(b.cert));
  });
});

/**
 * The bin with its configuration read from a FIFO: once the test holds the FIFO open for
 * writing, the relay is reading its configuration (it has not listened yet); it goes on when
 * the test writes the configuration and closes.
 */
async function startedOnFifo(): Promise<{
  relay: Started;
  configure: (config: object) => Promise<void>;
}> {
  const fifo = join(dir, `config-${Date.now()}-${Math.random()}.json`);
  await promisify(execFile)('mkfifo', [fifo]);
  const relay = start(process.execPath, [BIN, '--config', fifo], { cwd: dir }, onCleanup);
  const writer = await open(fifo, 'w');
  return {
    relay,
    configure: async (config) => {
      await writer.writeFile(JSON.stringify(config));
      await writer.close();
    },
  };
}

describe('signals from the first moment', () => {
  const config = { listen: ['msrp://127.0.0.1:0;tcp'], user: ['a:b'] };

  it('a SIGTERM while starting (before listening): exit 0 at once, nothing listened', async () => {
    const { relay, configure } = await startedOnFifo();
    relay.child.kill('SIGTERM');
    await configure(config);
    expect(await relay.exited, `${relay.child.signalCode} ${relay.stderr()}`).toBe(0);
    expect(relay.stderr()).toContain('SIGTERM while starting');
    await expect(relay.line()).rejects.toThrow(/ended/);
  });

  it('a SIGHUP while starting: the relay starts, then reloads once', async () => {
    const users = join(dir, 'users');
    await writeFile(users, 'alice:alice-secret\n');
    const { relay, configure } = await startedOnFifo();
    relay.child.kill('SIGHUP');
    await configure({ ...config, users });
    expect(await relay.line()).toMatch(/^listening msrp:/);
    await eventually(() => count(relay, 'reloaded') === 1, 10_000, 'reloaded');
    const log = relay.stderr();
    expect(log.indexOf('"msg":"relay started"')).toBeGreaterThan(-1);
    expect(log.indexOf('"msg":"reloaded"')).toBeGreaterThan(log.indexOf('"msg":"relay started"'));
    expect(log).toContain('"reloaded":["users"]');
    relay.child.kill('SIGTERM');
    expect(await relay.exited, relay.stderr()).toBe(0);
    expect(count(relay, 'reloaded')).toBe(1);
  });

  it('a second SIGTERM during the drain exits at once with 130', async () => {
    const relay = start(
      process.execPath,
      [BIN, '--listen', 'msrp://127.0.0.1:0;tcp', '--user', 'alice:alice-secret'],
      { cwd: dir },
      onCleanup,
    );
    const uri = parseUri((await relay.line()).replace(/^listening /, ''));
    // Alice authenticated, half a chunk to herself in flight: the drain would wait for it.
    const alice = await rawClient(uri.port!);
    const auth = await rawAuth(alice, uri, 'alice');
    expect(auth.statusCode).toBe(200);
    const body = Buffer.alloc(64 * 1024, 'x');
    const head = alice.requestHead({ toPath: [auth.usePath![0]!, alice.uri], body });
    const frame = Buffer.concat(encodeFrame(head, body, '$'));
    alice.write(frame.subarray(0, frame.length >> 1));
    relay.child.kill('SIGTERM');
    await eventually(() => relay.stderr().includes('"msg":"shutting down"'), 10_000, 'drain');
    const second = Date.now();
    relay.child.kill('SIGTERM');
    expect(await relay.exited, relay.stderr()).toBe(130);
    expect(Date.now() - second).toBeLessThan(5000);
    expect(relay.stderr()).not.toContain('"msg":"stopped"');
  });
});
