// The From-Path of inbound requests against the session's peer (RFC 4975 §7.3, §6.1), on
// real loopback sockets with a raw peer: once the peer's URI is known (connect(), accept()
// with a path, or the first SEND), a request from another sender is answered 481 and never
// reaches the session; relays before the sender (RFC 4976 §7.1) do not count, and the
// sender's session-id alone names it (its authority may be rewritten on the way).
import { describe, expect, it } from 'vitest';
import {
  Endpoint,
  newSessionId,
  type EndpointOptions,
  type MsrpUri,
  type Session,
} from '../src/index.js';
import { next } from './helpers/inbox.js';
import { RawPeer, RawServer, type RawRequest } from './helpers/raw-peer.js';
import { cleanups } from './helpers/cleanups.js';

function endpoint(options: EndpointOptions = {}): Endpoint {
  const e = new Endpoint(options);
  cleanups.push(() => e.close());
  return e;
}

/** A URI like `uri` but another sender's (fresh session-id, or the given fields). */
function other(uri: MsrpUri, fields: Partial<MsrpUri> = { sessionId: newSessionId() }): MsrpUri {
  return { ...uri, ...fields };
}

/**
 * Sends, as `peer`, a REPORT on the whole of `send` (`total` bytes) to `session`: `report(code,
 * fromPath)` with that status code, from that path.
 */
function reporter(peer: RawPeer, session: Session, send: RawRequest, total: number) {
  return (code: number, fromPath: MsrpUri[]) =>
    peer.sendRequest({
      method: 'REPORT',
      toPath: [session.localUri],
      fromPath,
      messageId: send.head.messageId!,
      byteRange: { start: 1, end: total, total },
      status: { namespace: '000', code },
    });
}

const relay: MsrpUri = {
  scheme: 'msrp',
  host: 'relay.example.com',
  port: 2855,
  sessionId: 'relay1',
  transport: 'tcp',
  params: [],
};

/** A session of ours that dialed a raw peer (active side), and that peer. */
async function dialed(options: EndpointOptions = {}) {
  const server = await RawServer.listen({ autoRespond: true });
  cleanups.push(() => server.close());
  const remote = server.uri();
  const session = endpoint(options).createSession();
  await session.connect([remote]);
  const peer = await server.peer();
  await peer.request('SEND'); // the bind
  return { session, peer, remote };
}

/** A listening endpoint's session, and a raw peer connected to it. */
async function listening(options: EndpointOptions = {}) {
  const e = endpoint(options);
  await e.listen({ host: '127.0.0.1', port: 0 });
  const session = e.createSession();
  const peer = await RawPeer.connect(session.localUri.port!);
  cleanups.push(() => peer.destroy());
  return { session, peer };
}

async function statusOf(peer: RawPeer, session: Session, fromPath: readonly MsrpUri[], body = 'x') {
  const response = await peer.transact({ toPath: [session.localUri], fromPath, body });
  return response.head.statusCode;
}

describe('From-Path of inbound requests (RFC 4975 §7.3)', () => {
  it('active side: 481 for a sender other than the peer dialed, 200 for the peer', async () => {
    const { session, peer, remote } = await dialed();
    const inbox = session[Symbol.asyncIterator]();
    expect(await statusOf(peer, session, [other(remote)], 'spoofed')).toBe(481);
    expect(await statusOf(peer, session, [remote], 'genuine')).toBe(200);
    // RFC 4976 §7.1: relays put their URIs before the sender's; the sender is the last.
    expect(await statusOf(peer, session, [relay, remote], 'relayed')).toBe(200);
    expect(await statusOf(peer, session, [remote, relay])).toBe(481);
    expect((await next(inbox)).text()).toBe('genuine');
    expect((await next(inbox)).text()).toBe('relayed');
    expect(session.state).toBe('bound');
  });

  it('passive side with the peer path known: 481 and no binding for another sender', async () => {
    const { session, peer } = await listening();
    const expected = peer.uri;
    session.accept([relay, expected]);
    expect(await statusOf(peer, session, [other(expected)])).toBe(481);
    expect(session.state).toBe('waiting');
    expect(session.connection).toBeUndefined();
    expect(await statusOf(peer, session, [expected], 'hello')).toBe(200);
    expect(session.state).toBe('bound');
    expect((await next(session[Symbol.asyncIterator]())).text()).toBe('hello');
  });

  it('passive side without a path: the first SEND names the peer, others get 481', async () => {
    const { session, peer } = await listening();
    session.accept();
    const inbox = session[Symbol.asyncIterator]();
    const first = peer.uri;
    expect(await statusOf(peer, session, [first], 'one')).toBe(200);
    expect(await statusOf(peer, session, [other(first)], 'intruder')).toBe(481);
    expect(await statusOf(peer, session, [first], 'two')).toBe(200);
    expect((await next(inbox)).text()).toBe('one');
    expect((await next(inbox)).text()).toBe('two');
  });

  it('a NICKNAME from another sender gets 481; a REPORT from one is dropped unseen', async () => {
    const { session, peer, remote } = await dialed();
    const nickname = await peer.transact({
      method: 'NICKNAME',
      toPath: [session.localUri],
      fromPath: [other(remote)],
      extensions: [{ name: 'Use-Nickname', value: '"Mallory"' }],
    });
    expect(nickname.head.statusCode).toBe(481);
    const reports: number[] = [];
    session.on('report', (r) => reports.push(r.status.code));
    const sent = session.send('watched', { successReport: true });
    const send = await peer.request('SEND');
    const report = reporter(peer, session, send, 7);
    // A failure REPORT from another sender would fail the message: it is not taken.
    report(413, [other(remote)]);
    report(200, [remote]);
    await sent;
    expect(reports).toEqual([200]);
  });

  it('takes a failure REPORT from a relay on the path (RFC 4976 §7.2), not from others', async () => {
    let sends = 0;
    const server = await RawServer.listen({
      onFrame: (frame, peer) => {
        if (frame.head.kind === 'request' && sends++ === 0) peer.respond(frame as never);
      },
    });
    cleanups.push(() => server.close());
    const hop = server.uri('relay2');
    const session = endpoint().createSession();
    await session.connect([hop, other(relay, { host: 'peer.example.com' })]);
    const peer = await server.peer();
    await peer.request('SEND'); // the bind
    const sent = session.send('refused further on');
    const send = await peer.request('SEND');
    const report = reporter(peer, session, send, 18);
    report(415, [other(hop)]); // dropped: no hop of ours
    report(413, [hop]);
    await expect(sent).rejects.toMatchObject({ status: 413 });
  });

  it('knows the peer by its session-id: the authority dialed may be a proxy (RFC 6714)', async () => {
    // As `msrp send` to a proxy in front of `msrp listen --match-session-id`: the listener's
    // requests carry its own address, not the proxy's that the sender dialed.
    const { session, peer, remote } = await dialed();
    const inbox = session[Symbol.asyncIterator]();
    const real = other(remote, { host: '127.0.0.2', port: 9999 });
    expect(await statusOf(peer, session, [real], 'through a proxy')).toBe(200);
    expect(await statusOf(peer, session, [other(real)])).toBe(481);
    expect((await next(inbox)).text()).toBe('through a proxy');
  });
});
