// Endpoint limits on real loopback sockets: connections that never bind or go silent are
// closed (bindTimeout, idleTimeout, frameTimeout), one address cannot take every slot
// (maxConnectionsPerAddress), and a peer that breaks the protocol lets go of its session at once.
import { once } from 'node:events';
import { connect } from 'node:net';
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import {
  nextEvent,
  Endpoint,
  type CreateSessionOptions,
  type EndpointOptions,
  type MsrpError,
  type MsrpUri,
  type Session,
} from '../src/index.js';
import { RawPeer } from './helpers/raw-peer.js';
import { until } from './helpers/socket-pair.js';
import { cleanups } from './helpers/cleanups.js';

interface Listening {
  endpoint: Endpoint;
  port: number;
  session: Session;
  peerErrors: MsrpError[];
}

/** An endpoint on loopback with one session waiting for peers (rebinding by default). */
async function listening(
  options: EndpointOptions,
  session: CreateSessionOptions = { rebind: true },
): Promise<Listening> {
  const endpoint = new Endpoint(options);
  cleanups.push(() => endpoint.close());
  const peerErrors: MsrpError[] = [];
  endpoint.on('peerError', (error) => peerErrors.push(error));
  const port = (await endpoint.listen({ host: '127.0.0.1', port: 0 })).port!;
  const s = endpoint.createSession(session);
  s.accept();
  return { endpoint, port, session: s, peerErrors };
}

async function rawPeer(port: number, allowHalfOpen = false): Promise<RawPeer> {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen });
  await once(socket, 'connect');
  const peer = new RawPeer(socket);
  cleanups.push(() => peer.destroy());
  return peer;
}

/** A bodiless SEND (RFC 4975 §5.4: binds the session; also a keepalive); its status. */
async function bind(peer: RawPeer, uri: MsrpUri): Promise<number> {
  const response = await peer.transact({
    toPath: [uri],
    byteRange: { start: 1, end: 0, total: 0 },
  });
  return response.head.statusCode;
}

/** A status that proves the endpoint serves this connection (481: no such session). */
async function served(peer: RawPeer): Promise<number> {
  const nowhere: MsrpUri = {
    scheme: 'msrp',
    host: '127.0.0.1',
    port: 1,
    sessionId: 'nosuchsession',
    transport: 'tcp',
    params: [],
  };
  return bind(peer, nowhere);
}

/** Connects until the endpoint admits the connection (a slot may take a moment to free). */
async function admitted(port: number, timeout = 3000): Promise<RawPeer> {
  const start = Date.now();
  for (;;) {
    const peer = await rawPeer(port);
    const status = await served(peer).catch(() => undefined);
    if (status === 481) return peer;
    if (Date.now() - start > timeout) throw new Error(`not admitted within ${timeout} ms`);
  }
}

describe('bindTimeout', () => {
  it('closes a connection that never sends anything', async () => {
    const { port, peerErrors } = await listening({ bindTimeout: 100 });
    const peer = await rawPeer(port);
    await peer.closed;
    expect(peerErrors.map((e) => e.code)).toEqual(['MSRP_ERR_LIMIT']);
    expect(peerErrors[0]!.message).toMatch(/bindTimeout/);
  });

  it('spares a connection with a bound session', async () => {
    const { port, session } = await listening({ bindTimeout: 150 });
    const bound = await rawPeer(port);
    expect(await bind(bound, session.localUri)).toBe(200);
    const idle = await rawPeer(port);
    await idle.closed;
    expect(bound.isClosed).toBe(false);
    expect(await bind(bound, session.localUri)).toBe(200);
  });

  it('starts again when the last session of a connection closes', async () => {
    const { port, session } = await listening({ bindTimeout: 100 });
    const peer = await rawPeer(port);
    expect(await bind(peer, session.localUri)).toBe(200);
    await session.close();
    await peer.closed;
  });
});

describe('idleTimeout', () => {
  it('drops a peer that binds the session and goes silent; the next peer binds', async () => {
    const { port, session, peerErrors } = await listening({ idleTimeout: 200 });
    const first = await rawPeer(port);
    expect(await bind(first, session.localUri)).toBe(200);
    const refused = await rawPeer(port);
    expect(await bind(refused, session.localUri)).toBe(506);
    refused.destroy();
    const unbound = nextEvent(session, 'unbound');
    await first.closed;
    await unbound;
    expect(peerErrors.map((e) => e.message)).toContain('No traffic within idleTimeout');
    const next = await rawPeer(port);
    expect(await bind(next, session.localUri)).toBe(200);
  });

  it('bodiless SENDs keep a bound connection alive', async () => {
    const { port, session } = await listening({ idleTimeout: 200 });
    const keptAlive = await rawPeer(port);
    expect(await bind(keptAlive, session.localUri)).toBe(200);
    const other = await listening({ idleTimeout: 200 });
    const silent = await rawPeer(other.port);
    expect(await bind(silent, other.session.localUri)).toBe(200);
    // Keepalives every 50 ms until the silent peer of the other endpoint is dropped.
    let stop = false;
    const keepalives = (async () => {
      let answered = 0;
      while (!stop) {
        expect(await bind(keptAlive, session.localUri)).toBe(200);
        answered++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return answered;
    })();
    await silent.closed;
    stop = true;
    expect(await keepalives).toBeGreaterThan(2);
    expect(keptAlive.isClosed).toBe(false);
    expect(session.state).toBe('bound');
  });
});

describe('connection caps', () => {
  it('maxConnectionsPerAddress refuses the next connection at once and admits one after a close', async () => {
    const { port, peerErrors } = await listening({ maxConnectionsPerAddress: 2 });
    const a = await rawPeer(port);
    const b = await rawPeer(port);
    expect(await served(a)).toBe(481);
    expect(await served(b)).toBe(481);
    const c = await rawPeer(port);
    await c.closed;
    expect(peerErrors.map((e) => [e.code, e.message])).toEqual([
      ['MSRP_ERR_LIMIT', 'Connection refused: maxConnectionsPerAddress reached'],
    ]);
    a.destroy();
    const d = await admitted(port);
    expect(d.isClosed).toBe(false);
    expect(b.isClosed).toBe(false);
  });

  it('counts TLS connections from the TCP connection on, before any handshake', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 3600 * 1000),
    });
    const endpoint = new Endpoint({ maxConnectionsPerAddress: 1 });
    cleanups.push(() => endpoint.close());
    const peerErrors: MsrpError[] = [];
    endpoint.on('peerError', (error) => peerErrors.push(error));
    const { port } = await endpoint.listen({ tls: { cert: pems.cert, key: pems.private } });
    // Plain TCP: no handshake ever starts.
    const silent = await rawPeer(port!);
    const refused = await rawPeer(port!);
    await refused.closed;
    expect(silent.isClosed).toBe(false);
    expect(peerErrors.map((e) => e.message)).toContain(
      'Connection refused: maxConnectionsPerAddress reached',
    );
  });

  it('reports a failed TLS handshake as a peerError naming the peer, and serves on', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 3600 * 1000),
    });
    const endpoint = new Endpoint();
    cleanups.push(() => endpoint.close());
    const failures: Array<[MsrpError, string]> = [];
    endpoint.on('peerError', (error, remote) => failures.push([error, remote]));
    const { port } = await endpoint.listen({ tls: { cert: pems.cert, key: pems.private } });
    // Plain MSRP to a TLS listener: not a ClientHello.
    const plain = await rawPeer(port!);
    const ourPort = plain.socket.localPort;
    plain.write('MSRP a786hjs2 SEND\r\n');
    await plain.closed;
    await until(() => failures.length > 0, 2000);
    const [error, remote] = failures[0]!;
    expect(error).toMatchObject({ code: 'MSRP_ERR_CONNECTION' });
    expect(error.message).toMatch(/^TLS handshake failed: /);
    expect(remote).toBe(`127.0.0.1:${ourPort}`);
    // The listener is still there for the next peer.
    const next = await rawPeer(port!);
    expect(next.isClosed).toBe(false);
  });

  it('maxConnections caps connections in all', async () => {
    const { port, peerErrors } = await listening({ maxConnections: 1 });
    const a = await rawPeer(port);
    expect(await served(a)).toBe(481);
    const b = await rawPeer(port);
    await b.closed;
    expect(peerErrors[0]?.message).toBe('Connection refused: maxConnections reached');
  });
});

describe('a peer that breaks the protocol', () => {
  it('gets 400, loses its socket promptly and its session at once, so a new peer binds right away', async () => {
    // One connection per address: the new peer is admitted only once the bad one's socket
    // is really gone. The bad peer never closes its side (allowHalfOpen).
    const { port, session } = await listening({ maxConnectionsPerAddress: 1 });
    const bad = await rawPeer(port, true);
    expect(await bind(bad, session.localUri)).toBe(200);
    const unbound = nextEvent(session, 'unbound');
    const start = Date.now();
    const to = session.localUri;
    bad.write(
      `MSRP tid400x SEND\r\nTo-Path: msrp://${to.host}:${to.port}/${to.sessionId};tcp\r\n` +
        `From-Path: msrp://127.0.0.1:1/${bad.sessionId};tcp\r\nMessage-ID: m1234\r\n` +
        // A line that ends in LF alone: the framing is broken (RFC 4975 §9), not one header.
        `Byte-Range: 1-5/5\nContent-Type: text/plain\r\n\r\nhello\r\n-------tid400x$\r\n`,
    );
    expect((await bad.response('tid400x')).head.statusCode).toBe(400);
    await unbound;
    const next = await admitted(port);
    expect(await bind(next, session.localUri)).toBe(200);
    // The old graceful close kept the socket (and the session) for 2 s.
    expect(Date.now() - start).toBeLessThan(1000);
  });
});

describe('a receiver that stops reading', () => {
  it('notices within idleTimeout that the peer closed behind unread bytes; the next peer binds', async () => {
    const { port, session } = await listening({ idleTimeout: 300 });
    const inbox = session[Symbol.asyncIterator]();
    const peer = await rawPeer(port);
    const size = 8 * 1024 * 1024;
    peer.sendRequest({
      toPath: [session.localUri],
      contentType: 'application/octet-stream',
      body: Buffer.alloc(size),
    });
    // The message arrives as a stream that nobody reads: the connection pauses.
    const message = (await inbox.next()).value!;
    expect(message.stream).toBeDefined();
    peer.end();
    await nextEvent(session, 'unbound');
    const next = await rawPeer(port);
    expect(await bind(next, session.localUri)).toBe(200);
  });
});

describe('frameTimeout', () => {
  it('closes a connection whose frame stops making progress, as a peerError; a bound session is let go', async () => {
    const { port, session, peerErrors } = await listening({ frameTimeout: 200 });
    const peer = await rawPeer(port);
    expect(await bind(peer, session.localUri)).toBe(200);
    const unbound = nextEvent(session, 'unbound');
    const start = Date.now();
    // A head that never ends: the endpoint cannot answer it, only stop waiting.
    peer.write('MSRP slow1234 SEND\r\nTo-Path: msrp://127.0.0.1:1/x;tcp\r\n');
    await peer.closed;
    await unbound;
    expect(Date.now() - start).toBeGreaterThanOrEqual(150);
    expect(peerErrors.map((e) => e.code)).toEqual(['MSRP_ERR_FRAME_TIMEOUT']);
  });
});
