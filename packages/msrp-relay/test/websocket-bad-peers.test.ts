// WebSocket peers that misbehave: too-large (fragmented) messages, refused handshakes, a
// client that stops reading; and slow readers on either side of a ws<->tcp transfer. Each
// time, another session on the same relay keeps working and the relay's memory stays bounded.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { formatUri, type Endpoint, type MsrpUri, type RequestHead } from '@msrp-ts/msrp-core';
import { createRelayMetrics, type RelayLimits, type RelayOptions } from '../src/index.js';
import {
  clientOf,
  eventually,
  next,
  onCleanup,
  rawAuth,
  rawClient,
  startRelay,
  sessionPair,
  stalled,
} from './helpers.js';
import { WsPeer } from './ws-peer.js';

async function wsRelay(limits: RelayLimits = {}, options: Partial<RelayOptions> = {}) {
  const { relay, uri: tcp } = await startRelay({ ...options, limits });
  const ws = await relay.listen({
    host: '127.0.0.1',
    port: 0,
    transport: 'ws',
    webSocket: { origins: ['https://chat.example.net'] },
  });
  return { relay, tcp, ws };
}

/** Alice on ws and bob on tcp, in session; `check` sends one more message and sees it come. */
async function bystanders(ws: MsrpUri, tcp: MsrpUri) {
  const alice = await clientOf('alice', [ws]);
  const bob = await clientOf('bob', [tcp]);
  const { a: aSession, b: bSession } = await sessionPair(alice, bob);
  const inbox = bSession[Symbol.asyncIterator]();
  return {
    check: async (text: string) => {
      await aSession.send(text);
      expect((await next(inbox, 5000)).text()).toBe(text);
    },
  };
}

/** Records the largest value `read` takes until the test ends. */
function peakOf(read: () => number): { readonly peak: number } {
  const state = { peak: read() };
  const timer = setInterval(() => (state.peak = Math.max(state.peak, read())), 2);
  onCleanup(() => clearInterval(timer));
  return state;
}

function patterned(size: number): Buffer {
  const content = Buffer.alloc(size);
  for (let i = 0; i < size; i++) content[i] = (i * 131 + 17) & 0xff;
  return content;
}

const MiB = 1024 * 1024;
/** What the relay may hold for one slow next hop: maxQueuedBytes plus one segment. */
const QUEUE_BOUND = MiB + 64 * 1024;

describe('bad WebSocket peers', () => {
  it('answers a message holding a request with a header it cannot read with 400; the WebSocket stays', async () => {
    const { ws } = await wsRelay();
    const peer = await WsPeer.connect(ws);
    const relayUri = `msrp://${ws.host}:${ws.port};ws`;
    // One frame per message (RFC 7977 §5.1), its Success-Report value unknown.
    peer.socket.send(
      Buffer.from(
        `MSRP bad12345 AUTH\r\nTo-Path: ${relayUri}\r\nFrom-Path: ${formatUri(peer.uri)}\r\n` +
          'Success-Report: maybe\r\n-------bad12345$\r\n',
      ),
    );
    expect((await peer.response('bad12345')).statusCode).toBe(400);
    const next = peer.request('AUTH', [ws]);
    peer.send(next);
    expect((await peer.response(next.transactionId)).statusCode).toBe(401);
    expect(peer.closeCode).toBeUndefined();
  });

  it('closes a fragmented message past maxWebSocketMessage with 1009; other sessions go on', async () => {
    const { relay, tcp, ws } = await wsRelay({ maxWebSocketMessage: 64 * 1024 });
    const others = await bystanders(ws, tcp);
    const bad = await WsPeer.connect(ws);
    await eventually(() => relay.connectionCount === 3, 5000, 'the bad connection');
    const closed = once(bad.socket, 'close');
    // Fragments of 30 KiB, none too large alone, 120 KiB together.
    for (let i = 0; i < 4; i++) bad.socket.send(Buffer.alloc(30 * 1024, 0x41), { fin: false });
    const [code] = (await closed) as [number];
    expect(code).toBe(1009);
    await eventually(() => relay.connectionCount === 2, 5000, 'the bad connection to go');
    await others.check('after the fragments');
  });

  it('refuses a subprotocol other than msrp (400) and a foreign Origin (403); other sessions go on', async () => {
    const { relay, tcp, ws } = await wsRelay();
    const others = await bystanders(ws, tcp);
    const status = (protocols: string[], origin?: string) => {
      const socket = new WebSocket(`ws://127.0.0.1:${ws.port}/`, protocols, { origin });
      onCleanup(() => socket.terminate());
      return new Promise<number>((resolve, reject) => {
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.on('open', () => resolve(101));
        socket.on('error', reject);
      });
    };
    expect(await status(['sip'], 'https://chat.example.net')).toBe(400);
    expect(await status(['msrp'], 'https://evil.example.com')).toBe(403);
    expect(relay.connectionCount).toBe(2);
    await others.check('after the refusals');
  });

  it.each([
    ['a SEND with Byte-Range', true],
    // One without is the whole message (RFC 4975 §7.1.1): cut all the same, not buffered whole.
    ['a SEND without Byte-Range', false],
  ])(
    'holds back the sender of %s to a client that stops reading, in bounded memory, then drops that client',
    async (_, withRange) => {
      const idleTimeout = 2000;
      const { relay, tcp, ws } = await wsRelay({ idleTimeout }, { transactionTimeout: 60_000 });
      const others = await bystanders(ws, tcp);
      const stuck = await WsPeer.connect(ws);
      const path = [(await stuck.auth(ws, 'bob')).usePath![0]!, stuck.uri];
      stuck.socket.pause();
      const peak = peakOf(() => relay.queuedBytes);
      const sender = await rawClient(tcp.port!);
      const size = 32 * MiB;
      const byteRange = withRange ? { start: 1, end: size, total: size } : undefined;
      const send = sender.requestHead({
        toPath: path,
        ...(byteRange && { byteRange }),
        contentType: 'text/plain',
      });
      expect(send.byteRange).toEqual(byteRange);
      sender.writeFrame(send, Buffer.alloc(size, 0x61));

      // The relay fills what it may for the stuck client, then stops reading the sender...
      await stalled(() => relay.stats.bytesForwarded, MiB);
      expect(relay.stats.bytesForwarded).toBeLessThan(size / 2);
      expect(relay.queuedBytes).toBeLessThanOrEqual(QUEUE_BOUND);
      // ...which is held back, not failed: no answer yet, its connection open.
      expect(sender.frames).toHaveLength(0);
      expect(sender.isClosed).toBe(false);
      await others.check('while a client is stuck');

      // A peer that read nothing for idleTimeout is dropped; the chunk it was to get fails
      // with 408 once the sender's end-line is read (the rest of its body is read and dropped).
      await eventually(
        () => relay.connectionCount === 3,
        5 * idleTimeout,
        'the stuck client dropped',
      );
      const answer = await sender.response(send.transactionId, 10_000);
      expect(answer.head.statusCode).toBe(408);
      expect(relay.stats.stuckPeersDropped).toBe(1);
      const metrics = await createRelayMetrics(relay, { processMetrics: false }).metrics();
      expect(metrics).toMatch(/^msrp_relay_stuck_peers_dropped_total 1$/m);
      expect(relay.queuedBytes).toBe(0);
      expect(peak.peak).toBeLessThanOrEqual(QUEUE_BOUND);
      await others.check('after the stuck client went');
    },
  );
});

/** An Endpoint session of `from` to `path`, sending `content` in `chunkSize` chunks. */
async function sendFrom(from: Endpoint, path: readonly MsrpUri[], content: Buffer) {
  const session = from.createSession({ chunkSize: 64 * 1024 });
  await session.connect(path);
  return session.send(content, { contentType: 'application/octet-stream' });
}

describe('backpressure between WebSocket and TCP peers', () => {
  it('tcp sender to a ws reader that pauses: the sender waits, memory stays bounded, all arrives whole', async () => {
    const { relay, tcp, ws } = await wsRelay();
    const reader = await WsPeer.connect(ws);
    const path = [(await reader.auth(ws, 'bob')).usePath![0]!, reader.uri];
    reader.autoRespond = true;
    reader.socket.pause();
    const peak = peakOf(() => relay.queuedBytes);
    const sender = await clientOf('alice', [tcp]);
    const content = patterned(24 * MiB);
    let done = false;
    const sent = sendFrom(sender, path, content).finally(() => (done = true));
    await stalled(() => relay.stats.bytesForwarded, MiB);
    expect(done).toBe(false);
    expect(relay.stats.bytesForwarded).toBeLessThan(content.length);
    reader.socket.resume();
    expect((await sent).bytes).toBe(content.length);
    const chunks = () =>
      reader.messages.map((m) => m.frames[0]).filter((f) => f?.head.kind === 'request');
    await eventually(
      () => chunks().reduce((n, f) => n + f!.body.length, 0) === content.length,
      10_000,
      'everything at the reader',
    );
    let at = 1;
    for (const message of reader.messages.filter((m) => m.frames[0]?.head.kind === 'request')) {
      expect(message.frames).toHaveLength(1);
      expect(message.partial).toBe(false);
      const { head, body } = message.frames[0]!;
      if (body.length === 0) continue;
      expect(body.length).toBeLessThanOrEqual(64 * 1024);
      expect((head as RequestHead).byteRange!.start).toBe(at);
      expect(body.equals(content.subarray(at - 1, at - 1 + body.length))).toBe(true);
      at += body.length;
    }
    expect(at).toBe(content.length + 1);
    expect(peak.peak).toBeLessThanOrEqual(QUEUE_BOUND);
  });

  it('ws sender to a tcp reader that pauses: the sender waits, memory stays bounded, all arrives whole', async () => {
    const { relay, tcp, ws } = await wsRelay();
    const reader = await rawClient(tcp.port!);
    const path = [(await rawAuth(reader, tcp, 'bob')).usePath![0]!, reader.uri];
    reader.autoRespond = true;
    reader.socket.pause();
    const peak = peakOf(() => relay.queuedBytes);
    const sender = await clientOf('alice', [ws]);
    const content = patterned(24 * MiB);
    let done = false;
    const sent = sendFrom(sender, path, content).finally(() => (done = true));
    await stalled(() => relay.stats.bytesForwarded, MiB);
    expect(done).toBe(false);
    expect(relay.stats.bytesForwarded).toBeLessThan(content.length);
    reader.socket.resume();
    expect((await sent).bytes).toBe(content.length);
    const body = () =>
      Buffer.concat(
        reader.requests
          .filter((r) => r.head.byteRange?.total === content.length)
          .map((r) => r.body),
      );
    await eventually(() => body().length === content.length, 10_000, 'everything at the reader');
    expect(body().equals(content)).toBe(true);
    expect(peak.peak).toBeLessThanOrEqual(QUEUE_BOUND);
  });
});
