// What a closed session still answers to: every action fails with MSRP_ERR_SESSION and
// nothing reaches the wire, also while other sessions keep the connection open.
import { describe, expect, it } from 'vitest';
import { Endpoint } from '../src/index.js';
import { cleanups } from './helpers/cleanups.js';

function endpoint(): Endpoint {
  const e = new Endpoint();
  cleanups.push(() => e.close());
  return e;
}

describe('a closed session', () => {
  it('keepalive() rejects MSRP_ERR_SESSION rather than send on the shared connection', async () => {
    const b = endpoint();
    await b.listen({ host: '127.0.0.1', port: 0 });
    const a = endpoint();
    // Two sessions to one peer share a connection (RFC 4975 §5.4): closing one keeps it open.
    const [b1, b2] = [b.createSession(), b.createSession()];
    b1.accept();
    b2.accept();
    const [a1, a2] = [a.createSession(), a.createSession()];
    await a1.connect([b1.localUri]);
    await a2.connect([b2.localUri]);
    expect(a1.connection).toBe(a2.connection);
    await a1.close();
    await expect(a1.keepalive()).rejects.toMatchObject({
      code: 'MSRP_ERR_SESSION',
      message: 'Session is not bound',
    });
    // The other session goes on.
    expect((await a2.keepalive()).statusCode).toBe(200);
    await expect(a1.send('late')).rejects.toMatchObject({ code: 'MSRP_ERR_SESSION' });
    await expect(a1.sendMany(['late'])).rejects.toMatchObject({ code: 'MSRP_ERR_SESSION' });
    await expect(a1.setNickname('late')).rejects.toMatchObject({ code: 'MSRP_ERR_SESSION' });
    await expect(a1.sendFile(new Uint8Array(10))).rejects.toMatchObject({
      code: 'MSRP_ERR_SESSION',
    });
    expect(() => a1.abort('no such message')).not.toThrow();
  });
});
