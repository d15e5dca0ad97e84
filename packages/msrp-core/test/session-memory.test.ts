// Session and endpoint state over an in-memory duplex pair: no sockets, no ports. Endpoint A
// "dials" one end; endpoint B takes the other with acceptConnection().
import { describe, expect, it } from 'vitest';
import { Endpoint, type Dialer, type EndpointOptions, type MsrpUri } from '../src/index.js';
import { socketStream } from '../src/internal.js';
import { duplexPair } from './helpers/duplex-pair.js';
import { next } from './helpers/inbox.js';

const B_HOST: MsrpUri = {
  scheme: 'msrp',
  host: '127.0.0.1',
  port: 2855,
  transport: 'tcp',
  params: [],
};

/** A and B joined by an in-memory pair, opened when A dials; both closed by `await using`. */
function endpoints(options: { a?: EndpointOptions; b?: EndpointOptions } = {}) {
  const b = new Endpoint({ host: B_HOST.host, ...options.b });
  let dials = 0;
  const dial: Dialer = () => {
    dials++;
    const [ours, theirs] = duplexPair();
    b.acceptConnection(socketStream(theirs), 'memory');
    return Promise.resolve(socketStream(ours));
  };
  const a = new Endpoint({ dialers: { msrp: dial }, ...options.a });
  return {
    a,
    b,
    dials: () => dials,
    [Symbol.asyncDispose]: async () => {
      await a.close();
      await b.close();
    },
  };
}

describe('sessions over an in-memory duplex pair', () => {
  it('binds, carries messages both ways, shares one connection, and closes', async () => {
    await using pair = endpoints();
    const { a, b, dials } = pair;
    const sb1 = b.createSession({ localUri: { ...B_HOST, sessionId: 'bbbb1111' } });
    const sb2 = b.createSession({ localUri: { ...B_HOST, sessionId: 'bbbb2222' } });
    sb1.accept();
    sb2.accept();
    const sa1 = a.createSession();
    const sa2 = a.createSession();
    expect(sa1.state).toBe('new');
    const connecting = sa1.connect([sb1.localUri]);
    expect(sa1.state).toBe('connecting');
    await connecting;
    await sa2.connect([sb2.localUri]);
    expect([sa1.state, sb1.state, sa2.state, sb2.state]).toEqual([
      'bound',
      'bound',
      'bound',
      'bound',
    ]);
    expect(dials()).toBe(1); // RFC 4975 §5.4: both sessions on one connection

    const inB1 = sb1[Symbol.asyncIterator]();
    const inA1 = sa1[Symbol.asyncIterator]();
    await sa1.send('ping');
    expect((await next(inB1)).text()).toBe('ping');
    await sb1.send('pong');
    expect((await next(inA1)).text()).toBe('pong');

    // Closing the last session of A's connection closes it; B's sessions are unbound.
    const unbound = new Promise<void>((resolve) => sb2.once('close', () => resolve()));
    await sa1.close();
    await sa2.close();
    await unbound;
    expect(sb1.state).toBe('closed');
    expect(b.sessionCount).toBe(0);
  });

  it('refuses illegal state changes with MSRP_ERR_SESSION', async () => {
    await using pair = endpoints();
    const { a, b } = pair;
    const sb = b.createSession({ localUri: { ...B_HOST, sessionId: 'bbbb3333' } });
    sb.accept();
    expect(() => sb.accept()).toThrow(expect.objectContaining({ code: 'MSRP_ERR_SESSION' }));
    await expect(sb.connect([sb.localUri])).rejects.toMatchObject({ code: 'MSRP_ERR_SESSION' });
    const sa = a.createSession();
    await sa.connect([sb.localUri]);
    await expect(sa.connect([sb.localUri])).rejects.toMatchObject({
      code: 'MSRP_ERR_SESSION',
      message: 'Cannot connect: session is bound',
    });
    await sa.close();
    expect(() => sa.accept()).toThrow(expect.objectContaining({ code: 'MSRP_ERR_SESSION' }));
    await expect(sa.send('late')).rejects.toMatchObject({ code: 'MSRP_ERR_SESSION' });
  });

  it('answers 481 for a session B does not have; the connect fails and closes the session', async () => {
    await using pair = endpoints();
    const { a } = pair;
    const sa = a.createSession();
    await expect(sa.connect([{ ...B_HOST, sessionId: 'nosuch99' }])).rejects.toMatchObject({
      code: 'MSRP_ERR_REMOTE',
      status: 481,
    });
    expect(sa.state).toBe('closed');
    expect(a.sessionCount).toBe(0);
  });
});
