// A WebSocket peer that breaks MSRP (RFC 4975) gets a close that says so. RFC 6455 §7.4.1
// keeps 1000 for "a normal closure, meaning that the purpose for which the connection was
// established has been fulfilled", and 1002 for "terminating the connection due to a
// protocol error"; the ByteStream contract (destroy, end) says the same: "a WebSocket closes
// with code 1002 and the error's message as reason". Unlike the RFC 7977 §5.1 fault
// (websocket-framing.test.ts), what is queued for the peer (its 400) still goes out first.
// Servers are ws WebSocketServers on 127.0.0.1 (port 0).
import { once } from 'node:events';
import { WebSocket, type RawData } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Endpoint,
  WS_OPTIONS,
  webSocketStream,
  wsStream,
  type EndpointOptions,
  type MsrpError,
  type WebSocketLike,
} from '../src/index.js';
import { Connection, type ConnectionHandler } from '../src/internal.js';
import { until } from './helpers/socket-pair.js';
import { wsServer, wsUri } from './helpers/ws-server.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** RFC 6455 §5.5.1: a close reason fits a control frame, 123 bytes after the code. */
const MAX_REASON_BYTES = 123;

/** An Endpoint behind a ws server, and a raw ws client of it: its messages, its close. */
async function endpointAndClient(options: EndpointOptions = {}) {
  const bob = new Endpoint(options);
  cleanups.push(() => bob.close());
  const errors: MsrpError[] = [];
  bob.on('peerError', (error) => errors.push(error));
  const ws = await wsServer((socket) => bob.acceptConnection(wsStream(socket)));
  cleanups.push(() => ws.close());
  const session = bob.createSession({ localUri: wsUri(ws.port, 'server1') });
  session.accept();
  const socket = new WebSocket(`ws://127.0.0.1:${ws.port}/`, ['msrp'], WS_OPTIONS);
  cleanups.push(() => socket.terminate());
  const replies: string[] = [];
  socket.on('message', (data: RawData) => replies.push((data as Buffer).toString('latin1')));
  const closed = new Promise<{ code: number; reason: string; replies: string[] }>((resolve) =>
    socket.on('close', (code, reason) =>
      resolve({ code, reason: reason.toString(), replies: [...replies] }),
    ),
  );
  await once(socket, 'open');
  return { socket, closed, errors };
}

describe('a WebSocket peer that breaks MSRP is closed with 1002, not a normal 1000', () => {
  it('bytes that are not MSRP: 1002 and the error as reason', async () => {
    const { socket, closed, errors } = await endpointAndClient();
    socket.send(Buffer.from('HELLO WORLD\r\n\r\n'));
    const { code, reason } = await closed;
    expect(errors.map((e) => e.code)).toEqual(['MSRP_ERR_BAD_START_LINE']);
    expect({ code, reason }).toEqual({ code: 1002, reason: errors[0]!.message });
  }, 10_000);

  it('a request too bad to read on: its 400 goes out first, then the 1002', async () => {
    const { socket, closed, errors } = await endpointAndClient();
    const head =
      'MSRP tx0bad1 SEND\r\nTo-Path: msrp://a.example.com/s;ws\r\n' +
      'From-Path: msrp://b.example.com/s;ws\r\n' +
      'X-Pad: x\r\n'.repeat(64);
    socket.send(Buffer.from(head));
    const { code, reason, replies } = await closed;
    expect(errors.map((e) => e.code)).toEqual(['MSRP_ERR_TOO_MANY_HEADERS']);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/^MSRP tx0bad1 400 /);
    expect({ code, reason }).toEqual({ code: 1002, reason: errors[0]!.message });
  }, 10_000);

  it('a reason longer than a close frame holds is cut to 123 bytes, whole characters', async () => {
    const { socket, closed, errors } = await endpointAndClient();
    socket.send(Buffer.from(`${'€'.repeat(80)}\r\n\r\n`));
    const { code, reason } = await closed;
    expect(code).toBe(1002);
    const message = errors[0]!.message;
    expect(Buffer.byteLength(message)).toBeGreaterThan(MAX_REASON_BYTES);
    // ws refuses a close reason that is not UTF-8 (1007): it would not have come this far.
    expect(message.startsWith(reason)).toBe(true);
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(MAX_REASON_BYTES);
    expect(Buffer.byteLength(reason)).toBeGreaterThan(MAX_REASON_BYTES - 4);
  }, 10_000);

  it('a frame that makes no progress (MSRP_ERR_FRAME_TIMEOUT): 1002 and the error', async () => {
    const { socket, closed, errors } = await endpointAndClient({ frameTimeout: 200 });
    socket.send(Buffer.from('MSRP tx0slow SEND\r\nTo-Path: msrp://a.example.com/s;ws\r\n'));
    const { code, reason } = await closed;
    expect(errors.map((e) => e.code)).toEqual(['MSRP_ERR_FRAME_TIMEOUT']);
    expect({ code, reason }).toEqual({ code: 1002, reason: errors[0]!.message });
  }, 10_000);
});

describe('a browser WebSocket (webSocketStream) and a protocol error', () => {
  it('closes with 1000 and the reason where 1002 is refused, after what was queued', async () => {
    // A standard WebSocket as a browser's: scripts may close only with 1000 or 3000-4999.
    const closes: Array<[number | undefined, string | undefined]> = [];
    const sent: string[] = [];
    let onMessage: ((event: { data: unknown }) => void) | undefined;
    const socket = {
      binaryType: 'blob',
      bufferedAmount: 0,
      readyState: 1,
      protocol: 'msrp',
      url: 'wss://relay.example.com/',
      send: (data: Uint8Array) => void sent.push(Buffer.from(data).toString()),
      close(code?: number, reason?: string) {
        if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999))
          throw new DOMException('Invalid code', 'InvalidAccessError');
        closes.push([code, reason]);
        socket.readyState = 2;
      },
      addEventListener(type: string, listener: (event: { data: unknown }) => void) {
        if (type === 'message') onMessage = listener;
      },
    };
    const errors: MsrpError[] = [];
    const handler: ConnectionHandler = {
      head: () => true,
      body: () => true,
      end: () => true,
      protocolError: (error) => void errors.push(error),
      closed: () => undefined,
    };
    const connection = new Connection(webSocketStream(socket as WebSocketLike), handler);
    void connection.write([Buffer.from('queued before the fault')]);
    onMessage!({ data: 'HELLO WORLD\r\n\r\n' });
    await until(() => closes.length > 0, 5000, 'the close');
    expect(errors.map((e) => e.code)).toEqual(['MSRP_ERR_BAD_START_LINE']);
    expect(sent).toEqual(['queued before the fault']);
    expect(closes).toEqual([[1000, errors[0]!.message]]);
  });
});
