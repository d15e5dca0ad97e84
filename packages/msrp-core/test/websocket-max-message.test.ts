// The largest WebSocket message a dialed WebSocket takes (EndpointOptions.maxWebSocketMessage):
// one message is one chunk (RFC 7977 §5.1), which `ws` holds whole before we see a byte, so a
// peer sending more than the limit is closed with 1009 (RFC 6455 §7.4.1), as the relay does.
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { Endpoint, wsStream, type EndpointOptions } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { clientUri, wsServer, wsUri } from './helpers/ws-server.js';
import { cleanups } from './helpers/cleanups.js';

function endpoint(options: EndpointOptions = {}): Endpoint {
  const e = new Endpoint(options);
  cleanups.push(() => e.close());
  return e;
}

/** The close code the server side of the next WebSocket gets, and the hook that tells it. */
function closeCode(): { closed: Promise<number>; watch: (socket: WebSocket) => void } {
  let watch!: (socket: WebSocket) => void;
  const closed = new Promise<number>((resolve) => {
    watch = (socket) => socket.once('close', (code: number) => resolve(code));
  });
  return { closed, watch };
}

/** Bob behind a ws server sends alice (who dialed it) one message of `bytes` in one chunk. */
async function bobSends(bytes: number, alice: EndpointOptions) {
  const bob = endpoint();
  const { closed, watch } = closeCode();
  const ws = await wsServer((socket) => {
    watch(socket);
    bob.acceptConnection(wsStream(socket));
  });
  cleanups.push(() => ws.close());
  const room = bob.createSession({ localUri: wsUri(ws.port, 'bob1'), chunkSize: bytes });
  room.accept();
  const session = endpoint(alice).createSession({ localUri: clientUri('alice1') });
  await session.connect([room.localUri]);
  const sent = room.send(new Uint8Array(bytes).fill(0x61));
  return { session, sent, closed };
}

describe('EndpointOptions.maxWebSocketMessage', () => {
  it('takes a chunk whose message fits', async () => {
    const { session, sent } = await bobSends(100_000, { maxWebSocketMessage: 120_000 });
    expect((await next(session[Symbol.asyncIterator]())).size).toBe(100_000);
    await sent;
  });

  it('closes a peer that sends a larger message with 1009, and the session with it', async () => {
    const { session, sent, closed } = await bobSends(100_000, { maxWebSocketMessage: 64 * 1024 });
    expect(await Promise.race([closed, sent.then(() => 'delivered')])).toBe(1009);
    await expect(sent).rejects.toMatchObject({ code: 'MSRP_ERR_CONNECTION' });
    expect(session.state).toBe('closed');
  });

  it('defaults to 4 MiB of chunk plus the header block and end-line, not ws’s 100 MiB', async () => {
    // Our own peers cut chunks to 256 KiB over a WebSocket: a bare server sends the message.
    const limit = 4 * 1024 * 1024 + 16 * 1024 + 1024;
    const { closed, watch } = closeCode();
    const ws = await wsServer((socket) => {
      watch(socket);
      // Once the bind SEND came: the session waits for its answer.
      socket.once('message', () => socket.send(Buffer.alloc(limit + 1, 0x61)));
    });
    cleanups.push(() => ws.close());
    const session = endpoint().createSession({ localUri: clientUri('alice1') });
    const connecting = session.connect([wsUri(ws.port, 'bob1')]);
    expect(await Promise.race([closed, connecting.then(() => 'bound')])).toBe(1009);
    await expect(connecting).rejects.toThrow();
  });

  it('fails connect() when the peer is over the limit at once, dialing it once', async () => {
    let connections = 0;
    let redialed!: (what: string) => void;
    const again = new Promise<string>((resolve) => (redialed = resolve));
    const ws = await wsServer((socket) => {
      if (++connections > 1) redialed('dialed again');
      socket.send(Buffer.alloc(2048, 0x61));
    });
    cleanups.push(() => ws.close());
    const session = endpoint({ maxWebSocketMessage: 1024 }).createSession({
      localUri: clientUri('alice1'),
    });
    const connecting = session.connect([wsUri(ws.port, 'bob1')]).then(
      () => 'bound',
      (e: unknown) => (e as { code?: string }).code,
    );
    expect(await Promise.race([connecting, again])).toBe('MSRP_ERR_CONNECTION');
    expect(connections).toBe(1);
  });

  it('refuses a limit that is no positive integer', () => {
    expect(() => new Endpoint({ maxWebSocketMessage: 0.5 })).toThrow(
      expect.objectContaining({ code: 'MSRP_ERR_INVALID_ARGUMENT' }),
    );
  });
});
