// MSRP over WebSocket (RFC 7977, issue 10): webSocketStream and dialWebSocket (runtime-neutral,
// driven here with the ws package's WebSocket) against a ws WebSocketServer whose connections
// go to a Node Endpoint through wsStream. Real sockets on 127.0.0.1.
import { once } from 'node:events';
import { WebSocket, type RawData } from 'ws';
import { describe, expect, it, vi } from 'vitest';
import { Endpoint as BrowserEndpoint } from '../src/browser.js';
import {
  Endpoint,
  formatUri,
  MsrpError,
  parseUri,
  unreachableHost,
  webSocketDialer,
  webSocketStream,
  wsStream,
  type ByteStream,
  type ByteStreamEvents,
  type IncomingMessage,
} from '../src/index.js';
import { until } from './helpers/socket-pair.js';
import {
  clientUri,
  wsServer as startWsServer,
  wsUri,
  type WsServer,
  type WsServerOptions,
} from './helpers/ws-server.js';
import { cleanups } from './helpers/cleanups.js';

const decoder = new TextDecoder();

/** A ws server, stopped after the test. */
async function wsServer(
  onConnection: (socket: WebSocket) => void,
  options: WsServerOptions = {},
): Promise<WsServer> {
  const server = await startWsServer(onConnection, options);
  cleanups.push(() => server.close());
  return server;
}

const dialer = webSocketDialer({ WebSocket });

function endpoint(options: ConstructorParameters<typeof Endpoint>[0] = {}): Endpoint {
  const e = new Endpoint(options);
  cleanups.push(() => e.close());
  return e;
}

/** Events that record what they saw. */
function recorder(): { events: ByteStreamEvents; seen: string[]; data: Uint8Array[] } {
  const seen: string[] = [];
  const data: Uint8Array[] = [];
  const events: ByteStreamEvents = {
    data: (bytes) => void data.push(bytes),
    drain: () => seen.push('drain'),
    end: () => seen.push('end'),
    endWhilePaused: () => seen.push('endWhilePaused'),
    finished: () => seen.push('finished'),
    error: (e) => seen.push(`error:${e.message}`),
    close: () => seen.push('close'),
  };
  return { events, seen, data };
}

async function readAll(message: IncomingMessage): Promise<Uint8Array> {
  if (!message.stream) return message.body ?? new Uint8Array(0);
  const pieces: Uint8Array[] = [];
  for await (const piece of message.stream) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** A server endpoint behind a ws server, with one accepted session at `msrp://...;ws`. */
async function msrpServer() {
  const server = endpoint();
  const ws = await wsServer((socket) => server.acceptConnection(wsStream(socket)));
  const session = server.createSession({ localUri: wsUri(ws.port, 'server1') });
  session.accept();
  return { ws, session };
}

describe('MSRP over WebSocket (RFC 7977)', () => {
  it('chats both ways, and sends 3 MiB in 8 KiB chunks, one chunk per message (§5.1)', async () => {
    const { ws, session: bob } = await msrpServer();
    const client = endpoint({ dialers: { msrp: dialer } });
    const alice = client.createSession({ localUri: clientUri('alice1') });
    await alice.connect([bob.localUri]);
    const bobInbox = bob[Symbol.asyncIterator]();
    const aliceInbox = alice[Symbol.asyncIterator]();

    await alice.send('Hello Bob!');
    expect(((await bobInbox.next()).value as IncomingMessage).text()).toBe('Hello Bob!');
    await bob.send('Hi Alice!');
    expect(((await aliceInbox.next()).value as IncomingMessage).text()).toBe('Hi Alice!');

    const content = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31 + 7) & 0xff;
    const before = ws.received.length;
    const sent = alice.send(content, { contentType: 'application/octet-stream' });
    const big = (await bobInbox.next()).value as IncomingMessage;
    expect(Buffer.compare(await readAll(big), content)).toBe(0);
    await sent;

    // Every message is exactly one whole frame: one start line, one end-line, at its end.
    const messages = ws.received.slice(before);
    for (const text of messages) {
      expect(text.match(/^MSRP \S+ /gm)).toHaveLength(1);
      expect(text.match(/^-------\S+[$+#]\r\n/gm)).toHaveLength(1);
      expect(text).toMatch(/\r\n-------\S+[$+#]\r\n$/);
    }
    const chunks = messages.filter((text) => /^MSRP \S+ SEND\r\n/.test(text));
    expect(chunks).toHaveLength(384);
  });

  it('takes text messages from the peer as bytes (§4.2)', async () => {
    const { ws, session: bob } = await msrpServer();
    const raw = new WebSocket(`ws://127.0.0.1:${ws.port}/`, ['msrp']);
    cleanups.push(() => raw.terminate());
    await once(raw, 'open');
    const replies: string[] = [];
    raw.on('message', (data: RawData) => replies.push(decoder.decode(data as Buffer)));
    const from = `msrp://${unreachableHost()}:2855/raw1;ws`;
    const body = 'héllo';
    const length = Buffer.byteLength(body);
    raw.send(
      `MSRP tx0001 SEND\r\nTo-Path: ${formatUri(bob.localUri)}\r\nFrom-Path: ${from}\r\n` +
        `Message-ID: msg0001\r\nByte-Range: 1-${length}/${length}\r\nContent-Type: text/plain\r\n\r\n` +
        `${body}\r\n-------tx0001$\r\n`,
    );
    const message = (await bob[Symbol.asyncIterator]().next()).value as IncomingMessage;
    expect(message.text()).toBe(body);
    await until(() => replies.length > 0, 5000, 'the 200 response');
    expect(replies[0]).toMatch(/^MSRP tx0001 200 OK\r\n/);
  });

  it('refuses a server that does not select the msrp subprotocol (§4.1)', async () => {
    const ws = await wsServer(() => undefined, { selectProtocol: () => false });
    const uri = wsUri(ws.port, 'x');
    const error = await dialer(uri, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsrpError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_CONNECTION' });
    expect((error as Error).message).toMatch(/subprotocol.*RFC 7977 §4\.1/);

    // A WebSocket class that does not check it itself (here: one that offers none).
    const lax = webSocketDialer({
      WebSocket: class extends WebSocket {
        constructor(url: string) {
          super(url);
        }
      },
    });
    const laxError = await lax(uri, {}).catch((e: unknown) => e);
    expect(laxError).toBeInstanceOf(MsrpError);
    expect((laxError as Error).message).toBe(
      `Cannot connect to ws://127.0.0.1:${ws.port}/: the server did not select the "msrp" subprotocol (RFC 7977 §4.1)`,
    );
    // The refused connection was closed.
    await until(() => ws.wss.clients.size === 0, 5000, 'the server to see the close');
  });

  it('refuses a URI whose transport is not ws, and maps msrps to wss', async () => {
    const tcp = parseUri('msrp://127.0.0.1:2855/x;tcp');
    await expect(dialer(tcp, {})).rejects.toMatchObject({ code: 'MSRP_ERR_INVALID_ARGUMENT' });
    const { webSocketUrl } = await import('../src/index.js');
    expect(webSocketUrl(parseUri('msrps://relay.example.com:443/x;ws'))).toBe(
      'wss://relay.example.com:443/',
    );
    expect(webSocketUrl(parseUri('msrp://[::1]:8080;ws'))).toBe('ws://[::1]:8080/');
    expect(webSocketUrl(parseUri('msrps://relay.example.com;ws'))).toBe('wss://relay.example.com/');
  });
});

describe('the browser Endpoint', () => {
  it('dials ;ws URIs of both schemes over the global WebSocket, and refuses other transports', async () => {
    const { session: bob } = await msrpServer();
    const browser = new BrowserEndpoint();
    cleanups.push(() => browser.close());
    const tcp = browser.createSession({ localUri: clientUri('tcp1') });
    await expect(tcp.connect([parseUri('msrp://127.0.0.1:2855/x;tcp')])).rejects.toThrow(
      /only ";ws" URIs are \(RFC 7977\)/,
    );
    // Node 20 has no global WebSocket: said so, with the way out.
    const none = browser.createSession({ localUri: clientUri('none1') });
    await expect(none.connect([bob.localUri])).rejects.toThrow(/no global WebSocket/);

    vi.stubGlobal('WebSocket', WebSocket);
    cleanups.push(() => vi.unstubAllGlobals());
    const alice = browser.createSession({ localUri: clientUri('alice2') });
    await alice.connect([bob.localUri]);
    await alice.send('over the global WebSocket');
    const message = (await bob[Symbol.asyncIterator]().next()).value as IncomingMessage;
    expect(message.text()).toBe('over the global WebSocket');
  });
});

describe('the WebSocket stream lifecycle', () => {
  /** A client stream dialed to a ws server, and the server's wsStream, both opened. */
  async function connectedPair(serverStream: (socket: WebSocket) => ByteStream = wsStream) {
    let accepted: ((s: WebSocket) => void) | undefined;
    const serverSocket = new Promise<WebSocket>((resolve) => (accepted = resolve));
    const ws = await wsServer((socket) => accepted!(socket));
    const client = await dialer(wsUri(ws.port, 'x'), {});
    cleanups.push(() => client.destroy());
    const socket = await serverSocket;
    const server = serverStream(socket);
    const clientSeen = recorder();
    const serverSeen = recorder();
    client.open(clientSeen.events);
    server.open(serverSeen.events);
    return { ws, socket, client, server, clientSeen, serverSeen };
  }

  it('names the peer by its TCP address (wsStream) or URL (webSocketStream)', async () => {
    const { ws, socket, client, server } = await connectedPair();
    expect(client.remote).toBe(`ws://127.0.0.1:${ws.port}/`);
    expect(server.remoteAddress).toBe('127.0.0.1');
    expect(server.localAddress).toBe('127.0.0.1');
    expect(server.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(wsStream(socket, 'peer-a').remote).toBe('peer-a');
  });

  it('end() sends what is queued, then closes with 1000: the peer sees end, then close', async () => {
    const { socket, client, clientSeen, serverSeen } = await connectedPair();
    const closed = once(socket, 'close') as Promise<[number, Buffer]>;
    client.write([Buffer.from('last words')]);
    client.end();
    expect(client.writable).toBe(false);
    const [code] = await closed;
    expect(code).toBe(1000);
    await until(() => serverSeen.seen.includes('close'), 5000, 'the server stream to close');
    expect(decoder.decode(Buffer.concat(serverSeen.data))).toBe('last words');
    expect(serverSeen.seen).toEqual(['end', 'close']);
    await until(() => clientSeen.seen.includes('close'), 5000, 'the client stream to close');
    expect(clientSeen.seen).toEqual(['finished', 'end', 'close']);
  });

  // A browser's WebSocket cannot stop reading: webSocketStream holds what comes while paused.
  const neutral = (socket: WebSocket): ByteStream => webSocketStream(socket);

  it('holds messages while paused; a close behind them is endWhilePaused', async () => {
    const { client, server, serverSeen } = await connectedPair(neutral);
    server.pause();
    client.write([Buffer.from('held')]);
    client.end();
    await until(() => serverSeen.seen.includes('close'), 5000, 'the server stream to close');
    expect(serverSeen.data).toEqual([]);
    expect(serverSeen.seen).toEqual(['endWhilePaused', 'close']);
  });

  it('delivers held messages on resume, in order', async () => {
    const { socket, client, server, serverSeen } = await connectedPair(neutral);
    server.pause();
    let received = 0;
    socket.on('message', () => received++);
    for (const text of ['one', 'two', 'three']) client.write([Buffer.from(text)]);
    await until(() => received === 3, 5000, 'three messages');
    server.resume();
    expect(serverSeen.data.map((bytes) => decoder.decode(bytes))).toEqual(['one', 'two', 'three']);
  });

  it('destroy() drops the connection at once; the peer sees an abnormal close (1006), no end', async () => {
    const { socket, server, serverSeen, clientSeen } = await connectedPair();
    server.destroy(new Error('gone'));
    expect(server.writable).toBe(false);
    expect(server.write([Buffer.from('x')])).toBe(false);
    await until(() => serverSeen.seen.includes('close'), 5000, 'the server stream to close');
    expect(serverSeen.seen).toEqual(['error:gone', 'close']);
    await until(() => clientSeen.seen.includes('close'), 5000, 'the client stream to close');
    // Dropped without the closing handshake (wsStream terminates): an error, and no end.
    expect(clientSeen.seen).toEqual(['error:WebSocket error: closed with code 1006', 'close']);
    expect(socket.readyState).toBeGreaterThanOrEqual(WebSocket.CLOSING);
  });
});

describe('backpressure over a WebSocket', () => {
  const MESSAGE = 64 * 1024;
  const TOTAL = 48 * 1024 * 1024;

  /** Writes TOTAL bytes in MESSAGE-byte writes, waiting for drain whenever write says so. */
  function writer(stream: ByteStream, drains: { wait?: () => void }) {
    const state = { written: 0, blocked: false, maxBuffered: 0, done: false };
    const message = Buffer.alloc(MESSAGE, 0x61);
    const run = async (): Promise<void> => {
      while (state.written < TOTAL) {
        const room = stream.write([message.subarray(0, 100), message.subarray(100)]);
        state.written += MESSAGE;
        state.maxBuffered = Math.max(state.maxBuffered, stream.bufferedAmount);
        if (!room) {
          state.blocked = true;
          await new Promise<void>((resolve) => (drains.wait = resolve));
          state.blocked = false;
        }
      }
      state.done = true;
    };
    return { state, done: run() };
  }

  it('webSocketStream: write returns false past the high-water mark; drain once the peer reads (wsStream pauses)', async () => {
    const highWaterMark = 256 * 1024;
    let serverStream: ByteStream | undefined;
    const server = recorder();
    const ws = await wsServer((socket) => {
      serverStream = wsStream(socket);
      serverStream.open(server.events);
      serverStream.pause(); // stops reading the TCP socket
    });
    const client = await webSocketDialer({ WebSocket, highWaterMark })(wsUri(ws.port, 'x'), {});
    cleanups.push(() => client.destroy());
    const drains: { wait?: () => void } = {};
    const seen = recorder();
    client.open({ ...seen.events, drain: () => drains.wait?.() });
    const { state, done } = writer(client, drains);

    await until(() => state.blocked && serverStream !== undefined, 10_000, 'the writer to block');
    // The peer reads nothing: what we buffer stays at the mark plus one message.
    expect(state.written).toBeLessThan(TOTAL);
    expect(state.maxBuffered).toBeLessThanOrEqual(highWaterMark + MESSAGE);
    const delivered = server.data.reduce((n, b) => n + b.length, 0);
    expect(delivered).toBeLessThan(state.written);

    serverStream!.resume();
    await done;
    expect(state.maxBuffered).toBeLessThanOrEqual(highWaterMark + MESSAGE);
    await until(() => server.data.reduce((n, b) => n + b.length, 0) === TOTAL, 20_000, 'all bytes');
    // One write, one message: every one whole.
    expect(server.data.every((bytes) => bytes.length === MESSAGE)).toBe(true);
  });

  it('wsStream: drain from the send callbacks while the peer does not read', async () => {
    const highWaterMark = 256 * 1024;
    const drains: { wait?: () => void } = {};
    let run: ReturnType<typeof writer> | undefined;
    const ws = await wsServer((socket) => {
      const stream = wsStream(socket, undefined, { highWaterMark });
      stream.open({ ...recorder().events, drain: () => drains.wait?.() });
      run = writer(stream, drains);
    });
    const raw = new WebSocket(`ws://127.0.0.1:${ws.port}/`, ['msrp']);
    cleanups.push(() => raw.terminate());
    let received = 0;
    raw.on('message', (data: Buffer) => (received += data.length));
    await once(raw, 'open');
    raw.pause();

    await until(() => run?.state.blocked === true, 10_000, 'the writer to block');
    expect(run!.state.written).toBeLessThan(TOTAL);
    expect(run!.state.maxBuffered).toBeLessThanOrEqual(highWaterMark + MESSAGE);
    raw.resume();
    await run!.done;
    await until(() => received === TOTAL, 20_000, 'all bytes');
    expect(run!.state.maxBuffered).toBeLessThanOrEqual(highWaterMark + MESSAGE);
  });
});
