// Over WebSocket (RFC 7977), closing mid-transfer: sends reject, readers end, nothing is left
// running on either side, and the close events come once.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DeliveryError, Endpoint, webSocketDialer, wsStream } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { resources, settlesTo } from './helpers/resources.js';
import { clientUri, wsServer, wsUri } from './helpers/ws-server.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(['client', 'server'] as const)('the %s endpoint closes mid-transfer', (who) => {
  it('sends reject, readers end, close once, nothing left running', async () => {
    const before = resources();
    const server = new Endpoint();
    const ws = await wsServer((socket) => server.acceptConnection(wsStream(socket)));
    const bob = server.createSession({ localUri: wsUri(ws.port, 'bob1') });
    bob.accept();
    const client = new Endpoint({ dialers: { msrp: webSocketDialer({ WebSocket }) } });
    const alice = client.createSession({ localUri: clientUri('alice1') });
    await alice.connect([bob.localUri]);
    let closes = 0;
    alice.on('close', () => void closes++);
    const aliceReader = alice[Symbol.asyncIterator]();
    const aliceEnded = aliceReader.next();
    const sending = alice.send(new Uint8Array(32 * 1024 * 1024)).catch((e: unknown) => e);
    const message = await next(bob[Symbol.asyncIterator]());
    const drained = message.drain();
    if (who === 'client') await client.close();
    else await server.close();
    const error = await sending;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({
      code: who === 'client' ? 'MSRP_ERR_SESSION' : 'MSRP_ERR_CONNECTION',
    });
    expect(await aliceEnded).toEqual({ done: true, value: undefined });
    await drained;
    expect(message.aborted).toBe(true);
    await client.close();
    await server.close();
    expect(closes).toBe(1);
    await ws.close();
    expect(await settlesTo(before)).toEqual({});
  });
});
