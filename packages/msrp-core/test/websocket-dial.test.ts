// The Node Endpoint's default dialers take `;ws` URIs over a WebSocket (RFC 7977, issue 10):
// `msrp:` over ws://, `msrps:` over wss:// with the endpoint's TLS options (fingerprint, CA).
import { generate } from 'selfsigned';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateFingerprint,
  Endpoint,
  MsrpError,
  wsStream,
  type EndpointOptions,
  type IncomingMessage,
} from '../src/index.js';
import { clientUri, wsServer, wsUri, type WsServerOptions } from './helpers/ws-server.js';

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

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
});
