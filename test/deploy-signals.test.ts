// SIGTERM drains and SIGHUP reloads, with the relay started as the systemd unit starts it
// (its ExecStart, with this machine's node and the workspace's bin) and signalled as the unit
// signals it: ExecReload's own command for the reload, KillSignal for the stop, which must
// end well within TimeoutStopSec. The test process is the supervisor, signalling the main
// PID the way systemd, Docker (STOPSIGNAL to PID 1) or any process supervisor does.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, parseUri, type MsrpUri } from '@msrp-ts/msrp-core';
import {
  clientOf,
  endpoint,
  eventually,
  next,
  onCleanup,
  rawAuth,
  rawClient,
  sessionPair,
  USERS,
} from '../packages/msrp-relay/test/helpers.js';
import {
  localExecStart,
  readUnit,
  seconds,
  serviceSetting,
  start,
  type Started,
} from './helpers/deploy.js';

const unit = readUnit();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-signals-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const usersLine = (name: string, password: string): string => `${name}:${password}\n`;

/** The relay as the unit runs it, with /etc/msrp-relay/relay.json in `dir`. */
async function startUnit(): Promise<{
  relay: Started;
  uri: MsrpUri;
  metrics: string;
  users: string;
}> {
  const users = join(dir, 'users');
  await writeFile(users, USERS.map((u) => usersLine(u.username, u.password)).join(''));
  const config = join(dir, 'relay.json');
  await writeFile(
    config,
    JSON.stringify({ listen: ['msrp://127.0.0.1:0;tcp'], users, metrics: '127.0.0.1:0' }),
  );
  const [node, ...args] = localExecStart(unit, config);
  const relay = start(node!, args, { cwd: dir }, onCleanup);
  const uri = parseUri((await relay.line()).replace(/^listening /, ''));
  const metrics = (await relay.line()).replace(/^metrics /, '');
  return { relay, uri, metrics, users };
}

/** Whether a TCP connection to `port` on loopback is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

describe('the relay under its systemd unit (or any supervisor)', () => {
  it('ExecReload (SIGHUP) rereads the users file; sessions already up keep working', async () => {
    const { relay, uri, users } = await startUnit();
    const alice = await clientOf('alice', [uri]);
    const bob = await clientOf('bob', [uri]);
    const { a, b } = await sessionPair(alice, bob);
    const carol = (): Promise<unknown> =>
      endpoint({ relays: [{ uri, username: 'carol', password: 'carol-secret' }] }).authenticate();
    await expect(carol()).rejects.toThrow(/refused the credentials/);

    // Bob leaves the file, carol joins it.
    await writeFile(users, usersLine('alice', 'alice-secret') + usersLine('carol', 'carol-secret'));
    const reload = serviceSetting(unit, 'ExecReload')!.replace('$MAINPID', String(relay.child.pid));
    const [program, ...args] = reload.split(/\s+/);
    await promisify(execFile)(program!, args);
    await eventually(
      () => relay.stderr().includes('"msg":"users file reloaded"'),
      10_000,
      'reload',
    );

    await expect(carol()).resolves.toHaveLength(1);
    await expect(clientOf('bob', [uri])).rejects.toThrow(/refused the credentials/);
    // Bob's relay session predates the reload: it stays, both ways.
    await a.send('after the reload');
    expect((await next(b[Symbol.asyncIterator]())).text()).toBe('after the reload');
    await b.send('still here');
    expect((await next(a[Symbol.asyncIterator]())).text()).toBe('still here');
    expect(relay.child.exitCode).toBeNull();
  });

  it('KillSignal (SIGTERM) mid-chunk: new connections refused, /health 503, the chunk finishes, exit 0 in time', async () => {
    const { relay, uri, metrics } = await startUnit();
    // Bob behind the relay answers every SEND; alice writes one chunk in two halves.
    const bob = await rawClient(uri.port!);
    bob.autoRespond = true;
    const auth = await rawAuth(bob, uri, 'bob');
    expect(auth.statusCode).toBe(200);
    const toBob = [auth.usePath![0]!, bob.uri];
    const alice = await rawClient(uri.port!);
    const body = Buffer.alloc(512 * 1024, 'x');
    const head = alice.requestHead({ toPath: toBob, body });
    const frame = Buffer.concat(encodeFrame(head, body, '$'));
    const half = frame.length >> 1;
    let atBob = 0;
    bob.socket.on('data', (bytes: Buffer) => (atBob += bytes.length));
    alice.write(frame.subarray(0, half));
    // The relay forwards as bytes come: the chunk is in flight toward bob.
    await eventually(() => atBob > 256 * 1024, 10_000, 'half the chunk at bob');

    const stopped = Date.now();
    relay.child.kill(serviceSetting(unit, 'KillSignal') as NodeJS.Signals);
    await eventually(() => relay.stderr().includes('"msg":"shutting down"'), 10_000, 'shutdown');
    expect(await refused(uri.port!)).toBe(true);
    expect((await fetch(`${metrics}/health`)).status).toBe(503);

    alice.write(frame.subarray(half));
    const send = await bob.request('SEND', 10_000);
    expect(send.head.messageId).toBe(head.messageId);
    expect(send.body.equals(body)).toBe(true);
    expect((await alice.response(head.transactionId, 10_000)).head.statusCode).toBe(200);

    expect(await relay.exited, relay.stderr()).toBe(0);
    const took = Date.now() - stopped;
    // Under the relay's own drain bound (10 s), well under the unit's TimeoutStopSec.
    expect(took).toBeLessThan(10_000);
    expect(took).toBeLessThan(seconds(serviceSetting(unit, 'TimeoutStopSec')!) * 1000);
    expect(await refused(uri.port!)).toBe(true);
  });

  it('survives an ExecReload right after it started (SIGHUP is handled from the start)', async () => {
    const users = join(dir, 'users');
    await writeFile(users, usersLine('a', 'b'));
    const [node, ...args] = localExecStart(unit, '/unused');
    for (let run = 0; run < 3; run++) {
      const relay = start(
        node!,
        args.slice(0, -2).concat(['--listen', 'msrp://127.0.0.1:0;tcp', '--users', users]),
        { cwd: dir },
        onCleanup,
      );
      await relay.line();
      relay.child.kill('SIGHUP');
      await eventually(
        () => relay.stderr().includes('"msg":"users file reloaded"'),
        10_000,
        'reload',
      );
      relay.child.kill('SIGTERM');
      expect(await relay.exited, `${relay.child.signalCode} ${relay.stderr()}`).toBe(0);
    }
  });

  it('writes every log line of the shutdown, in order, before it exits', async () => {
    // The last lines are written asynchronously (libuv's thread pool): exiting before the
    // write in flight landed put "shutting down" after "stopped", or lost it, in about one
    // stop in ten here. A race: twenty stops to catch it.
    const SHUTDOWN = ['shutting down', 'closing', 'closed', 'stopped'];
    const [node, ...args] = localExecStart(unit, '/unused');
    for (let run = 0; run < 20; run++) {
      const relay = start(
        node!,
        args.slice(0, -2).concat(['--listen', 'msrp://127.0.0.1:0;tcp', '--user', 'a:b']),
        { cwd: dir },
        onCleanup,
      );
      await relay.line();
      relay.child.kill('SIGTERM');
      expect(await relay.exited, `${relay.child.signalCode} ${relay.stderr()}`).toBe(0);
      const messages = relay
        .stderr()
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages.slice(-4), `run ${run}`).toEqual(SHUTDOWN);
    }
  });
});
