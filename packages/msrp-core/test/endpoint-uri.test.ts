// The URI of an endpoint that does not listen: a random host under .invalid (as RFC 7977
// §8.1.1 gives unreachable clients), so it never equals a relay's or another endpoint's
// authority; it is never dialed, and peers reach it over the connection it opened.
import { describe, expect, it } from 'vitest';
import {
  MsrpError,
  dialTcp,
  formatUri,
  parseUri,
  type Dialer,
  type ResponseHead,
} from '../src/index.js';
import { checkDialable } from '../src/internal.js';
import { RawServer, isRequest } from './helpers/raw-peer.js';
import { next } from './helpers/inbox.js';
import { cleanups, endpoint } from './helpers/cleanups.js';

const INVALID_HOST = /^[0-9a-f]{24}\.invalid$/;

describe('the URI of an endpoint that does not listen', () => {
  it('has a random .invalid host, fixed per endpoint, port 2855, valid per RFC 4975 §9', () => {
    const e = endpoint();
    const [a, b] = [e.createSession().localUri, e.createSession().localUri];
    expect(a.host).toMatch(INVALID_HOST);
    expect(a.port).toBe(2855);
    expect(b.host).toBe(a.host);
    expect(b.sessionId).not.toBe(a.sessionId);
    expect(parseUri(formatUri(a))).toEqual(a);
    expect(endpoint().createSession().localUri.host).not.toBe(a.host);
  });

  it("is the listener's authority once the endpoint listens", async () => {
    const e = endpoint();
    const before = e.createSession().localUri;
    const listener = await e.listen({ host: '127.0.0.1', port: 0 });
    const after = e.createSession().localUri;
    expect(before.host).toMatch(INVALID_HOST);
    expect([after.host, after.port]).toEqual(['127.0.0.1', listener.port]);
  });

  it('takes EndpointOptions.host when given', () => {
    expect(endpoint({ host: 'client.example.com' }).createSession().localUri.host).toBe(
      'client.example.com',
    );
  });

  it('is never dialed: connect() fails with MSRP_ERR_CONNECTION before any dialer runs', async () => {
    let dialed = 0;
    const counting: Dialer = () => {
      dialed++;
      return Promise.reject(new Error('dialed'));
    };
    const e = endpoint({ dialers: { msrp: counting } });
    const target = endpoint().createSession().localUri;
    const error = await e
      .createSession()
      .connect([target])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(MsrpError);
    expect((error as MsrpError).code).toBe('MSRP_ERR_CONNECTION');
    expect((error as MsrpError).message).toMatch(/\.invalid/);
    expect(dialed).toBe(0);
  });

  it('is refused by dialTcp and checkDialable without a DNS lookup', async () => {
    const uri = parseUri('msrp://abc.INVALID.:2855/s1;tcp');
    expect(() => checkDialable(uri)).toThrow(/\.invalid host/);
    await expect(dialTcp(uri, { timeout: 50 })).rejects.toMatchObject({
      code: 'MSRP_ERR_CONNECTION',
    });
    expect(() => checkDialable(parseUri('msrp://invalid.example.com:2855/s1;tcp'))).not.toThrow();
  });

  it('is reached over the connection it opened: messages flow both ways', async () => {
    const bob = endpoint();
    await bob.listen({ host: '127.0.0.1', port: 0 });
    const bobSession = bob.createSession();
    bobSession.accept();
    const alice = endpoint();
    const aliceSession = alice.createSession();
    await aliceSession.connect([bobSession.localUri]);
    expect(bobSession.remotePath?.[0]?.host).toMatch(INVALID_HOST);
    await aliceSession.send('to bob');
    expect((await next(bobSession[Symbol.asyncIterator]())).text()).toBe('to bob');
    await bobSession.send('to alice');
    expect((await next(aliceSession[Symbol.asyncIterator]())).text()).toBe('to alice');
  });

  it('is the From-Path of AUTH to a relay', async () => {
    const relay = await RawServer.listen({
      onFrame: (frame, peer) => {
        if (!isRequest(frame) || frame.head.method !== 'AUTH') return;
        const response: ResponseHead = {
          kind: 'response',
          transactionId: frame.head.transactionId,
          statusCode: 200,
          toPath: [frame.head.fromPath[0]!],
          fromPath: [frame.head.toPath[0]!],
          usePath: [relay.uri('relaysession')],
          expires: 600,
        };
        peer.writeFrame(response);
      },
    });
    cleanups.push(() => relay.close());
    const e = endpoint({
      relays: [{ uri: relay.uri(undefined), username: 'alice', password: 'pw' }],
    });
    await e.authenticate();
    const auth = (await relay.peer()).requests.find((r) => r.head.method === 'AUTH')!;
    expect(auth.head.fromPath[0]!.host).toMatch(INVALID_HOST);
    expect(e.createSession().localUri.host).toBe(auth.head.fromPath[0]!.host);
  });
});
