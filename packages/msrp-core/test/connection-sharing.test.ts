// Sessions to the same peer share one connection (RFC 4975 §5.4, §8.1), whatever the case of
// its host name: one session closing, mid-message or while another connects, is no failure of
// that connection for the others.
import { describe, expect, it } from 'vitest';
import { Endpoint, dialTcp, type Dialer } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { RawServer } from './helpers/raw-peer.js';
import { cleanups, endpoint } from './helpers/cleanups.js';
import { countedTcpDials } from './helpers/counted-dials.js';

const MiB = 1 << 20;

async function* mebibytes(count: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) {
    await Promise.resolve();
    yield new Uint8Array(MiB).fill(65);
  }
}

describe('a session closing mid-message on a shared connection', () => {
  // The interrupted chunk still gets its end-line (RFC 4975 §7.1, "#"), and the receiver
  // answers the rest of its chunk 481 (§10).
  for (const side of ['sender', 'receiver'] as const) {
    it(`(${side} closes) leaves the other session on the connection working both ways`, async () => {
      const b = endpoint();
      await b.listen({ host: '127.0.0.1', port: 0 });
      const tcp = countedTcpDials();
      const a = endpoint({
        dialers: tcp.dialers,
        // One chunk for the whole message: it is written in parts (ExclusiveWrites).
        session: { chunkSize: 64 * MiB },
      });
      const [b1, b2] = [b.createSession(), b.createSession()];
      b1.accept();
      b2.accept();
      const [a1, a2] = [a.createSession(), a.createSession()];
      await a1.connect([b1.localUri]);
      await a2.connect([b2.localUri]);
      expect(tcp.dials()).toBe(1);
      const big = a1.send(mebibytes(64), {
        contentType: 'application/octet-stream',
        size: 64 * MiB,
      });
      big.catch(() => undefined);
      const message = await next(b1[Symbol.asyncIterator]());
      let read = 0;
      for await (const part of message.stream!) {
        read += part.length;
        if (read > 4 * MiB) break;
      }
      await (side === 'sender' ? a1 : b1).close();
      await expect(big).rejects.toMatchObject({
        code: side === 'sender' ? 'MSRP_ERR_SESSION' : 'MSRP_ERR_REMOTE',
      });
      await a2.send('still here');
      expect((await next(b2[Symbol.asyncIterator]())).text()).toBe('still here');
      await b2.send('and back');
      expect((await next(a2[Symbol.asyncIterator]())).text()).toBe('and back');
    });
  }
});

describe('a session connecting while another to the same peer closes', () => {
  it('connects when the other closes while both await the dial', async () => {
    const server = await RawServer.listen({ autoRespond: true });
    cleanups.push(() => server.close());
    let openDial!: () => void;
    const gate = new Promise<void>((resolve) => (openDial = resolve));
    const gated: Dialer = async (uri, options) => {
      await gate;
      return dialTcp(uri, options);
    };
    const a = endpoint({ dialers: { msrp: gated } });
    const [cancelled, wanted] = [a.createSession(), a.createSession()];
    const first = cancelled.connect([server.uri()]).catch(() => undefined);
    const second = wanted.connect([server.uri()]).then(
      () => 'connected',
      (e: Error) => e.message,
    );
    await cancelled.close();
    openDial();
    await first;
    expect(await second).toBe('connected');
    expect(wanted.state).toBe('bound');
  });

  it('connects when the last session of the open connection closes meanwhile', async () => {
    // k counts the microtask turns between connect() and the other session's close(): at
    // k = 1 the pool has handed out the open connection, and the close would shut it.
    const outcomes: string[] = [];
    for (let k = 0; k <= 6; k++) {
      const server = await RawServer.listen({ autoRespond: true });
      const a = new Endpoint();
      try {
        const old = a.createSession();
        await old.connect([server.uri()]);
        const fresh = a.createSession();
        const connecting = fresh.connect([server.uri()]);
        for (let i = 0; i < k; i++) await Promise.resolve();
        await old.close();
        outcomes.push(
          await connecting.then(
            () => `${k}: ok`,
            (e: Error) => `${k}: ${e.message}`,
          ),
        );
        // The connection the fresh session took is the one kept, not a new one.
        expect(server.peers).toHaveLength(1);
      } finally {
        await a.close();
        await server.close();
      }
    }
    expect(outcomes).toEqual([0, 1, 2, 3, 4, 5, 6].map((k) => `${k}: ok`));
  });
});

describe('the connection shared by sessions to one peer', () => {
  it('is shared between URIs whose hosts differ only in case', async () => {
    // RFC 4975 §5.4: a connection to the same host, port and scheme SHOULD be reused; §6.1:
    // hosts compare case-insensitively.
    const server = await RawServer.listen({ autoRespond: true });
    cleanups.push(() => server.close());
    // Any spelling of the name reaches the raw server (no DNS in the test).
    const loopback: Dialer = (uri, options) => dialTcp({ ...uri, host: '127.0.0.1' }, options);
    const a = endpoint({ dialers: { msrp: loopback } });
    const [lower, upper] = [a.createSession(), a.createSession()];
    await lower.connect([{ ...server.uri(), host: 'peer.example.com' }]);
    await upper.connect([{ ...server.uri(), host: 'PEER.Example.COM' }]);
    expect(server.peers).toHaveLength(1);
  });
});
