// Large transfers in bounded memory, chunks cut for others, misbehaving clients, shutdown.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { parseUri, type DeliveryError } from '@msrp-ts/msrp-core';
import { encodeEndLine, encodeHead } from '@msrp-ts/msrp-core/internal';
import {
  authRequest,
  clientOf,
  eventually,
  next,
  onCleanup,
  rawAuth,
  rawClient,
  startRelay,
  transact,
  type RawPeer,
  sessionPair,
} from './helpers.js';
import { createRelayMetrics } from '../src/metrics.js';

const MiB = 1024 * 1024;

/** `total` bytes of a repeating pattern, in pieces of `piece` bytes. */
function pattern(total: number, piece = 256 * 1024): Readable {
  const block = Buffer.alloc(piece);
  for (let i = 0; i < piece; i++) block[i] = i % 251;
  let left = total;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(piece, left);
      left -= n;
      this.push(n === piece ? block : block.subarray(0, n));
    },
  });
}

/** Reads a message's stream, slowly when asked; returns the byte count and SHA-256. */
async function drain(
  message: { stream?: AsyncIterable<Uint8Array> | undefined },
  delayEvery = 0,
): Promise<{ bytes: number; sha256: string }> {
  let bytes = 0;
  const hash = createHash('sha256');
  let n = 0;
  try {
    for await (const piece of message.stream!) {
      hash.update(piece);
      bytes += piece.length;
      if (delayEvery > 0 && ++n % delayEvery === 0) await sleep(1);
    }
  } catch {
    // The stream errors when the message is cut off; the count says how far it got.
  }
  return { bytes, sha256: hash.digest('hex') };
}

async function pair(
  uri: Parameters<typeof clientOf>[1][0],
  chunkSize?: number,
  maxInFlightBytes?: number,
) {
  const session = {
    ...(chunkSize && { chunkSize }),
    ...(maxInFlightBytes && { maxInFlightBytes }),
  };
  const alice = await clientOf('alice', [uri], { session });
  const bob = await clientOf('bob', [uri]);
  const { a: aliceSession, b: bobSession } = await sessionPair(alice, bob);
  return { aliceSession, bobSession, inbox: bobSession[Symbol.asyncIterator]() };
}

describe('large transfers', () => {
  it('carries 128 MiB to a slow reader with the relay holding about a MiB at most', async () => {
    const { relay, uri } = await startRelay();
    // A sender window larger than the sockets hold, so that the relay must queue (the 512 KiB
    // default fits in them: backpressure then stops at the sender's window).
    const { aliceSession, inbox } = await pair(uri, 256 * 1024, 4 * MiB);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, relay.queuedBytes)), 5);
    onCleanup(() => clearInterval(sampler));
    const heapBefore = process.memoryUsage().heapUsed;
    const total = 128 * MiB;
    const sent = aliceSession.send(pattern(total), { size: total });
    const message = await next(inbox);
    // Slow enough that the relay must queue: the endpoints write a turn's chunks and 200s in
    // one writev now, and a pause every 8 pieces kept up with them.
    const [delivery, got] = await Promise.all([sent, drain(message, 2)]);
    const expected = await drain({ stream: pattern(total) });
    expect(delivery.bytes).toBe(total);
    expect(got).toEqual(expected);
    // Backpressure reached the sender: the relay queued at most its limit plus a socket read.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(MiB + 256 * 1024);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * MiB);
    expect(relay.stats.bytesForwarded).toBeGreaterThanOrEqual(total);
  });

  it('lets a chat line overtake a large chunk on the same connection', async () => {
    const { uri } = await startRelay();
    const { aliceSession, inbox } = await pair(uri, 8 * MiB);
    const file = aliceSession.send(pattern(32 * MiB), { size: 32 * MiB });
    const first = await next(inbox);
    expect(first.stream).toBeDefined();
    const reading = drain(first, 4);
    await aliceSession.send('overtaking');
    const chat = await next(inbox, 5000);
    expect(chat.text()).toBe('overtaking');
    expect(first.received).toBeLessThan(32 * MiB);
    await Promise.all([file, reading]);
  });
});

describe('chunks cut for other sessions', () => {
  it('cuts a stalled chunk with + and resumes it with a new transaction and Byte-Range', async () => {
    const { relay, uri } = await startRelay();
    const owner = await rawClient(uri.port!);
    const relayUri = (await rawAuth(owner, uri)).usePath![0]!;
    const slow = await rawClient(uri.port!);
    const quick = await rawClient(uri.port!);
    const body = Buffer.alloc(100_000, 0x62);
    const head = slow.requestHead({ toPath: [relayUri, owner.uri], body });
    slow.write(encodeHead(head));
    slow.write(body.subarray(0, 30_000));
    await eventually(() => relay.stats.bytesForwarded >= 30_000, 2000, 'first bytes');
    quick.sendRequest({ toPath: [relayUri, owner.uri], body: 'meanwhile' });
    const cut = await owner.request('SEND');
    expect(cut.flag).toBe('+');
    expect(cut.body.length).toBe(30_000);
    expect(cut.head.byteRange).toEqual({ start: 1, end: 100_000, total: 100_000 });
    const small = await owner.request('SEND');
    expect(small.body.toString()).toBe('meanwhile');
    slow.write(body.subarray(30_000));
    slow.write(encodeEndLine(head.transactionId, '$', true));
    const rest = await owner.request('SEND');
    expect(rest.flag).toBe('$');
    expect(rest.head.transactionId).not.toBe(cut.head.transactionId);
    expect(rest.head.messageId).toBe(head.messageId);
    expect(rest.head.byteRange).toEqual({ start: 30_001, end: 100_000, total: 100_000 });
    expect(rest.body.length).toBe(70_000);
    expect((await slow.response(head.transactionId)).head.statusCode).toBe(200);
    expect(relay.stats.chunksInterrupted).toBe(1);
  });
});

describe('misbehaving clients', () => {
  it('disconnects garbage, oversized heads and stalled clients; other sessions go on', async () => {
    const { relay, uri } = await startRelay({
      limits: { unauthenticatedTimeout: 200, maxHeaderBytes: 1024 },
    });
    const { aliceSession, inbox } = await pair(uri);
    const garbage = await rawClient(uri.port!);
    garbage.write('GET / HTTP/1.1\r\nHost: relay\r\n\r\n');
    const big = await rawClient(uri.port!);
    const bigHead = big.requestHead({
      toPath: [uri],
      method: 'AUTH',
      extensions: [{ name: 'X-Padding', value: 'x'.repeat(2000) }],
    });
    big.write(encodeHead(bigHead));
    const stalled = await rawClient(uri.port!);
    stalled.write('MSRP a1b2c3d4 SEND\r\nTo-Pa');
    await Promise.all([garbage.closed, big.closed, stalled.closed]);
    expect(
      (await big.response(bigHead.transactionId).catch(() => undefined))?.head.statusCode ?? 400,
    ).toBe(400);
    expect(relay.stats.protocolErrors).toBeGreaterThanOrEqual(2);
    await aliceSession.send('still here');
    expect((await next(inbox)).text()).toBe('still here');
  });

  it('answers a request with a header it cannot read with 400 and keeps the connection', async () => {
    // The connection may carry many users' sessions (another relay's, Kamailio's): one bad
    // header costs its request, not the connection.
    const { relay, uri } = await startRelay();
    const peer = await rawClient(uri.port!);
    const relayUri = `msrp://${uri.host}:${uri.port};tcp`;
    peer.write(
      `MSRP bad12345 AUTH\r\nTo-Path: ${relayUri}\r\nFrom-Path: msrp://127.0.0.1:1/${peer.sessionId};tcp\r\n` +
        'Success-Report: maybe\r\n-------bad12345$\r\n',
    );
    expect((await peer.response('bad12345')).head.statusCode).toBe(400);
    expect(relay.stats.protocolErrors).toBe(1);
    expect((await transact(peer, authRequest(peer, uri))).statusCode).toBe(401);
    expect(peer.isClosed).toBe(false);
    // Counted as a protocol error, whose help text said "Peers disconnected for breaking the
    // protocol": an operator took each for a dropped connection.
    const metrics = await createRelayMetrics(relay, { processMetrics: false }).metrics();
    expect(metrics).toMatch(/^msrp_relay_protocol_errors_total 1$/m);
    const help = /^# HELP msrp_relay_protocol_errors_total (.*)$/m.exec(metrics)?.[1];
    expect(help).not.toMatch(/disconnected/i);
    expect(help).toMatch(/connection kept/);
  });

  it('refuses connections past the per-address limit', async () => {
    const { relay, uri } = await startRelay({ limits: { maxConnectionsPerAddress: 2 } });
    const a = await rawClient(uri.port!);
    const b = await rawClient(uri.port!);
    const c = connect({ host: '127.0.0.1', port: uri.port! });
    c.on('error', () => undefined);
    await once(c, 'close');
    expect(relay.stats.connectionsRefused).toBe(1);
    expect(a.isClosed || b.isClosed).toBe(false);
  });

  it('closes a connection that serves nothing after idleTimeout, keeps one with a relay session', async () => {
    const { relay, uri } = await startRelay({ limits: { idleTimeout: 200 } });
    const client = await rawClient(uri.port!);
    await rawAuth(client, uri);
    // Trusted (it forwarded a request) but with no relay session: nothing keeps it.
    const sender = await rawClient(uri.port!);
    sender.sendRequest({ toPath: [uri, parseUri('msrp://127.0.0.1:9/nobody;tcp')], body: 'x' });
    const started = Date.now();
    await eventually(() => sender.isClosed, 3000, 'the idle connection closed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(relay.connectionCount).toBe(1);
    // Another idleTimeout later (a connection opened now closed by it), the client is kept.
    const probe = await rawClient(uri.port!);
    await probe.closed;
    expect(client.isClosed).toBe(false);
  });

  it('a client that stops reading slows only its own senders', async () => {
    const { relay, uri } = await startRelay();
    const sleeper = await rawClient(uri.port!);
    const sleeperUri = (await rawAuth(sleeper, uri)).usePath![0]!;
    sleeper.socket.pause();
    const flooder = await rawClient(uri.port!);
    const chunk = Buffer.alloc(512 * 1024, 0x61);
    for (let i = 0; i < 32; i++)
      flooder.sendRequest({ toPath: [sleeperUri, sleeper.uri], body: chunk });
    const { aliceSession, inbox } = await pair(uri);
    // The relay holds the flood back: the sleeper's connection is full.
    await eventually(() => relay.queuedBytes > 0, 5000, 'bytes queued for the sleeper');
    await aliceSession.send('unaffected');
    expect((await next(inbox)).text()).toBe('unaffected');
    sleeper.socket.resume();
    flooder.destroy();
  });
});

describe('graceful shutdown', () => {
  it('delivers every chunk it confirmed before closing', async () => {
    const { relay, uri } = await startRelay();
    const { aliceSession, inbox } = await pair(uri, 64 * 1024);
    const total = 256 * MiB;
    let confirmed = 0;
    const sent = aliceSession
      .send(pattern(total), { size: total, onProgress: (p) => (confirmed = p.bytes) })
      .then(
        () => total,
        (e: unknown) => (e as DeliveryError).confirmedBytes,
      );
    const message = await next(inbox);
    const received = drain(message);
    await eventually(() => confirmed >= 4 * MiB, 10_000, 'some confirmed bytes');
    await relay.close(5000);
    const [confirmedBytes, got] = await Promise.all([sent, received]);
    expect(confirmedBytes).toBeGreaterThan(0);
    expect(confirmedBytes).toBeLessThan(total);
    expect(got.bytes).toBeGreaterThanOrEqual(confirmedBytes);
    expect(aliceSession.state).toBe('closed');
  });
});

export type { RawPeer };
