// Lifecycle of sessions and endpoints: `await using`, AbortSignal on the actions that wait
// (connect, authenticate, listen, sendFile), one reader per session, and `rebind`.
import { getEventListeners, once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Endpoint, formatUri, type Dialer, type MsrpUri, type Session } from '../src/index.js';
import { socketStream } from '../src/internal.js';
import { next } from './helpers/inbox.js';
import { RawPeer, RawServer } from './helpers/raw-peer.js';
import { cleanups, endpoint } from './helpers/cleanups.js';

/** Whether a connection to `port` on loopback is refused (nothing listens there). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function rawServer(): Promise<RawServer> {
  const server = await RawServer.listen();
  cleanups.push(() => server.close());
  return server;
}

/** Endpoint B listens and accepts; a session of A connects to it. */
async function pair(): Promise<{ a: Endpoint; b: Endpoint; sa: Session; sb: Session }> {
  const b = endpoint();
  await b.listen();
  const a = endpoint();
  const sb = b.createSession();
  sb.accept();
  const sa = a.createSession();
  await sa.connect([sb.localUri]);
  return { a, b, sa, sb };
}

function abortListeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

describe('await using', () => {
  it('closes a session at the end of its block', async () => {
    const { sa, sb } = await pair();
    const closed = new Promise<void>((resolve) => sb.once('close', () => resolve()));
    {
      await using session = sa;
      await session.send('inside the block');
    }
    expect(sa.state).toBe('closed');
    // The peer sees the session go: its connection closed with its last session.
    await closed;
    expect(sb.state).toBe('closed');
  });

  it('closes an endpoint, its listener and its sessions at the end of its block', async () => {
    let uri;
    let session: Session;
    {
      await using e = new Endpoint();
      uri = await e.listen();
      session = e.createSession();
      session.accept();
    }
    expect(session.state).toBe('closed');
    const socket = connect({ host: '127.0.0.1', port: uri.port! });
    const error = await new Promise<Error>((resolve) => socket.once('error', resolve));
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a closed endpoint opens nothing more: no session, listener or relay connection', async () => {
    // They were made, and outlived the close: a listener kept the process running.
    const e = new Endpoint({
      relays: [{ uri: 'msrp://127.0.0.1:9;tcp', username: 'a', password: 'b' }],
    });
    await e.close();
    const closed = {
      code: 'MSRP_ERR_SESSION',
      message: expect.stringContaining('the endpoint is closed') as string,
    };
    expect(() => e.createSession()).toThrow(expect.objectContaining(closed));
    await expect(e.listen({ host: '127.0.0.1', port: 0 })).rejects.toMatchObject(closed);
    await expect(e.authenticate()).rejects.toMatchObject(closed);
    await e.close();
  });

  it('a listen still binding when its endpoint closes is closed, not kept', async () => {
    const e = new Endpoint();
    const listening = e.listen({ host: '127.0.0.1', port: 0 });
    await e.close();
    await expect(listening).rejects.toMatchObject({ code: 'MSRP_ERR_SESSION' });
  });
});

describe('one reader per session', () => {
  it('a second concurrent for await throws a clear error; the first keeps its messages', async () => {
    const { sa, sb } = await pair();
    const first = sb[Symbol.asyncIterator]();
    const waiting = next(first);
    const second = sb[Symbol.asyncIterator]();
    await expect(second.next()).rejects.toMatchObject({
      code: 'MSRP_ERR_SESSION',
      message: expect.stringContaining('already being read') as unknown,
    });
    await sa.send('for the first reader');
    expect((await waiting).text()).toBe('for the first reader');
  });

  it('a new loop may read once the previous one ended', async () => {
    const { sa, sb } = await pair();
    await sa.send('one');
    for await (const message of sb) {
      expect(message.text()).toBe('one');
      break;
    }
    await sa.send('two');
    const again = sb[Symbol.asyncIterator]();
    expect((await next(again)).text()).toBe('two');
  });
});

describe('AbortSignal', () => {
  it('aborts connect while dialing: MSRP_ERR_ABORTED, session closed, dialed socket closed', async () => {
    const b = endpoint();
    const listener = await b.listen();
    let release: (() => void) | undefined;
    let dialed: Socket | undefined;
    // A dialer that opens the socket only once the test lets it, after the abort.
    const slow: Dialer = (uri) =>
      new Promise((resolve, reject) => {
        release = () => {
          dialed = connect({ host: uri.host, port: uri.port! });
          dialed.once('connect', () => resolve(socketStream(dialed!))).once('error', reject);
        };
      });
    const a = endpoint({ dialers: { msrp: slow } });
    const sb = b.createSession();
    sb.accept();
    const sa = a.createSession();
    const controller = new AbortController();
    const connecting = sa.connect([{ ...listener, sessionId: sb.localUri.sessionId }], {
      signal: controller.signal,
    });
    controller.abort();
    await expect(connecting).rejects.toMatchObject({ code: 'MSRP_ERR_ABORTED' });
    expect(sa.state).toBe('closed');
    expect(a.sessionCount).toBe(0);
    expect(abortListeners(controller.signal)).toBe(0);
    // The dial completes later; nobody wants the connection, so it is closed again.
    release!();
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (dialed) dialed.once('close', () => resolve());
        else setImmediate(check);
      };
      check();
    });
    expect(dialed!.destroyed).toBe(true);
  });

  it('aborts connect while the peer has not answered the binding SEND; the connection closes', async () => {
    const raw = await rawServer(); // never answers
    const a = endpoint();
    const sa = a.createSession();
    const controller = new AbortController();
    const connecting = sa.connect([raw.uri()], { signal: controller.signal });
    const peer = await raw.peer();
    await peer.request('SEND');
    controller.abort(new Error('user gave up'));
    await expect(connecting).rejects.toMatchObject({
      code: 'MSRP_ERR_ABORTED',
      cause: { message: 'user gave up' },
    });
    expect(sa.state).toBe('closed');
    expect(a.sessionCount).toBe(0);
    await peer.closed;
  });

  it('leaves no listener on a signal after connect succeeds, and refuses an aborted one', async () => {
    const { a, b, sb } = await pair();
    const controller = new AbortController();
    const s2 = a.createSession();
    // A session of its own at B: sb takes requests from sa alone (RFC 4975 §7.3).
    const sb2 = b.createSession();
    sb2.accept();
    await s2.connect([sb2.localUri], { signal: controller.signal });
    expect(s2.state).toBe('bound');
    expect(abortListeners(controller.signal)).toBe(0);
    const s3 = a.createSession();
    await expect(s3.connect([sb.localUri], { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'MSRP_ERR_ABORTED',
    });
    expect(s3.state).toBe('closed');
  });

  it('aborts authenticate while the relay has not answered; the registration is dropped', async () => {
    const raw = await rawServer(); // a "relay" that never answers AUTH
    const a = endpoint({ relays: [{ uri: raw.uri(), username: 'u', password: 'p' }] });
    const controller = new AbortController();
    const authenticating = a.authenticate(undefined, { signal: controller.signal });
    const peer = await raw.peer();
    await peer.request('AUTH');
    controller.abort();
    await expect(authenticating).rejects.toMatchObject({ code: 'MSRP_ERR_ABORTED' });
    expect(a.registration).toBeUndefined();
    expect(a.usePath).toEqual([]);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it('listen: an aborted signal refuses; a live one is let go once listening', async () => {
    const e = endpoint();
    await expect(e.listen({ signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'MSRP_ERR_ABORTED',
    });
    const controller = new AbortController();
    const uri = await e.listen({ signal: controller.signal });
    expect(uri.port).toBeGreaterThan(0);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it('listen: a signal aborted while binding rejects, and the listener closes once bound', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const controller = new AbortController();
    const listening = endpoint().listen({ port, signal: controller.signal });
    controller.abort();
    await expect(listening).rejects.toMatchObject({ code: 'MSRP_ERR_ABORTED' });
    // Bound a moment later and closed then: connections are refused again (bounded wait).
    const start = Date.now();
    while (!(await refused(port))) {
      if (Date.now() - start > 2000) throw new Error('the aborted listener stayed open');
    }
  });

  it('sendFile: aborts mid-transfer, and leaves no listener on the signal once delivered', async () => {
    const { sa, sb } = await pair();
    const reading = sb[Symbol.asyncIterator]();
    const controller = new AbortController();
    const delivery = await sa.sendFile(Readable.from([Buffer.alloc(100_000, 1)]), {
      name: 'a.bin',
      signal: controller.signal,
    });
    expect(delivery.bytes).toBe(100_000);
    expect(abortListeners(controller.signal)).toBe(0);
    await next(reading);

    const stop = new AbortController();
    let sent = 0;
    // A source that never ends: only the abort stops it.
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) {
        sent++;
        if (sent === 4) stop.abort();
        yield Buffer.alloc(64 * 1024, 2);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    await expect(
      sa.sendFile(Readable.from(endless()), { name: 'b.bin', signal: stop.signal }),
    ).rejects.toMatchObject({ code: 'MSRP_ERR_ABORTED' });
    expect(abortListeners(stop.signal)).toBe(0);
  });
});

describe('rebind', () => {
  it('an active session closes with its connection all the same', async () => {
    // RFC 4975 §5.4: "If the connection fails for any reason, then an MSRP endpoint MUST
    // consider any sessions associated with the connection as also having failed." A passive
    // peer never dials the active side, which here does not even listen.
    const server = await RawServer.listen({ autoRespond: true });
    cleanups.push(() => server.close());
    const a = endpoint();
    const session = a.createSession({ rebind: true });
    await session.connect([server.uri()]);
    const unbound = new Promise<void>((resolve) => session.once('unbound', () => resolve()));
    (await server.peer()).destroy();
    await unbound;
    expect(session.state).toBe('closed');
    expect(a.sessionCount).toBe(0);
  });

  it('a passive session keeps the path given to accept() across connections', async () => {
    // The path from SDP (a relay, then the peer) is where replies go (RFC 4976 §5.2), however
    // the peer's requests reach us on the next connection: only a path learned from a sender
    // is forgotten when the connection goes.
    const b = endpoint();
    const { port } = await b.listen({ host: '127.0.0.1', port: 0 });
    const session = b.createSession({ rebind: true });
    const uri = (host: string, sessionId: string): MsrpUri => ({
      scheme: 'msrp',
      host,
      port: 2855,
      sessionId,
      transport: 'tcp',
      params: [],
    });
    const peer = uri('peer.example.com', 'peer0session0id');
    const given = [uri('relay.example.com', 'relay0session0id'), peer];
    session.accept(given);
    const first = await RawPeer.connect(port!);
    cleanups.push(() => first.destroy());
    const hello = await first.transact({ toPath: [session.localUri], fromPath: given, body: 'hi' });
    expect(hello.head.statusCode).toBe(200);
    const unbound = new Promise<void>((resolve) => session.once('unbound', () => resolve()));
    first.destroy();
    await unbound;
    expect(session.state).toBe('waiting');
    expect(session.remotePath).toEqual(given);
    // The peer comes back over another way: its From-Path differs, its session-id does not.
    const second = await RawPeer.connect(port!, { autoRespond: true });
    cleanups.push(() => second.destroy());
    const direct = [{ ...peer, host: '127.0.0.1', port: second.uri.port }];
    // RFC 4975 §7.3: another sender is not the peer of a session whose path is known.
    const stranger = await second.transact({ toPath: [session.localUri], body: 'me?' });
    expect(stranger.head.statusCode).toBe(481);
    const again = await second.transact({
      toPath: [session.localUri],
      fromPath: direct,
      body: 'back',
    });
    expect(again.head.statusCode).toBe(200);
    expect(session.state).toBe('bound');
    expect(session.remotePath?.map(formatUri)).toEqual(given.map(formatUri));
    await session.send('reply');
    const reply = await second.request('SEND');
    expect(reply.head.toPath.map(formatUri)).toEqual(given.map(formatUri));
  });
});
