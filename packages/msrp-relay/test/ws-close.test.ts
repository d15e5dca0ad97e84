// Closing a WebSocket listener ends the connections that never became WebSocket ones: one
// that opened TCP (or TLS) and sent nothing held the relay's shutdown for ever.
import { once } from 'node:events';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import { Relay, StaticCredentialStore } from '../src/index.js';
import { onCleanup, USERS } from './helpers.js';

describe('closing a WebSocket listener', () => {
  for (const secure of [false, true]) {
    it(`ends a connection that never sent a request (${secure ? 'wss' : 'ws'})`, async () => {
      const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
        keySize: 2048,
        algorithm: 'sha256',
      });
      const relay = new Relay({ credentials: new StaticCredentialStore(USERS) });
      onCleanup(() => relay.close(100));
      const uri = await relay.listen({
        host: '127.0.0.1',
        port: 0,
        transport: 'ws',
        ...(secure && { tls: { cert: pems.cert, key: pems.private } }),
      });
      let idle: Socket;
      if (secure) {
        idle = connectTls({ host: '127.0.0.1', port: uri.port!, rejectUnauthorized: false });
        await once(idle, 'secureConnect');
      } else {
        idle = connectTcp(uri.port!, '127.0.0.1');
        await once(idle, 'connect');
      }
      onCleanup(() => idle.destroy());
      const ended = once(idle, 'close');
      const started = Date.now();
      await relay.close(1000);
      await ended;
      // Not held until some HTTP timeout (minutes): closed within the relay's grace.
      expect(Date.now() - started).toBeLessThan(3000);
    });
  }
});
