// A WebSocket handshake the relay refuses (no `msrp` subprotocol, a foreign Origin, another
// path) is answered with its status and `Connection: close`, and then the connection IS
// closed, even when the client keeps its side of it open: such a half-open client once held
// its socket, and the relay's shutdown, for ever.
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { onCleanup, startRelay } from './helpers.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

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
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${headers}\r\n`,
      );
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
});
