// connect() failing: the error says what happened, the session closes once, nothing is left
// unhandled.
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint, MsrpError, type Session } from '../src/index.js';
import { RawServer } from './helpers/raw-peer.js';
import { failOnUnhandled } from './helpers/unhandled.js';

const cleanups: Array<() => unknown> = [];
failOnUnhandled(['unhandledRejection']);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function endpoint(): Endpoint {
  const e = new Endpoint();
  cleanups.push(() => e.close());
  return e;
}

function closeCount(session: Session): () => number {
  let n = 0;
  session.on('close', () => void n++);
  return () => n;
}

describe('connect() when the connection fails', () => {
  it('to a port nobody listens on: MSRP_ERR_CONNECTION, one close event', async () => {
    const server = await RawServer.listen();
    const uri = server.uri();
    await server.close();
    const session = endpoint().createSession();
    const closes = closeCount(session);
    const error = await session.connect([uri]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsrpError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_CONNECTION' });
    expect(session.state).toBe('closed');
    await session.close();
    expect(closes()).toBe(1);
  });

  it('the peer drops it before answering the binding SEND: MSRP_ERR_CONNECTION, not a close', async () => {
    // RFC 4975 §5.4: the active side's SEND binds the connection; here it never gets its 200.
    const server = await RawServer.listen();
    cleanups.push(() => server.close());
    const session = endpoint().createSession();
    const closes = closeCount(session);
    const connecting = session.connect([server.uri()]).catch((e: unknown) => e);
    const peer = await server.peer();
    await peer.request('SEND');
    peer.destroy();
    const error = await connecting;
    expect(error).toBeInstanceOf(MsrpError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_CONNECTION' });
    expect(session.state).toBe('closed');
    expect(closes()).toBe(1);
  });
});
