// endpoint.close() while a dial is in progress: a TLS or WebSocket handshake the server never
// answers. The dial stops with the close, its socket destroyed at once, not at connectTimeout
// (10 s) after close() resolved, and nothing is left open; a dialer's `signal` does the same.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dialTls, dialWs, Endpoint, MsrpError, parseUri } from '../src/index.js';
import { resources, settlesTo } from './helpers/resources.js';
import { within } from './helpers/within.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A TCP server on 127.0.0.1 that takes connections and never says a word. */
async function silentServer(): Promise<{ port: number; accepted: Promise<Socket> }> {
  const server: Server = createServer();
  const sockets = new Set<Socket>();
  const accepted = new Promise<Socket>((resolve) =>
    server.on('connection', (socket) => {
      sockets.add(socket);
      resolve(socket);
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as AddressInfo).port, accepted };
}

const uriOf = (how: 'tls' | 'ws', port: number): string =>
  how === 'tls' ? `msrps://127.0.0.1:${port}/s1;tcp` : `msrp://127.0.0.1:${port}/s1;ws`;

describe.each(['tls', 'ws'] as const)('a %s handshake never answered', (how) => {
  it('endpoint.close() stops the dial: connect() fails, the socket is gone', async () => {
    const { port, accepted } = await silentServer();
    const before = resources();
    const endpoint = new Endpoint();
    const session = endpoint.createSession();
    const connecting = session.connect([parseUri(uriOf(how, port))]).then(
      () => undefined,
      (e: unknown) => e,
    );
    const peerSide = await within(accepted, 5000, 'the dial reaching the server');
    const peerClosed = once(peerSide, 'close');
    await within(endpoint.close(), 1000, 'endpoint.close()');
    expect(await within(connecting, 1000, 'connect() failing')).toBeInstanceOf(MsrpError);
    // The dialing socket was destroyed: the server's end of it closes now, not at the timeout.
    await within(peerClosed, 2000, "the server's end of the dial closing");
    expect(await settlesTo(before)).toEqual({});
  });

  it("the dialer's signal stops it: MSRP_ERR_ABORTED, the socket is gone", async () => {
    const { port, accepted } = await silentServer();
    const before = resources();
    const controller = new AbortController();
    const dial = how === 'tls' ? dialTls : dialWs;
    const dialing = dial(parseUri(uriOf(how, port)), { signal: controller.signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const peerSide = await within(accepted, 5000, 'the dial reaching the server');
    const peerClosed = once(peerSide, 'close');
    const reason = new Error('stop');
    controller.abort(reason);
    const error = await within(dialing, 1000, 'the dial failing');
    expect(error).toMatchObject({ code: 'MSRP_ERR_ABORTED', cause: reason });
    await within(peerClosed, 2000, "the server's end of the dial closing");
    expect(await settlesTo(before)).toEqual({});
  });
});
