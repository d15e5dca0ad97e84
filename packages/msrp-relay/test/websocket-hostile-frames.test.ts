// WebSocket peers of a relay that send frames RFC 6455 or RFC 7977 forbid, or close oddly:
// each gets a sensible answer (an MSRP response, or a close with a code that says why), and
// the relay neither crashes nor hangs, nor hurts the session of a client next to it.
import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { formatUri, type MsrpUri } from '@msrp-ts/msrp-core';
import {
  clientOf,
  eventually,
  next,
  rawAuth,
  rawClient,
  sessionPair,
  startRelay,
} from './helpers.js';
import { OP, RawWs } from './ws-raw-peer.js';
import { WsPeer } from './ws-peer.js';

async function wsRelay() {
  const { relay, uri: tcp } = await startRelay();
  const ws = await relay.listen({ host: '127.0.0.1', port: 0, transport: 'ws' });
  // Alice on ws and bob on tcp, in session: they must not notice any of it.
  const alice = await clientOf('alice', [ws]);
  const bob = await clientOf('bob', [tcp]);
  const { a, b } = await sessionPair(alice, bob);
  const aInbox = a[Symbol.asyncIterator]();
  const bInbox = b[Symbol.asyncIterator]();
  const check = async (text: string) => {
    await a.send(text);
    expect((await next(bInbox, 5000)).text()).toBe(text);
    await b.send(`${text}, back`);
    expect((await next(aInbox, 5000)).text()).toBe(`${text}, back`);
  };
  return { relay, tcp, ws, check };
}

let ids = 0;
const FROM = 'msrp://abcdef.invalid:2855/raw1;ws';
const relayUri = (ws: MsrpUri) => `msrp://127.0.0.1:${ws.port};ws`;

/** An AUTH frame to the relay, its transaction id `tid`. */
function auth(ws: MsrpUri, tid = `tid${++ids}x`): { tid: string; frame: string } {
  const frame = `MSRP ${tid} AUTH\r\nTo-Path: ${relayUri(ws)}\r\nFrom-Path: ${FROM}\r\n-------${tid}$\r\n`;
  return { tid, frame };
}

describe('a WebSocket peer breaking RFC 6455 is closed with 1002; others go on', () => {
  const close = (code: number, reason = '') => {
    const payload = Buffer.alloc(2 + reason.length);
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    return payload;
  };
  it.each<[string, (peer: RawWs, frame: string) => void]>([
    ['an unmasked frame (§5.1)', (p, f) => p.frame(OP.binary, f, { mask: false })],
    ['a reserved opcode (§5.2)', (p, f) => p.frame(3, f)],
    ['RSV1 set, no extension agreed (§5.2)', (p, f) => p.frame(OP.binary, f, { rsv: 4 })],
    ['a continuation frame with no message begun (§5.4)', (p, f) => p.frame(OP.continuation, f)],
    [
      'a new message inside a fragmented one (§5.4)',
      (p, f) => {
        p.frame(OP.binary, f.slice(0, 10), { fin: false });
        p.frame(OP.binary, f.slice(10));
      },
    ],
    ['a fragmented ping (§5.5)', (p) => p.frame(OP.ping, 'x', { fin: false })],
    ['a ping of 126 bytes (§5.5)', (p) => p.frame(OP.ping, Buffer.alloc(126))],
    ['a close code of 999 (§7.4)', (p) => p.frame(OP.close, close(999))],
    ['a close code of 1005, which is never sent (§7.4.1)', (p) => p.frame(OP.close, close(1005))],
    ['a close of one byte (§5.5.1)', (p) => p.frame(OP.close, Buffer.from([3]))],
  ])('%s', async (_, send) => {
    const { relay, ws, check } = await wsRelay();
    const peer = await RawWs.connect(ws.port!);
    await eventually(() => relay.connectionCount === 3, 5000, 'the peer connected');
    send(peer, auth(ws).frame);
    expect(await peer.closed()).toBe(1002);
    await eventually(() => relay.connectionCount === 2, 5000, 'the peer gone');
    await check('after the bad frame');
  });
});

describe('a WebSocket peer that closes oddly', () => {
  it.each([1000, 1001, 1011, 1014, 3000, 4999])(
    'closing with %i, idle or mid-frame, the relay answers the close and lets it go',
    async (code) => {
      const { relay, tcp, ws, check } = await wsRelay();
      const idle = await RawWs.connect(ws.port!);
      idle.close(code, 'bye');
      // RFC 6455 §5.5.1: the close is answered with a close, then the server drops TCP.
      expect(await idle.closed()).toBe(code);

      // Bob's raw TCP client gets half a chunk from a peer that then closes.
      const reader = await rawClient(tcp.port!);
      const path = [(await rawAuth(reader, tcp, 'bob')).usePath![0]!, reader.uri];
      reader.autoRespond = true;
      const peer = await WsPeer.connect(ws);
      await peer.auth(ws, 'alice');
      const chunk = (tid: string, range: string, body: string, end: string) =>
        Buffer.from(
          `MSRP ${tid} SEND\r\nTo-Path: ${path.map(formatUri).join(' ')}\r\n` +
            `From-Path: ${formatUri(peer.uri)}\r\nMessage-ID: msg12345\r\nByte-Range: ${range}\r\n` +
            `Content-Type: text/plain\r\n\r\n${body}${end}`,
        );
      // A whole first chunk, then half of the second (RFC 7977 §5.1 forbids it; we take it).
      peer.socket.send(chunk('one12345', '1-1000/*', 'a'.repeat(1000), '\r\n-------one12345+\r\n'));
      expect((await peer.response('one12345')).statusCode).toBe(200);
      await eventually(() => reader.requests.length === 1, 5000, 'the first chunk');
      peer.socket.send(chunk('two12345', '1001-*/*', 'b'.repeat(300_000), ''));
      // Forwarded as it comes (the part of it cut off in this message included), then cut.
      await eventually(() => reader.socket.bytesRead > 300_000, 5000, 'the chunk streamed');
      peer.socket.close(code);
      await once(peer.socket, 'close');
      await eventually(() => relay.connectionCount === 3, 5000, 'the peer gone');
      expect(reader.requests[0]!.body.toString()).toBe('a'.repeat(1000));
      // RFC 4975 §7.1: the chunk the peer left unfinished is ended with # toward the reader.
      await eventually(() => reader.requests.length === 2, 5000, 'the cut chunk ended');
      expect(reader.requests[1]!.flag).toBe('#');
      expect(reader.requests[1]!.body.equals(Buffer.alloc(300_000, 'b'))).toBe(true);
      expect(reader.isClosed).toBe(false);
      await check('after the odd closes');
    },
  );
});

describe('a WebSocket peer that breaks MSRP (RFC 4975)', () => {
  // RFC 6455 §7.4.1: 1002 is for "a protocol error"; 1000, "a normal closure", would tell the
  // peer that all went well.
  const reasonOf = (peer: RawWs) =>
    peer.frames
      .find((f) => f.opcode === OP.close)
      ?.payload.subarray(2)
      .toString();

  it('bytes that are not MSRP: closed with 1002 and the error as reason; others go on', async () => {
    const { relay, ws, check } = await wsRelay();
    const peer = await RawWs.connect(ws.port!);
    peer.frame(OP.binary, 'HELLO WORLD\r\n\r\n');
    expect(await peer.closed()).toBe(1002);
    expect(reasonOf(peer)).toBe('Start line must begin with "MSRP ": "HELLO WORLD"');
    await eventually(() => relay.connectionCount === 2, 5000, 'the peer gone');
    await check('after the bytes that are not MSRP');
  });

  it('a request too bad to read on: its 400 first, then 1002 and the error as reason', async () => {
    const { ws, check } = await wsRelay();
    const peer = await RawWs.connect(ws.port!);
    const { tid, frame } = auth(ws);
    const head = frame.slice(0, frame.indexOf('-------'));
    peer.frame(OP.binary, head + 'X-Pad: x\r\n'.repeat(64));
    expect(await peer.closed()).toBe(1002);
    expect(await peer.status(tid)).toBe(400);
    expect(reasonOf(peer)).toBe('More than 64 headers');
    await check('after the bad request');
  });
});

describe('RFC 7977 §5.1 framing, from a WebSocket peer', () => {
  it('two MSRP frames in one message: closed with 1002, the first one answered at most', async () => {
    const { relay, ws, check } = await wsRelay();
    const peer = await RawWs.connect(ws.port!);
    const [one, two] = [auth(ws), auth(ws)];
    peer.frame(OP.binary, one.frame + two.frame);
    expect(await peer.closed()).toBe(1002);
    expect(peer.messages.some((m) => m.includes(two.tid))).toBe(false);
    await eventually(() => relay.connectionCount === 2, 5000, 'the peer gone');
    await check('after the two frames');
  });

  it('a frame and the head of another in one message, the rest in the next: 1002', async () => {
    const { ws, check } = await wsRelay();
    const peer = await RawWs.connect(ws.port!);
    const [one, two] = [auth(ws), auth(ws)];
    peer.frame(OP.binary, one.frame + two.frame.slice(0, 12));
    peer.frame(OP.binary, two.frame.slice(12));
    expect(await peer.closed()).toBe(1002);
    expect(peer.messages.some((m) => m.includes(two.tid))).toBe(false);
    await check('after the straddling frame');
  });

  it('takes a frame cut across messages, empty messages, and a fragmented message with a ping between fragments', async () => {
    const { relay, ws, check } = await wsRelay();
    const peer = await RawWs.connect(ws.port!);
    const cut = auth(ws);
    peer.frame(OP.binary, '');
    peer.frame(OP.text, cut.frame.slice(0, 20));
    peer.frame(OP.binary, '');
    peer.frame(OP.binary, cut.frame.slice(20));
    expect(await peer.status(cut.tid)).toBe(401);
    const fragmented = auth(ws);
    peer.frame(OP.text, fragmented.frame.slice(0, 5), { fin: false });
    peer.frame(OP.ping, 'are you there');
    peer.frame(OP.continuation, fragmented.frame.slice(5, 30), { fin: false });
    peer.frame(OP.continuation, fragmented.frame.slice(30));
    expect(await peer.status(fragmented.tid)).toBe(401);
    const pong = peer.frames.find((f) => f.opcode === OP.pong);
    expect(pong?.payload.toString()).toBe('are you there');
    expect(peer.closeCode).toBeUndefined();
    expect(relay.stats.errors.size).toBe(0);
    await check('after the pieces');
  });
});
