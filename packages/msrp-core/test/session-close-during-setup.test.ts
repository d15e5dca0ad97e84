// A session closed while it is being set up: by its own 'bound' handler (the natural place
// to refuse a peer after looking at remotePath), during the dial, or while the binding SEND
// awaits its 200. It must end closed, off the connection, and connect() must fail.
import { describe, expect, it } from 'vitest';
import { dialTcp, parseUri, type Dialer, type MsrpError } from '../src/index.js';
import { RawPeer, RawServer } from './helpers/raw-peer.js';
import { cleanups, endpoint } from './helpers/cleanups.js';

async function rawPeer(port: number): Promise<RawPeer> {
  const peer = await RawPeer.connect(port);
  cleanups.push(() => peer.destroy());
  return peer;
}

/** 'resolved', 'rejected <code>', or 'pending' when `promise` did not settle within `ms`. */
async function outcome(promise: Promise<unknown>, ms = 1000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(
      () => 'resolved',
      (e: unknown) => `rejected ${(e as MsrpError).code}`,
    ),
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('pending'), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe('a passive session closed in its own bound handler', () => {
  it('answers the SEND that bound it 481, not 200', async () => {
    // RFC 4975 §7.3, §10: the session is gone by the time the request is answered; a 200
    // would tell the peer a live session took its message.
    const b = endpoint();
    const port = (await b.listen({ host: '127.0.0.1', port: 0 })).port!;
    const session = b.createSession();
    session.accept();
    session.on('bound', () => void session.close());
    const raw = await rawPeer(port);
    const answer = await raw.transact({ toPath: [session.localUri], body: 'hello' });
    expect(session.state).toBe('closed');
    expect(answer.head.statusCode).toBe(481);
    expect(b.sessionCount).toBe(0);
  });

  it('leaves the connection without a session: bindTimeout closes it', async () => {
    const b = endpoint({ bindTimeout: 100 });
    const port = (await b.listen({ host: '127.0.0.1', port: 0 })).port!;
    const session = b.createSession();
    session.accept();
    session.on('bound', () => void session.close());
    const raw = await rawPeer(port);
    await raw.transact({ toPath: [session.localUri], body: 'hello' });
    await raw.closed;
  });
});

describe('close() during connect()', () => {
  it('while the binding SEND awaits its 200 on a shared connection: connect() rejects', async () => {
    // RFC 4975 §5.4: the session is bound by its first SEND; once the application closed it,
    // a 200 arriving for that SEND must not make connect() report a session set up.
    const server = await RawServer.listen();
    cleanups.push(() => server.close());
    const a = endpoint();
    const first = a.createSession();
    const firstConnect = first.connect([server.uri()]);
    const peer = await server.peer();
    peer.respond(await peer.request('SEND'));
    await firstConnect;
    // The second session shares the connection, which stays open after it closes.
    const second = a.createSession();
    const connecting = second.connect([server.uri()]);
    const bindingSend = await peer.request('SEND');
    await second.close();
    peer.respond(bindingSend);
    expect(await outcome(connecting)).toBe('rejected MSRP_ERR_SESSION');
    expect(second.state).toBe('closed');
    expect(first.state).toBe('bound');
  });

  it('in its own bound handler: connect() rejects and the session is gone', async () => {
    const server = await RawServer.listen({ autoRespond: true });
    cleanups.push(() => server.close());
    const a = endpoint();
    const session = a.createSession();
    session.on('bound', () => void session.close());
    expect(await outcome(session.connect([server.uri()]))).toBe('rejected MSRP_ERR_SESSION');
    expect(session.state).toBe('closed');
    expect(a.sessionCount).toBe(0);
  });

  it('while the dial is under way: connect() rejects at once; the connection dialed is closed', async () => {
    // Not when the dial ends: an unanswering address takes connectTimeout (10 s by default).
    const server = await RawServer.listen({ autoRespond: true });
    cleanups.push(() => server.close());
    let openDial!: () => void;
    const gate = new Promise<void>((resolve) => (openDial = resolve));
    const gated: Dialer = async (uri, options) => {
      await gate;
      return dialTcp(uri, options);
    };
    const a = endpoint({ dialers: { msrp: gated } });
    const session = a.createSession();
    const connecting = session.connect([server.uri()]);
    await session.close();
    expect(await outcome(connecting)).toBe('rejected MSRP_ERR_SESSION');
    expect(a.sessionCount).toBe(0);
    // The dial ends later; nobody wants its connection, so it is closed again.
    openDial();
    await (
      await server.peer()
    ).closed;
  });

  it('endpoint.close() while a dial never ends: connect() rejects at once', async () => {
    const never: Dialer = () => new Promise(() => undefined);
    const a = endpoint({ dialers: { msrp: never } });
    const session = a.createSession();
    const connecting = session.connect([parseUri('msrp://127.0.0.1:9/peer;tcp')]);
    await a.close();
    expect(await outcome(connecting)).toBe('rejected MSRP_ERR_SESSION');
  });
});
