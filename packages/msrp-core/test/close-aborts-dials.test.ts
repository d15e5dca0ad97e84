// endpoint.close() while a dial is in progress: a TLS or WebSocket handshake the server never
// answers. The dial stops with the close, its socket destroyed at once, not at connectTimeout
// (10 s) after close() resolved, and nothing is left open; a dialer's `signal` does the same.
// A dial that connects in the very turn close() aborts it attaches nothing: its socket is
// destroyed, and it fails.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  dialTcp,
  dialTls,
  dialWs,
  Endpoint,
  MsrpError,
  parseUri,
  socketStream,
  type Dialer,
} from '../src/index.js';
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

describe('a dial that connects as close() aborts it', () => {
  /**
   * A dialer whose socket has connected and whose stream comes only as the dial's signal
   * aborts, in that very turn: as when 'connect' and close() meet in one turn of the loop.
   */
  function lateDialer(): { dialer: Dialer; socket: Promise<Socket> } {
    let connected!: (socket: Socket) => void;
    const socket = new Promise<Socket>((resolve) => (connected = resolve));
    const dialer: Dialer = (uri, { signal }) =>
      new Promise((resolve) => {
        const dialing = connect({ host: uri.host, port: uri.port! });
        dialing.once('connect', () => {
          signal!.addEventListener('abort', () => resolve(socketStream(dialing)), { once: true });
          connected(dialing);
        });
      });
    return { dialer, socket };
  }

  it('a session connecting: the socket is destroyed by the time close() resolves', async () => {
    const { port, accepted } = await silentServer();
    const before = resources();
    const { dialer, socket } = lateDialer();
    const endpoint = new Endpoint({ dialers: { msrp: dialer } });
    const connecting = endpoint
      .createSession()
      .connect([parseUri(`msrp://127.0.0.1:${port}/s1;tcp`)])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const dialed = await within(socket, 5000, 'the dial connecting');
    const peerClosed = once(await within(accepted, 5000, 'the server accepting'), 'close');
    await within(endpoint.close(), 1000, 'endpoint.close()');
    // Destroyed, not ended: a graceful close would leave it lingering for the peer's FIN.
    expect(dialed.destroyed).toBe(true);
    expect(await within(connecting, 1000, 'connect() failing')).toBeInstanceOf(MsrpError);
    await within(peerClosed, 2000, "the server's end of the dial closing");
    expect(await settlesTo(before)).toEqual({});
  });

  it('an AUTH to a relay: none is sent, authenticate() fails, nothing is left open', async () => {
    const { port, accepted } = await silentServer();
    const before = resources();
    const { dialer, socket } = lateDialer();
    const endpoint = new Endpoint({
      dialers: { msrp: dialer },
      relays: [{ uri: `msrp://127.0.0.1:${port};tcp`, username: 'alice', password: 'secret' }],
    });
    const authenticating = endpoint.authenticate().then(
      () => undefined,
      (e: unknown) => e,
    );
    await within(socket, 5000, 'the dial connecting');
    const peerSide = await within(accepted, 5000, 'the server accepting');
    const received: Buffer[] = [];
    peerSide.on('data', (bytes: Buffer) => received.push(bytes));
    const peerClosed = once(peerSide, 'close');
    await within(endpoint.close(), 1000, 'endpoint.close()');
    // Not the AUTH's 408 after transactionTimeout: the dial itself failed.
    expect(await within(authenticating, 1000, 'authenticate() failing')).toMatchObject({
      code: 'MSRP_ERR_ABORTED',
    });
    await within(peerClosed, 2000, "the server's end of the dial closing");
    expect(Buffer.concat(received).toString()).toBe('');
    expect(await settlesTo(before)).toEqual({});
  });

  it('dialTcp: connected in the turn its signal aborts, it rejects with MSRP_ERR_ABORTED', async () => {
    const { port, accepted } = await silentServer();
    const before = resources();
    const controller = new AbortController();
    // Node names each socket net.connect() makes; ours aborts in a microtask queued by the
    // first 'connect' listener: after the dialer saw 'connect', before its code goes on.
    let dialing: Socket | undefined;
    const created = ({ socket }: { socket: Socket }): void => {
      dialing = socket;
      socket.once('connect', () => queueMicrotask(() => controller.abort(new Error('stop'))));
    };
    subscribe('net.client.socket', created as (message: unknown) => void);
    cleanups.push(() => unsubscribe('net.client.socket', created as (message: unknown) => void));
    const dialed = dialTcp(parseUri(`msrp://127.0.0.1:${port}/s1;tcp`), {
      signal: controller.signal,
    }).then(
      (stream) => {
        stream.destroy();
        return undefined;
      },
      (e: unknown) => e,
    );
    const peerClosed = once(await within(accepted, 5000, 'the server accepting'), 'close');
    expect(await within(dialed, 1000, 'the dial settling')).toMatchObject({
      code: 'MSRP_ERR_ABORTED',
    });
    expect(dialing?.destroyed).toBe(true);
    await within(peerClosed, 2000, "the server's end of the dial closing");
    expect(await settlesTo(before)).toEqual({});
  });
});
