// A WebSocket handshake the relay refuses (no `msrp` subprotocol, a foreign Origin, another
// path, no room for another connection) is answered with its status and `Connection: close`, and then the connection IS
// closed, even when the client keeps its side of it open: such a half-open client once held
// its socket, and the relay's shutdown, for ever.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { onCleanup, startRelay } from './helpers.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** Sends a WebSocket handshake for the `msrp` subprotocol on `socket`. */
function handshake(socket: Socket, path = '/', headers = 'Sec-WebSocket-Protocol: msrp\r\n'): void {
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${headers}\r\n`,
  );
}

/** What the server answers a handshake, up to the end of its status line (the socket stays open). */
function statusLine(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const read = (data: Buffer): void => {
      answer += data.toString('latin1');
      if (!answer.includes('\r\n')) return;
      socket.off('data', read);
      resolve(answer.slice(0, answer.indexOf('\r\n')));
    };
    socket.on('data', read);
  });
}

describe('a refused WebSocket handshake', () => {
  it.each([
    ['no msrp subprotocol', '/', 'Sec-WebSocket-Protocol: sip\r\n', 400],
    [
      'a foreign Origin',
      '/',
      'Sec-WebSocket-Protocol: msrp\r\nOrigin: https://evil.example.com\r\n',
      403,
    ],
    ['another path', '/other', 'Sec-WebSocket-Protocol: msrp\r\n', 404],
  ])(
    '(%s) is answered, then closed although the client keeps its side open',
    async (_, path, headers, status) => {
      const { relay } = await startRelay();
      const ws = await relay.listen({
        host: '127.0.0.1',
        port: 0,
        transport: 'ws',
        webSocket: { origins: ['https://chat.example.net'] },
      });
      // A client that never closes its side, even after the server's FIN.
      const socket = connect({ port: ws.port!, host: '127.0.0.1', allowHalfOpen: true });
      onCleanup(() => socket.destroy());
      socket.on('error', () => undefined);
      await once(socket, 'connect');
      handshake(socket, path, headers);
      let answer = '';
      socket.on('data', (data: Buffer) => (answer += data.toString()));
      await once(socket, 'end');
      expect(answer).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(answer).toMatch(/\r\nConnection: close\r\n/i);
      // The relay closes, its listener with it: that waits for every connection to be gone.
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        relay.close(1000).then(() => 'closed'),
        new Promise((resolve) => (timer = setTimeout(() => resolve('still open'), 5000))),
      ]).finally(() => clearTimeout(timer));
      expect(closed).toBe('closed');
    },
    10_000,
  );

  it('past the connection limit is answered 503, not upgraded and dropped', async () => {
    const { relay } = await startRelay({ limits: { maxConnectionsPerAddress: 1 } });
    const ws = await relay.listen({ host: '127.0.0.1', port: 0, transport: 'ws' });
    const open = async (): Promise<Socket> => {
      const socket = connect({ port: ws.port!, host: '127.0.0.1' });
      onCleanup(() => socket.destroy());
      socket.on('error', () => undefined);
      await once(socket, 'connect');
      handshake(socket);
      return socket;
    };
    expect(await statusLine(await open())).toBe('HTTP/1.1 101 Switching Protocols');
    // The address has its one connection: a second is told why, before any upgrade.
    expect(await statusLine(await open())).toBe('HTTP/1.1 503 Service Unavailable');
    expect(relay.stats.connectionsRefused).toBe(1);
    expect(relay.connectionCount).toBe(1);
  });
});
