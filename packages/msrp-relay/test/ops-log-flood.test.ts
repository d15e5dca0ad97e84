// A peer reconnecting in a loop (a client past --max-connections-per-address, a scanner
// speaking plain TCP to msrps) wrote one warning per attempt: thousands of lines a second in
// the journal, drowning everything else. They are rate-limited as failed AUTHs are (20, then
// 60 a minute), and the lines left out are counted, never lost.
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatUri } from '@msrp-ts/msrp-core';
import { answerChallenge } from '@msrp-ts/msrp-core/internal';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authRequest, eventually, rawClient, transact } from './helpers.js';
import { runningRelay, type RunningRelay } from './ops-relay.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ops-log-flood-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const ATTEMPTS = 200;
/** The relay's budget: 20 lines at once, then one a second. */
const BURST = 20;

/** Opens a connection to `port`, writes `bytes`, and waits for the relay to close it. */
async function attempt(port: number, bytes: string): Promise<void> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.write(bytes));
  socket.resume();
  await once(socket, 'close');
}

/** Every line of message `msg`, parsed. */
function lines(relay: RunningRelay, msg: string): Record<string, unknown>[] {
  return relay
    .stderr()
    .split('\n')
    .slice(0, -1) // a line still coming
    .filter((l) => l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Waits until the lines of `msg` and the counts they and the summaries give (`unlogged`,
 * `suppressed`) add up to `total`. Returns how many lines of `msg` were written.
 */
async function accounted(relay: RunningRelay, msg: string, total: number): Promise<number> {
  const told = (): number => {
    const written = lines(relay, msg);
    const summaries = lines(relay, 'log lines suppressed').filter((l) => l.lines === msg);
    const unlogged = written.reduce((n, l) => n + ((l.unlogged as number | undefined) ?? 0), 0);
    const suppressed = summaries.reduce((n, l) => n + (l.suppressed as number), 0);
    return written.length + unlogged + suppressed;
  };
  // The summary of what was dropped comes once the budget has room (a second), or at exit.
  await eventually(() => told() >= total, 15_000, `${total} "${msg}" told`);
  expect(told()).toBe(total);
  return lines(relay, msg).length;
}

/** A self-signed certificate and its key, written to files: their paths. */
async function certificate(): Promise<[cert: string, key: string]> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 86_400_000),
  });
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  await Promise.all([writeFile(cert, pems.cert), writeFile(key, pems.private)]);
  return [cert, key];
}

describe('warnings a peer can cause at will', () => {
  it('connections refused in a loop: a bounded number of lines, the rest counted', async () => {
    const relay = await runningRelay([
      ...['--listen', 'msrp://127.0.0.1:0;tcp', '--user', 'alice:a'],
      ...['--max-connections-per-address', '1'],
    ]);
    const port = relay.uris[0]!.port!;
    const holder = connect({ host: '127.0.0.1', port });
    holder.on('error', () => undefined);
    await once(holder, 'connect');
    const started = Date.now();
    // The first refusal says the holder's connection is counted: then the loop.
    await attempt(port, '');
    await relay.logged('connection refused: limit reached', 1);
    for (let sent = 1; sent < ATTEMPTS; sent += 20)
      await Promise.all(
        Array.from({ length: Math.min(20, ATTEMPTS - sent) }, () => attempt(port, '')),
      );
    const written = await accounted(relay, 'connection refused: limit reached', ATTEMPTS);
    // One more line a second of the test, after the burst.
    const seconds = Math.ceil((Date.now() - started) / 1000);
    expect(written).toBeGreaterThanOrEqual(BURST);
    expect(written).toBeLessThanOrEqual(BURST + seconds);
    expect(lines(relay, 'log lines suppressed')[0]).toMatchObject({
      level: 'warn',
      lines: 'connection refused: limit reached',
    });
    holder.destroy();
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  }, 30_000);

  it('TLS handshakes failed in a loop: the same, what is left told by shutdown at the latest', async () => {
    const [cert, key] = await certificate();
    const relay = await runningRelay([
      ...['--listen', 'msrps://127.0.0.1:0;tcp', '--user', 'alice:a'],
      ...['--tls-cert', cert, '--tls-key', key],
    ]);
    const port = relay.uris[0]!.port!;
    // Plain text to a TLS listener: every handshake fails.
    for (let i = 0; i < ATTEMPTS; i += 20)
      await Promise.all(Array.from({ length: 20 }, () => attempt(port, 'GET / HTTP/1.1\r\n\r\n')));
    await eventually(() => lines(relay, 'TLS handshake failed').length >= BURST);
    // Stopped before a summary is due, the relay writes it as it closes.
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    if (!relay.child.stderr!.readableEnded) await once(relay.child.stderr!, 'end');
    const written = await accounted(relay, 'TLS handshake failed', ATTEMPTS);
    expect(written).toBeLessThan(ATTEMPTS / 2);
    expect(lines(relay, 'TLS handshake failed')[0]).toMatchObject({ level: 'warn' });
  }, 30_000);

  // A wss listener dropped a failed handshake without a word: an operator whose browsers
  // could not connect (a certificate they refuse, http:// to the wss port) saw nothing.
  it('TLS handshakes failed on a wss listener: logged as on msrps', async () => {
    const [cert, key] = await certificate();
    const relay = await runningRelay([
      ...['--listen', 'msrps://127.0.0.1:0;ws', '--user', 'alice:a'],
      ...['--tls-cert', cert, '--tls-key', key],
    ]);
    const port = relay.uris[0]!.port!;
    const client = connect({ host: '127.0.0.1', port });
    client.on('error', () => undefined);
    await once(client, 'connect');
    const remote = `127.0.0.1:${client.localPort}`;
    client.write('GET / HTTP/1.1\r\nHost: relay\r\n\r\n');
    client.resume();
    await once(client, 'close');
    const line = JSON.parse(await relay.logged('TLS handshake failed', 1)) as Record<
      string,
      unknown
    >;
    expect(line).toMatchObject({ level: 'warn', remote });
    expect(line.error).toMatch(/\w/);
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  }, 30_000);

  // Failed AUTHs had their budget first, but what it left out was told only by the next line
  // written: when a guesser stopped, the count of its last guesses never reached the log.
  it('AUTHs failed in a loop: what is left out told a second later', async () => {
    const relay = await runningRelay([
      ...['--listen', 'msrp://127.0.0.1:0;tcp', '--user', 'alice:a'],
      // Every guess gets a new challenge: the rate limits, off, refuse none.
      ...['--max-auth-attempts', '10000', '--auth-fail-burst', '0', '--auth-user-fail-burst', '0'],
    ]);
    const uri = relay.uris[0]!;
    const guesser = await rawClient(uri.port!);
    let challenge = await transact(guesser, authRequest(guesser, uri));
    const started = Date.now();
    for (let i = 0; i < ATTEMPTS; i++) {
      const credentials = { username: 'alice', password: `guess-${i}` };
      const authorization = answerChallenge(
        challenge.wwwAuthenticate!,
        credentials,
        formatUri(uri),
      );
      challenge = await transact(guesser, authRequest(guesser, uri, { authorization }));
      expect(challenge.statusCode).toBe(401);
    }
    const written = await accounted(relay, 'AUTH failed', ATTEMPTS);
    const seconds = Math.ceil((Date.now() - started) / 1000);
    expect(written).toBeGreaterThanOrEqual(BURST);
    expect(written).toBeLessThanOrEqual(BURST + seconds);
    expect(lines(relay, 'log lines suppressed')[0]).toMatchObject({
      level: 'warn',
      lines: 'AUTH failed',
    });
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  }, 30_000);

  it('AUTHs refused by the rate limit in a loop: what is left told by shutdown at the latest', async () => {
    const relay = await runningRelay([
      ...['--listen', 'msrp://127.0.0.1:0;tcp', '--user', 'alice:a'],
      ...['--auth-fail-burst', '1', '--auth-fail-rate', '1'],
    ]);
    const uri = relay.uris[0]!;
    // One wrong password empties the address's bucket: its AUTHs are refused from then on.
    const first = await rawClient(uri.port!);
    const challenge = await transact(first, authRequest(first, uri));
    const credentials = { username: 'alice', password: 'wrong' };
    const authorization = answerChallenge(challenge.wwwAuthenticate!, credentials, formatUri(uri));
    const answer = await transact(first, authRequest(first, uri, { authorization }));
    expect(answer.statusCode).toBe(403);
    const refusedOnce = async (): Promise<void> => {
      const peer = await rawClient(uri.port!);
      expect((await transact(peer, authRequest(peer, uri))).statusCode).toBe(403);
      await peer.closed;
    };
    for (let sent = 1; sent < ATTEMPTS; sent += 20)
      await Promise.all(Array.from({ length: Math.min(20, ATTEMPTS - sent) }, refusedOnce));
    const message = 'AUTH refused: too many failures';
    // Each refusal was logged (or counted) before its 403 went out. Stopped before a summary
    // is due, the relay writes it as it closes.
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    if (!relay.child.stderr!.readableEnded) await once(relay.child.stderr!, 'end');
    const written = await accounted(relay, message, ATTEMPTS);
    expect(written).toBeLessThan(ATTEMPTS / 2);
  }, 30_000);
});
