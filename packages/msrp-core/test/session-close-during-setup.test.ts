// A session closed while it is being set up: by its own 'bound' handler (the natural place
// to refuse a peer after looking at remotePath), during the dial, or while the binding SEND
// awaits its 200. It must end closed, off the connection, and connect() must fail.
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint, type EndpointOptions } from '../src/index.js';
import { RawPeer } from './helpers/raw-peer.js';

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function endpoint(options?: EndpointOptions): Endpoint {
  const e = new Endpoint(options);
  cleanups.push(() => e.close());
  return e;
}

async function rawPeer(port: number): Promise<RawPeer> {
  const peer = await RawPeer.connect(port);
  cleanups.push(() => peer.destroy());
  return peer;
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
