// The Node Endpoint's default dialers take `;ws` URIs over a WebSocket (RFC 7977, issue 10):
// `msrp:` over ws://, `msrps:` over wss:// with the endpoint's TLS options (fingerprint, CA).
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { generate } from 'selfsigned';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  certificateFingerprint,
  dialWs,
  Endpoint,
  MsrpError,
  wsStream,
  type EndpointOptions,
  type IncomingMessage,
} from '../src/index.js';
import { until } from './helpers/socket-pair.js';
import { clientUri, wsServer, wsUri, type WsServerOptions } from './helpers/ws-server.js';
import { cleanups } from './helpers/cleanups.js';

function endpoint(options: EndpointOptions = {}): Endpoint {
  const e = new Endpoint(options);
  cleanups.push(() => e.close());
  return e;
}

/** A Node Endpoint behind a ws server, with an accepted session at `scheme://...;ws`. */
async function msrpServer(scheme: string, options: WsServerOptions = {}) {
  const server = endpoint();
  const ws = await wsServer((socket) => server.acceptConnection(wsStream(socket)), options);
  cleanups.push(() => ws.close());
  const session = server.createSession({ localUri: wsUri(ws.port, 'server1', scheme) });
  session.accept();
  return session;
}

let pems: { cert: string; private: string };
beforeAll(async () => {
  pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 3600 * 1000),
  });
}, 30_000);

/** Alice connects to bob and says hello; returns what bob read. */
async function hello(alice: Endpoint, bob: Awaited<ReturnType<typeof msrpServer>>) {
  const session = alice.createSession({ localUri: clientUri('alice1') });
  await session.connect([bob.localUri]);
  await session.send('Hello over a WebSocket');
  return ((await bob[Symbol.asyncIterator]().next()).value as IncomingMessage).text();
}

describe("the Node Endpoint's default dialers and ;ws URIs", () => {
  it('dial msrp://...;ws over ws://', async () => {
    const bob = await msrpServer('msrp');
    expect(await hello(endpoint(), bob)).toBe('Hello over a WebSocket');
  });

  it('dial msrps://...;ws over wss://, checking the expected fingerprint', async () => {
    const tls = { cert: pems.cert, key: pems.private };
    const bob = await msrpServer('msrps', { tls });
    const fingerprint = certificateFingerprint(pems.cert);
    expect(await hello(endpoint({ tls: { fingerprint } }), bob)).toBe('Hello over a WebSocket');
  });

  it('refuse a wss server whose certificate does not match, or is not trusted', async () => {
    const tls = { cert: pems.cert, key: pems.private };
    const bob = await msrpServer('msrps', { tls });
    const wrong = `SHA-256 ${'AB:'.repeat(31)}AB`;
    const mismatched = endpoint({ tls: { fingerprint: wrong } }).createSession({
      localUri: clientUri('alice2'),
    });
    await expect(mismatched.connect([bob.localUri])).rejects.toMatchObject({
      code: 'MSRP_ERR_FINGERPRINT',
    });
    const untrusted = endpoint().createSession({ localUri: clientUri('alice3') });
    const error = await untrusted.connect([bob.localUri]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsrpError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_CONNECTION' });
    expect((error as Error).message).toMatch(/self-signed|certificate/i);
  });

  it('fail a dial that is refused, or that no upgrade answers in time, with MSRP_ERR_CONNECTION', async () => {
    // A port nobody listens on any more.
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(dialWs(wsUri(closedPort, 'x'), {})).rejects.toMatchObject({
      code: 'MSRP_ERR_CONNECTION',
      message: expect.stringMatching(/ECONNREFUSED/) as unknown,
    });

    // A TCP server that accepts and never answers the HTTP upgrade.
    const sockets: Socket[] = [];
    let closedByUs = false;
    const silent = createServer((socket) => {
      sockets.push(socket);
      socket.resume(); // reads the upgrade request, answers nothing
      socket.on('close', () => (closedByUs = true));
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const port = (silent.address() as AddressInfo).port;
    await expect(dialWs(wsUri(port, 'x'), { timeout: 200 })).rejects.toMatchObject({
      code: 'MSRP_ERR_CONNECTION',
      message: `Cannot connect to ws://127.0.0.1:${port}/: timed out after 200 ms`,
    });
    // The abandoned socket was closed.
    await until(() => closedByUs, 5000, 'the dialer to close the socket');
  });
});
