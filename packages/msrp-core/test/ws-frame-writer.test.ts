// wsStream writes each message as one WebSocket frame straight onto ws's TCP socket (issue 10,
// relay-ws bench): a server's parts go out as they are, uncopied and unmasked; a client's are
// joined once and masked (RFC 6455 §5.3), instead of joined by us and copied again by
// ws.send. ws itself checks both: its server closes on an unmasked client frame, its client
// on a masked server frame (RFC 6455 §5.1). Servers are ws WebSocketServers on 127.0.0.1.
import { once } from 'node:events';
import { WebSocket, type RawData } from 'ws';
import { describe, expect, it, vi } from 'vitest';
import { WS_OPTIONS, wsStream, type ByteStream, type ByteStreamEvents } from '../src/index.js';
import { until } from './helpers/socket-pair.js';
import { wsServer } from './helpers/ws-server.js';
import { cleanups } from './helpers/cleanups.js';

/** A message of `length` bytes in three parts, as a chunk is written: head, body, end-line. */
function parts(length: number, seed: number): Uint8Array[] {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  const a = Math.min(length, 7);
  const b = Math.max(a, length - 3);
  return [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)];
}

/** Payload lengths for each frame header form (RFC 6455 §5.2): 7-bit, 16-bit, 64-bit. */
const LENGTHS = [0, 5, 125, 126, 300, 65535, 65536, 70001];

function events(received: Buffer[], drains: { count: number }): ByteStreamEvents {
  return {
    data: (bytes) => received.push(Buffer.from(bytes)),
    end: () => undefined,
    endWhilePaused: () => undefined,
    error: () => undefined,
    close: () => undefined,
    drain: () => drains.count++,
    finished: () => undefined,
  };
}

/** A ws server and a ws client connected to it, each side's socket at hand. */
async function pair(): Promise<{ server: WebSocket; client: WebSocket; serverGot: Buffer[] }> {
  let server: WebSocket | undefined;
  const ws = await wsServer((socket) => (server = socket));
  cleanups.push(() => ws.close());
  const client = new WebSocket(`ws://127.0.0.1:${ws.port}/`, ['msrp'], WS_OPTIONS);
  cleanups.push(() => client.terminate());
  await once(client, 'open');
  await until(() => server !== undefined);
  return { server: server!, client, serverGot: ws.raw };
}

/** A server-side wsStream, opened; what its client got, and the TCP socket under it. */
async function serverStream(): Promise<{
  got: Buffer[];
  tcp: { writableCorked: number };
  stream: ByteStream;
}> {
  const { server, client } = await pair();
  const got: Buffer[] = [];
  client.on('message', (data: RawData) => got.push(data as Buffer));
  const tcp = (server as unknown as { _socket: { writableCorked: number } })._socket;
  const stream = wsStream(server);
  stream.open(events([], { count: 0 }));
  return { got, tcp, stream };
}

/** The same messages, byte for byte (a deep `toEqual` of large Buffers is slow). */
function expectSame(got: Buffer[], sent: Buffer[]): void {
  expect(got.map((m) => m.length)).toEqual(sent.map((m) => m.length));
  expect(got.every((m, i) => m.equals(sent[i]!))).toBe(true);
}

function writeAll(stream: ByteStream, seed: number): Buffer[] {
  return LENGTHS.map((length, i) => {
    const message = parts(length, seed + i);
    stream.write(message);
    return Buffer.concat(message);
  });
}

describe('wsStream frames', () => {
  it('server: each write is one unmasked frame of the parts as they are, not ws.send', async () => {
    const { server, client } = await pair();
    const got: Buffer[] = [];
    client.on('message', (data: RawData) => got.push(data as Buffer));
    const closed = vi.fn();
    client.on('close', closed);
    const send = vi.spyOn(server, 'send');
    const tcp = (server as unknown as { _socket: { write(data: Uint8Array): boolean } })._socket;
    const tcpWrite = vi.spyOn(tcp, 'write');
    const stream = wsStream(server);
    stream.open(events([], { count: 0 }));
    const sent = writeAll(stream, 1);
    await until(() => got.length === sent.length);
    expectSame(got, sent);
    expect(send).not.toHaveBeenCalled();
    // The body part itself went to the socket: no copy of it was made.
    const body = parts(70001, 99)[1]!;
    stream.write([new Uint8Array(3), body, new Uint8Array(2)]);
    expect(tcpWrite.mock.calls.some(([data]) => data === body)).toBe(true);
    await until(() => got.length === sent.length + 1);
    expect(closed).not.toHaveBeenCalled();
  });

  it('client: each write is one masked frame ws accepts, made without ws.send', async () => {
    const { client, serverGot } = await pair();
    const send = vi.spyOn(client, 'send');
    const stream = wsStream(client);
    stream.open(events([], { count: 0 }));
    const sent = [...writeAll(stream, 2), ...writeAll(stream, 3)];
    await until(() => serverGot.length === sent.length);
    expectSame(serverGot, sent);
    expect(send).not.toHaveBeenCalled();
    // The caller's parts are left as they were: the masking happened in a copy.
    const message = parts(1000, 5);
    const before = Buffer.concat(message);
    stream.write(message);
    expect(Buffer.concat(message).equals(before)).toBe(true);
    await until(() => serverGot.length === sent.length + 1);
    expect(serverGot.at(-1)!.equals(before)).toBe(true);
  });

  it('client: message after message of chunk size arrives intact (buffers are reused)', async () => {
    const { server, client, serverGot } = await pair();
    const stream = wsStream(client);
    stream.open(events([], { count: 0 }));
    const sent: Buffer[] = [];
    // Rounds the server does not read until all is written, so that most messages wait in
    // the client's socket; each round once the last arrived, taking earlier rounds' buffers.
    for (let round = 0; round < 3; round++) {
      server.pause();
      // Until more than the kernel took waits in the client's socket (bounded).
      for (let i = 0; i < 1000 && stream.bufferedAmount < 1024 * 1024; i++) {
        const length = i % 3 === 1 ? 20_000 : 64 * 1024 + 90;
        const message = parts(length, sent.length);
        stream.write(message);
        sent.push(Buffer.concat(message));
      }
      expect(stream.bufferedAmount).toBeGreaterThanOrEqual(1024 * 1024);
      server.resume();
      await until(() => serverGot.length === sent.length);
    }
    expectSame(serverGot, sent);
  });

  it('the messages of one turn go out together, large ones too, in order', async () => {
    const { got, tcp, stream } = await serverStream();
    // A chunk-sized message first: sent at once, it was a writev of its own per chunk.
    const sent = [70_000, 100, 65_536, 300].map((length, i) => {
      const message = parts(length, 40 + i);
      stream.write(message);
      expect(tcp.writableCorked).toBe(1);
      return Buffer.concat(message);
    });
    // Still held after this tick: they leave at the end of the turn, with its I/O callbacks.
    await new Promise((resolve) => process.nextTick(resolve));
    expect(tcp.writableCorked).toBe(1);
    await until(() => got.length === sent.length);
    expectSame(got, sent);
    expect(tcp.writableCorked).toBe(0);
  });

  it('flush sends what the turn wrote at once', async () => {
    const { got, tcp, stream } = await serverStream();
    const message = parts(200, 50);
    stream.write(message);
    stream.flush?.();
    expect(tcp.writableCorked).toBe(0);
    await until(() => got.length === 1);
    expectSame(got, [Buffer.concat(message)]);
    // The next write gathers again.
    stream.write(parts(10, 51));
    expect(tcp.writableCorked).toBe(1);
    await until(() => got.length === 2);
  });

  it('drain follows a write past the high-water mark, from the socket write callback', async () => {
    const { server, client } = await pair();
    let got = 0;
    client.on('message', () => got++);
    const drains = { count: 0 };
    const stream = wsStream(server, undefined, { highWaterMark: 1 });
    stream.open(events([], drains));
    expect(stream.write(parts(4 * 1024 * 1024, 7))).toBe(false);
    await until(() => drains.count === 1);
    await until(() => got === 1);
  });

  it('falls back to send on a socket without ws internals, the parts joined', () => {
    const sent: Uint8Array[] = [];
    const socket = {
      binaryType: '',
      bufferedAmount: 0,
      readyState: 1,
      protocol: 'msrp',
      url: 'ws://x/',
      send: (data: Uint8Array) => sent.push(data),
      close: () => undefined,
      pause: () => undefined,
      resume: () => undefined,
      terminate: () => undefined,
      on: () => undefined,
      addEventListener: () => undefined,
    };
    const stream = wsStream(socket);
    stream.open(events([], { count: 0 }));
    const message = parts(300, 9);
    expect(stream.write(message)).toBe(true);
    expect(sent.map((s) => Buffer.from(s))).toEqual([Buffer.concat(message)]);
  });
});
