// What the relay writes to WebSocket peers: each chunk in exactly one message (RFC 7977 §5.1),
// large ones re-chunked; and how it reads them: one frame per text or binary message (§4.2),
// as crocodile-msrp and browser clients send.
import { describe, expect, it } from 'vitest';
import type { ByteRange, MsrpUri, RequestHead } from '@msrp-ts/msrp-core';
import { createRelayMetrics, type RelayLimits } from '../src/index.js';
import { eventually, rawAuth, rawClient, startRelay } from './helpers.js';
import { WsPeer } from './ws-peer.js';

async function wsRelay(limits: RelayLimits = {}) {
  const { relay, uri: tcp } = await startRelay({ limits });
  const ws = await relay.listen({ host: '127.0.0.1', port: 0, transport: 'ws' });
  return { relay, tcp, ws };
}

/** A raw WebSocket client authenticated to the relay; returns it and the path to it. */
async function wsClient(ws: MsrpUri, username = 'bob', text = false) {
  const peer = await WsPeer.connect(ws);
  const ok = await peer.auth(ws, username, text);
  expect(ok.statusCode).toBe(200);
  return { peer, path: [ok.usePath![0]!, peer.uri] };
}

/** A raw TCP client authenticated to the relay; returns it and the path to it. */
async function tcpClient(tcp: MsrpUri) {
  const peer = await rawClient(tcp.port!);
  const ok = await rawAuth(peer, tcp, 'alice');
  return { peer, path: [ok.usePath![0]!, peer.uri] };
}

function patterned(size: number): Buffer {
  const content = Buffer.alloc(size);
  for (let i = 0; i < size; i++) content[i] = (i * 131 + 17) & 0xff;
  return content;
}

/**
 * The chunks of `messageId` a WebSocket peer received: every message holds exactly one
 * whole chunk of at most `limit` body bytes; Byte-Ranges follow each other; `+` until the
 * last. Returns the body put back together.
 */
function reassembled(peer: WsPeer, messageId: string, limit: number): Buffer {
  const mine = peer.messages.filter((m) =>
    m.frames.some((f) => f.head.kind === 'request' && f.head.messageId === messageId),
  );
  let next = 1;
  const bodies: Buffer[] = [];
  for (const [i, message] of mine.entries()) {
    expect(message.frames).toHaveLength(1);
    expect(message.partial).toBe(false);
    const { head, body, flag } = message.frames[0]!;
    expect(body.length).toBeLessThanOrEqual(limit);
    expect((head as RequestHead).byteRange!.start).toBe(next);
    expect(flag).toBe(i === mine.length - 1 ? '$' : '+');
    next += body.length;
    bodies.push(body);
  }
  return Buffer.concat(bodies);
}

describe('relay toward WebSocket peers: one chunk per message (RFC 7977 §5.1)', () => {
  it('re-chunks a 1 MiB chunk from a TCP peer into whole chunks of at most 64 KiB, one per message', async () => {
    const { relay, tcp, ws } = await wsRelay();
    const bob = await wsClient(ws);
    bob.peer.autoRespond = true;
    const alice = await tcpClient(tcp);
    const content = patterned(1024 * 1024);
    const sent = alice.peer.sendRequest({
      toPath: bob.path,
      body: content,
      contentType: 'application/octet-stream',
      successReport: 'yes',
    });
    expect((await alice.peer.response(sent.transactionId)).head.statusCode).toBe(200);
    await eventually(
      () => bob.peer.frames.some((f) => f.flag === '$' && f.head.kind === 'request'),
      5000,
      'the last chunk',
    );
    const got = reassembled(bob.peer, sent.messageId!, 64 * 1024);
    expect(got.equals(content)).toBe(true);
    const chunks = bob.peer.frames.filter((f) => f.head.kind === 'request');
    expect(chunks.length).toBeGreaterThanOrEqual(16);
    expect(chunks.every((c) => (c.head as RequestHead).byteRange!.total === content.length)).toBe(
      true,
    );
    // Every re-chunked piece was answered 200 by bob: the sender hears of no failure.
    await eventually(() => relay.stats.requestsForwarded >= chunks.length, 2000, 'all forwarded');
    const reports = alice.peer.requests.filter((r) => r.head.method === 'REPORT');
    expect(reports).toHaveLength(0);
    // Bob's success REPORT for the whole message (RFC 4975 §7.1.2) reaches alice as sent.
    const byteRange = { start: 1, end: content.length, total: content.length };
    const status = { namespace: '000', code: 200 };
    const messageId = sent.messageId!;
    bob.peer.send(bob.peer.request('REPORT', alice.path, { messageId, byteRange, status }));
    const report = await alice.peer.request('REPORT');
    expect(report.head).toMatchObject({ messageId, byteRange, status });
    expect(alice.peer.requests.filter((r) => r.head.method === 'REPORT')).toHaveLength(1);
    expect(relay.stats.errors.size).toBe(0);
  });

  it('cuts a 1 MiB SEND without Byte-Range from a TCP peer under Byte-Ranges of its own (RFC 4975 §7.1.1)', async () => {
    const { relay, tcp, ws } = await wsRelay();
    const bob = await wsClient(ws);
    const alice = await tcpClient(tcp);
    const content = patterned(1024 * 1024);
    const send = alice.peer.requestHead({ toPath: bob.path, contentType: 'text/plain' });
    expect(send.byteRange).toBeUndefined();
    alice.peer.writeFrame(send, content);
    expect((await alice.peer.response(send.transactionId)).head.statusCode).toBe(200);
    await eventually(
      () => bob.peer.frames.some((f) => f.flag === '$' && f.head.kind === 'request'),
      5000,
      'the last chunk',
    );
    // Whole chunks of at most 64 KiB, one per message, contiguous, the content intact.
    expect(reassembled(bob.peer, send.messageId!, 64 * 1024).equals(content)).toBe(true);
    const chunks = bob.peer.frames.filter((f) => f.head.kind === 'request');
    expect(chunks.length).toBe(16);
    const ranges = chunks.map((c) => (c.head as RequestHead).byteRange!);
    for (const [i, range] of ranges.entries()) {
      expect(range.end).toBe(range.start + chunks[i]!.body.length - 1);
      // The total is `*` until the relay has the sender's `$`, then exact.
      expect([content.length, '*']).toContain(range.total);
    }
    expect(ranges.at(-1)!.total).toBe(content.length);
    // Bob refuses the second chunk: alice gets a failure REPORT for just those bytes.
    for (const [i, chunk] of chunks.entries())
      bob.peer.respond(chunk.head as RequestHead, i === 1 ? 400 : 200);
    const report = await alice.peer.request('REPORT');
    const lost: ByteRange = { start: 64 * 1024 + 1, end: 128 * 1024, total: '*' };
    expect(report.head).toMatchObject({ messageId: send.messageId, byteRange: lost });
    expect(report.head.status?.code).toBe(400);
    expect(alice.peer.requests.filter((r) => r.head.method === 'REPORT')).toHaveLength(1);
    expect(relay.stats.chunksRechunked).toBe(1);
    const metrics = await createRelayMetrics(relay, { processMetrics: false }).metrics();
    expect(metrics).toMatch(/^msrp_relay_chunks_rechunked_total 1$/m);
  });

  it('drops a REPORT whose body is over 10240 octets (RFC 4975 §7.1) and forwards one at the limit', async () => {
    const { tcp, ws } = await wsRelay();
    const bob = await wsClient(ws);
    const alice = await tcpClient(tcp);
    const status = { namespace: '000', code: 200 };
    for (const size of [20 * 1024, 10240]) {
      const byteRange = { start: 1, end: size, total: size };
      const report = alice.peer.requestHead({
        method: 'REPORT',
        toPath: bob.path,
        messageId: `report-${size}`,
        byteRange,
        status,
        contentType: 'text/plain',
      });
      alice.peer.writeFrame(report, Buffer.alloc(size, 0x72));
    }
    await eventually(
      () => bob.peer.frames.some((f) => f.head.kind === 'request'),
      5000,
      'a REPORT at bob',
    );
    // The second REPORT came after the first on one connection: the first is not coming.
    const reports = bob.peer.frames.filter((f) => f.head.kind === 'request');
    expect(reports.map((f) => [(f.head as RequestHead).messageId, f.body.length])).toEqual([
      ['report-10240', 10240],
    ]);
    expect(alice.peer.isClosed).toBe(false);
  });

  it('re-chunks ws to ws at maxWebSocketChunk; forwards ws to tcp whole; each sender gets 200', async () => {
    const limit = 50_000;
    const { relay, tcp, ws } = await wsRelay({ maxWebSocketChunk: limit });
    const alice = await wsClient(ws, 'alice');
    const bob = await wsClient(ws, 'bob');
    bob.peer.autoRespond = true;
    const carol = await tcpClient(tcp);
    carol.peer.autoRespond = true;
    const content = patterned(300 * 1024);
    const byteRange = { start: 1, end: content.length, total: content.length };
    const type = { type: 'application', subtype: 'octet-stream', params: [] };
    const heads = [bob.path, carol.path].map((toPath, i) =>
      alice.peer.request('SEND', toPath, {
        messageId: `message-${i}`,
        byteRange,
        contentType: type,
      }),
    );
    for (const head of heads) alice.peer.send(head, content);
    for (const head of heads)
      expect((await alice.peer.response(head.transactionId)).statusCode).toBe(200);
    await eventually(
      // A request's `$`: bob's frames hold the 200 to his AUTH too, which ends with one.
      () =>
        bob.peer.frames.some((f) => f.flag === '$' && f.head.kind === 'request') &&
        carol.peer.requests.length > 0,
      5000,
      'both delivered',
    );
    expect(reassembled(bob.peer, 'message-0', limit).equals(content)).toBe(true);
    expect(bob.peer.messages.filter((m) => m.frames[0]!.head.kind === 'request')).toHaveLength(
      Math.ceil(content.length / limit),
    );
    // Toward TCP nothing needs cutting: the chunk goes on as it came.
    const atCarol = carol.peer.requests;
    expect(atCarol.map((r) => [r.head.messageId, r.flag])).toEqual([['message-1', '$']]);
    expect(atCarol[0]!.body.equals(content)).toBe(true);
    expect(relay.stats.errors.size).toBe(0);
  });

  it('takes one frame per message in text and in binary messages, as crocodile-msrp sends them (§4.2)', async () => {
    const { ws } = await wsRelay();
    // AUTH in text messages for one, binary for the other.
    const alice = await wsClient(ws, 'alice', true);
    const bob = await wsClient(ws, 'bob', false);
    const type = { type: 'text', subtype: 'plain', params: [] };
    const say = (from: typeof alice, to: typeof bob, text: boolean, words: string) => {
      const head = from.peer.request('SEND', to.path, {
        messageId: words.replace(/ /g, '-'),
        byteRange: { start: 1, end: words.length, total: words.length },
        contentType: type,
      });
      from.peer.send(head, Buffer.from(words), { text });
      return head;
    };
    const hello = say(alice, bob, true, 'hello in a text frame');
    const hi = say(bob, alice, false, 'hi in a binary frame');
    expect((await alice.peer.response(hello.transactionId)).statusCode).toBe(200);
    expect((await bob.peer.response(hi.transactionId)).statusCode).toBe(200);
    const received = (peer: WsPeer) =>
      peer.frames.filter((f) => f.head.kind === 'request').map((f) => f.body.toString());
    await eventually(() => received(bob.peer).length === 1, 2000, 'bob to receive');
    await eventually(() => received(alice.peer).length === 1, 2000, 'alice to receive');
    expect(received(bob.peer)).toEqual(['hello in a text frame']);
    expect(received(alice.peer)).toEqual(['hi in a binary frame']);
  });

  it('forwards a text message that is not valid UTF-8 byte-exact, without 1007 (§4.2: bytes)', async () => {
    const { ws } = await wsRelay();
    const alice = await wsClient(ws, 'alice');
    const bob = await wsClient(ws, 'bob');
    const body = Buffer.from([0x61, 0xff, 0xfe, 0xc3, 0x62]);
    const head = alice.peer.request('SEND', bob.path, {
      messageId: 'not-utf8',
      byteRange: { start: 1, end: body.length, total: body.length },
      contentType: { type: 'application', subtype: 'octet-stream', params: [] },
    });
    alice.peer.send(head, body, { text: true });
    expect((await alice.peer.response(head.transactionId)).statusCode).toBe(200);
    await eventually(
      () => bob.peer.frames.some((f) => f.head.kind === 'request'),
      2000,
      'the SEND at bob',
    );
    // Byte-exact through the relay and on to bob, no U+FFFD anywhere.
    const send = bob.peer.frames.find((f) => f.head.kind === 'request')!;
    expect(send.body).toEqual(body);
    expect(alice.peer.closeCode).toBeUndefined();
    expect(alice.peer.socket.readyState).toBe(alice.peer.socket.OPEN);
  });
});
