// RFC 7977 §5.1 and §4.2 over real WebSockets (issue 10): a session writes each chunk whole in
// one message, even with a large chunkSize; a peer that puts two frames in one message is
// closed with 1002 without hurting other connections; text messages are raw bytes, even
// when they are not UTF-8. Servers are ws WebSocketServers on 127.0.0.1 (port 0).
import { once } from 'node:events';
import { WebSocket, type RawData } from 'ws';
import { describe, expect, it } from 'vitest';
import {
  dialWs,
  Endpoint,
  formatUri,
  Parser,
  unreachableHost,
  WS_OPTIONS,
  webSocketStream,
  wsStream,
  type ByteStreamEvents,
  type IncomingMessage,
  type MsrpError,
  type RequestHead,
  type Session,
  type WebSocketLike,
} from '../src/index.js';
import { Connection, type ConnectionHandler } from '../src/internal.js';
import { until } from './helpers/socket-pair.js';
import { clientUri, wsServer, wsUri, type WsServer } from './helpers/ws-server.js';
import { cleanups } from './helpers/cleanups.js';

const KiB = 1024;
const decoder = new TextDecoder();

function endpoint(): Endpoint {
  const e = new Endpoint();
  cleanups.push(() => e.close());
  return e;
}

/** A Node Endpoint behind a ws server, with one accepted session at `msrp://...;ws`. */
async function msrpServer(): Promise<{ ws: WsServer; bob: Endpoint; session: Session }> {
  const bob = endpoint();
  const ws = await wsServer((socket) => bob.acceptConnection(wsStream(socket)));
  cleanups.push(() => ws.close());
  const session = bob.createSession({ localUri: wsUri(ws.port, 'server1') });
  session.accept();
  return { ws, bob, session };
}

/** A raw ws client of `ws`, with every message it receives and how it was closed. */
async function rawClient(ws: WsServer) {
  const socket = new WebSocket(`ws://127.0.0.1:${ws.port}/`, ['msrp'], WS_OPTIONS);
  cleanups.push(() => socket.terminate());
  const replies: string[] = [];
  socket.on('message', (data: RawData) => replies.push(decoder.decode(data as Buffer)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await once(socket, 'open');
  return { socket, replies, closed };
}

/** A SEND chunk of a one-chunk message, as bytes. */
function send(bob: Session, tid: string, body: Uint8Array | string): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  const from = `msrp://${unreachableHost()}:2855/raw-${tid};ws`;
  return Buffer.concat([
    Buffer.from(
      `MSRP ${tid} SEND\r\nTo-Path: ${formatUri(bob.localUri)}\r\nFrom-Path: ${from}\r\n` +
        `Message-ID: m-${tid}\r\nByte-Range: 1-${bytes.length}/${bytes.length}\r\n` +
        `Content-Type: application/octet-stream\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n-------${tid}$\r\n`),
  ]);
}

/** The frames that `message` holds when parsed alone: heads and end flags, and any rest. */
function framesOf(message: Uint8Array) {
  const heads: RequestHead[] = [];
  const ends: string[] = [];
  let body = 0;
  const parser = new Parser({
    head: (head) => void heads.push(head as RequestHead),
    body: (part) => void (body += part.length),
    end: (flag) => void ends.push(flag),
  });
  parser.push(message);
  return { heads, ends, body, partial: parser.inFrame };
}

/** Each session's one reader. */
const inboxes = new WeakMap<Session, AsyncIterator<IncomingMessage>>();

async function next(session: Session): Promise<IncomingMessage> {
  let inbox = inboxes.get(session);
  if (!inbox) inboxes.set(session, (inbox = session[Symbol.asyncIterator]()));
  return (await inbox.next()).value as IncomingMessage;
}

async function bytesOf(message: IncomingMessage): Promise<Buffer> {
  if (!message.stream) return Buffer.from(message.body!);
  const pieces: Uint8Array[] = [];
  for await (const piece of message.stream) pieces.push(piece);
  return Buffer.concat(pieces);
}

describe('sending over a WebSocket: one whole chunk per message (RFC 7977 §5.1)', () => {
  it('a session with a 1 MiB chunkSize writes chunks of at most 256 KiB, each one whole message', async () => {
    const { ws, session: bob } = await msrpServer();
    const alice = endpoint().createSession({
      localUri: clientUri('alice1'),
      chunkSize: 1024 * KiB,
    });
    await alice.connect([bob.localUri]);
    const before = ws.raw.length;

    const content = Buffer.alloc(3 * 1024 * KiB);
    for (let i = 0; i < content.length; i++) content[i] = (i * 131 + 17) & 0xff;
    const sent = alice.send(content, { contentType: 'application/octet-stream' });
    expect(Buffer.compare(await bytesOf(await next(bob)), content)).toBe(0);
    await sent;

    const messages = ws.raw.slice(before).map(framesOf);
    for (const frames of messages) {
      expect(frames.heads).toHaveLength(1);
      expect(frames.ends).toHaveLength(1);
      expect(frames.partial).toBe(false);
      expect(frames.body).toBeLessThanOrEqual(256 * KiB);
    }
    const chunks = messages.filter((frames) => frames.heads[0]!.method === 'SEND');
    expect(chunks.map((frames) => frames.body)).toEqual(new Array(12).fill(256 * KiB));
  });

  it('Connection.writeParts on a WebSocket joins the parts into one message', async () => {
    const ws = await wsServer(() => undefined);
    cleanups.push(() => ws.close());
    const stream = await dialWs(wsUri(ws.port, 'x'), {});
    const connection = new Connection(stream, {
      head: () => true,
      body: () => true,
      end: () => true,
      protocolError: () => undefined,
      closed: () => undefined,
    });
    cleanups.push(() => connection.destroy());
    expect(connection.messageFramed).toBe(true);
    const parts = ['one ', 'two ', 'three'].map((text) => Buffer.from(text));
    await connection.writeParts(
      Buffer.from('MSRP a1 SEND\r\n\r\n'),
      () => parts.shift(),
      () => Buffer.from('\r\n-------a1$\r\n'),
    );
    await until(() => ws.raw.length > 0, 5000, 'the message');
    await connection.write([Buffer.from('MSRP a2 SEND\r\n-------a2$\r\n')]);
    await until(() => ws.raw.length > 1, 5000, 'the second message');
    expect(ws.received).toEqual([
      'MSRP a1 SEND\r\n\r\none two three\r\n-------a1$\r\n',
      'MSRP a2 SEND\r\n-------a2$\r\n',
    ]);
  });
});

describe('receiving over a WebSocket: one frame per message (RFC 7977 §5.1)', () => {
  it('closes a peer that puts two chunks in one message with 1002; another connection goes on', async () => {
    const { ws, bob, session } = await msrpServer();
    const errors: MsrpError[] = [];
    bob.on('peerError', (error) => errors.push(error));
    const bad = await rawClient(ws);
    const good = await rawClient(ws);

    bad.socket.send(
      Buffer.concat([send(session, 'tx0b1', 'first'), send(session, 'tx0b2', 'second')]),
    );
    const { code, reason } = await bad.closed;
    expect(code).toBe(1002);
    expect(reason).toBe('Two MSRP frames in one WebSocket message (RFC 7977 §5.1)');
    expect(errors.map((e) => e.code)).toEqual(['MSRP_ERR_MESSAGE_FRAMING']);

    // The frame before the fault was whole: it was delivered (and answered) before the
    // second one began.
    expect((await next(session)).text()).toBe('first');
    // The other connection (to another session) is untouched: a chunk split across two
    // messages is accepted.
    const other = bob.createSession({ localUri: wsUri(ws.port, 'server2') });
    other.accept();
    const chunk = send(other, 'tx0g1', 'still here');
    good.socket.send(chunk.subarray(0, 100));
    good.socket.send(chunk.subarray(100));
    expect((await next(other)).text()).toBe('still here');
    await until(() => good.replies.length > 0, 5000, 'the 200');
    expect(good.replies[0]).toMatch(/^MSRP tx0g1 200 OK\r\n/);
    expect(good.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('also when the second frame only begins in the message and ends in the next one', async () => {
    const { ws, bob, session } = await msrpServer();
    const errors: MsrpError[] = [];
    bob.on('peerError', (error) => errors.push(error));
    const bad = await rawClient(ws);
    const second = send(session, 'tx0c2', 'second');
    bad.socket.send(Buffer.concat([send(session, 'tx0c1', 'first'), second.subarray(0, 8)]));
    bad.socket.send(second.subarray(8));
    expect((await bad.closed).code).toBe(1002);
    expect(errors.map((e) => e.code)).toEqual(['MSRP_ERR_MESSAGE_FRAMING']);
  });
});

describe('a browser WebSocket (webSocketStream) and the §5.1 close', () => {
  /** A standard WebSocket as a browser's: scripts may close only with 1000 or 3000-4999. */
  function browserSocket() {
    const listeners = new Map<string, (event: { data?: unknown }) => void>();
    const closes: Array<[number | undefined, string | undefined]> = [];
    const socket = {
      binaryType: 'blob',
      bufferedAmount: 0,
      readyState: 1,
      protocol: 'msrp',
      url: 'wss://relay.example.com/',
      send: () => undefined,
      close(code?: number, reason?: string) {
        if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999))
          throw new DOMException('Invalid code', 'InvalidAccessError');
        closes.push([code, reason]);
        socket.readyState = 2;
      },
      addEventListener(type: string, listener: (event: { data?: unknown }) => void) {
        listeners.set(type, listener);
      },
    };
    const message = (data: unknown) => listeners.get('message')!({ data });
    return { socket: socket as unknown as WebSocketLike, closes, message };
  }

  it('closes with 1000 and the reason where 1002 is refused, after the frame before it', () => {
    const { socket, closes, message } = browserSocket();
    const frames: string[] = [];
    const errors: string[] = [];
    const handler: ConnectionHandler = {
      head: (head) => void frames.push(head.transactionId),
      body: () => true,
      end: () => true,
      protocolError: (error) => void errors.push(error.code),
      closed: () => undefined,
    };
    new Connection(webSocketStream(socket), handler);
    const one =
      'MSRP tx0one SEND\r\nTo-Path: msrp://a.example.com/s;ws\r\n' +
      'From-Path: msrp://b.example.com/s;ws\r\nMessage-ID: msg-one\r\n-------tx0one$\r\n';
    message(new TextEncoder().encode(one).buffer);
    message(one + one.replaceAll('one', 'two'));
    expect(frames).toEqual(['tx0one', 'tx0one']);
    expect(errors).toEqual(['MSRP_ERR_MESSAGE_FRAMING']);
    expect(closes).toEqual([[1000, 'Two MSRP frames in one WebSocket message (RFC 7977 §5.1)']]);
  });
});

describe('text messages are raw bytes (RFC 7977 §4.2)', () => {
  const invalidUtf8 = Buffer.from([0x61, 0xff, 0xfe, 0xc3, 0x28, 0x80, 0x62, 0xed, 0xa0, 0x80]);

  it('a text message whose chunk body is not UTF-8 arrives byte-exact at a wsStream server', async () => {
    const { ws, session } = await msrpServer();
    const raw = await rawClient(ws);
    raw.socket.send(send(session, 'tx0t1', invalidUtf8), { binary: false });
    const message = await next(session);
    expect(Buffer.compare(Buffer.from(message.body!), invalidUtf8)).toBe(0);
    await until(() => raw.replies.length > 0, 5000, 'the 200');
    expect(raw.replies[0]).toMatch(/^MSRP tx0t1 200 OK\r\n/);
  });

  it('dialWs takes a text message that is not UTF-8 as its bytes, and stays open', async () => {
    let server: WebSocket | undefined;
    const ws = await wsServer((socket) => (server = socket));
    cleanups.push(() => ws.close());
    const stream = await dialWs(wsUri(ws.port, 'x'), {});
    cleanups.push(() => stream.destroy());
    const data: Uint8Array[] = [];
    const seen: string[] = [];
    const events: ByteStreamEvents = {
      data: (bytes) => void data.push(bytes),
      drain: () => undefined,
      end: () => seen.push('end'),
      endWhilePaused: () => seen.push('endWhilePaused'),
      finished: () => undefined,
      error: (e) => seen.push(`error:${e.message}`),
      close: () => seen.push('close'),
    };
    stream.open(events);
    await until(() => server !== undefined, 5000, 'the server socket');
    server!.send(invalidUtf8, { binary: false });
    server!.send(Buffer.from('after'), { binary: false });
    await until(() => data.length === 2, 5000, 'two messages');
    expect(Buffer.compare(Buffer.from(data[0]!), invalidUtf8)).toBe(0);
    expect(decoder.decode(data[1])).toBe('after');
    expect(seen).toEqual([]);
    expect(stream.writable).toBe(true);
  });
});
