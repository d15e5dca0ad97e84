// Signals at awkward moments of a running relay, as supervisors and operators send them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '@msrp-ts/msrp-core';
import { eventually, rawAuth, rawClient } from './helpers.js';
import { runningRelay } from './ops-relay.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ops-signals-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('signals during a drain', () => {
  it('SIGHUP mid-drain reloads; /metrics answers and /health says 503 until the chunk is done; exit 0', async () => {
    const users = join(dir, 'users');
    await writeFile(users, 'bob:bob-secret\n');
    const relay = await runningRelay([
      ...['--listen', 'msrp://127.0.0.1:0;tcp', '--users', users, '--metrics', '127.0.0.1:0'],
    ]);
    const uri = relay.uris[0]!;
    // Bob answers every SEND; alice writes one chunk to him in two halves.
    const bob = await rawClient(uri.port!);
    bob.autoRespond = true;
    const toBob = await rawAuth(bob, uri, 'bob');
    expect(toBob.statusCode).toBe(200);
    const alice = await rawClient(uri.port!);
    const body = Buffer.alloc(512 * 1024, 'x');
    const head = alice.requestHead({ toPath: [toBob.usePath![0]!, bob.uri], body });
    const frame = Buffer.concat(encodeFrame(head, body, '$'));
    let atBob = 0;
    bob.socket.on('data', (bytes: Buffer) => (atBob += bytes.length));
    alice.write(frame.subarray(0, frame.length >> 1));
    await eventually(() => atBob > 128 * 1024, 10_000, 'the chunk in flight toward bob');

    relay.child.kill('SIGTERM');
    await relay.logged('shutting down', 1);
    await writeFile(users, 'bob:bob-secret\ncarol:carol-secret\n');
    expect(await relay.sighup()).toContain('"reloaded":["users"]');
    expect((await fetch(`${relay.metrics}/health`)).status).toBe(503);
    const metrics = await fetch(`${relay.metrics}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^msrp_relay_sessions 1$/m);

    alice.write(frame.subarray(frame.length >> 1));
    expect((await bob.request('SEND', 10_000)).body.equals(body)).toBe(true);
    expect((await alice.response(head.transactionId, 10_000)).head.statusCode).toBe(200);
    expect(await relay.exited, relay.stderr()).toBe(0);
    expect(relay.stderr()).toContain('"msg":"stopped"');
    expect(relay.stderr()).not.toMatch(/\n\s+at /);
  }, 30_000);

  it('a burst of SIGHUPs: each reload after the one before, the relay serving on', async () => {
    const users = join(dir, 'users-burst');
    await writeFile(users, 'alice:alice-secret\n');
    const relay = await runningRelay(['--listen', 'msrp://127.0.0.1:0;tcp', '--users', users]);
    for (let i = 0; i < 10; i++) relay.child.kill('SIGHUP');
    await relay.logged('reloaded', 1);
    relay.child.kill('SIGTERM');
    expect(await relay.exited, relay.stderr()).toBe(0);
    // Signals of one kind may merge, never a reload begun before the last ended.
    const log = relay
      .stderr()
      .split('\n')
      .filter((l) => /"msg":"(users file )?reloaded"/.test(l));
    for (let i = 0; i < log.length; i += 2) {
      expect(log[i]).toContain('users file reloaded');
      expect(log[i + 1]).toContain('"msg":"reloaded"');
    }
  }, 30_000);
});
