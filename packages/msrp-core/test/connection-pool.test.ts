// The connections an endpoint dials are shared by authority: scheme, host, port and transport.
import { describe, expect, it } from 'vitest';
import { ConnectionPool } from '../src/endpoint/connection-pool.js';
import type { Peer } from '../src/endpoint/peer.js';
import { parseUri, type ByteStream, type MsrpUri } from '../src/index.js';

function pool(): { pool: ConnectionPool; dialed: string[] } {
  const dialed: string[] = [];
  const dial = (uri: MsrpUri): Promise<ByteStream> => {
    dialed.push(`${uri.scheme}://${uri.host}:${uri.port};${uri.transport}`);
    return Promise.resolve({} as ByteStream);
  };
  return {
    dialed,
    pool: new ConnectionPool({
      dialers: { msrp: dial, msrps: dial },
      tls: undefined,
      connectTimeout: 1000,
      maxWebSocketMessage: 1 << 20,
      attach: (_stream, key) => ({ key, connection: { closed: false } }) as unknown as Peer,
    }),
  };
}

describe('ConnectionPool', () => {
  it('shares one connection among sessions to the same authority', async () => {
    const { pool: p, dialed } = pool();
    const a = await p.dial(parseUri('msrp://relay.example.com:8080/a;tcp'));
    const b = await p.dial(parseUri('msrp://relay.example.com:8080/b;tcp'));
    expect(a).toBe(b);
    expect(dialed).toHaveLength(1);
  });

  it('keeps a WebSocket and a TCP connection to the same host and port apart', async () => {
    const { pool: p, dialed } = pool();
    const tcp = await p.dial(parseUri('msrp://relay.example.com:8080/a;tcp'));
    const ws = await p.dial(parseUri('msrp://relay.example.com:8080/b;ws'));
    expect(ws).not.toBe(tcp);
    expect(dialed).toEqual([
      'msrp://relay.example.com:8080;tcp',
      'msrp://relay.example.com:8080;ws',
    ]);
    expect(await p.dial(parseUri('msrp://relay.example.com:8080/c;WS'))).toBe(ws);
  });

  it('gives an aliased authority the aliased connection while it is open, then dials anew', async () => {
    const { pool: p, dialed } = pool();
    const relay = await p.dial(parseUri('msrp://relay.example.com:443/a;ws'));
    p.alias(parseUri('msrp://relay.example.com:2855/sid;tcp'), relay);
    expect(await p.dial(parseUri('msrp://relay.example.com:2855/sid;tcp'))).toBe(relay);
    expect(dialed).toEqual(['msrp://relay.example.com:443;ws']);
    (relay.connection as { closed: boolean }).closed = true;
    const fresh = await p.dial(parseUri('msrp://relay.example.com:2855/sid;tcp'));
    expect(fresh).not.toBe(relay);
    expect(dialed).toEqual([
      'msrp://relay.example.com:443;ws',
      'msrp://relay.example.com:2855;tcp',
    ]);
  });

  it('forgets a closed connection without dropping the newer one to its authority', async () => {
    const { pool: p, dialed } = pool();
    const old = await p.dial(parseUri('msrp://peer.example.com:2855/a;tcp'));
    (old.connection as { closed: boolean }).closed = true;
    const fresh = await p.dial(parseUri('msrp://peer.example.com:2855/b;tcp'));
    expect(fresh).not.toBe(old);
    // The old connection's close is reported after the new one was dialed.
    p.forget(old);
    expect(await p.dial(parseUri('msrp://peer.example.com:2855/c;tcp'))).toBe(fresh);
    expect(dialed).toHaveLength(2);
  });

  it('fails a dial whose fresh connection closed at once, not dialing it again and again', async () => {
    // A WebSocket peer that sent a message over maxWebSocketMessage before we read a byte had
    // us dial it in a loop: each connection was closed (1009) by the time the dial resolved.
    const dialed: string[] = [];
    const p = new ConnectionPool({
      dialers: {
        msrp: () => {
          dialed.push('dial');
          if (dialed.length > 3) return Promise.reject(new Error('dialed in a loop'));
          return Promise.resolve({} as ByteStream);
        },
      },
      tls: undefined,
      connectTimeout: 1000,
      maxWebSocketMessage: 1 << 20,
      attach: (_stream, key) => ({ key, connection: { closed: true } }) as unknown as Peer,
    });
    await expect(p.dial(parseUri('msrp://peer.example.com:2855/a;ws'))).rejects.toMatchObject({
      code: 'MSRP_ERR_CONNECTION',
    });
    expect(dialed).toHaveLength(1);
  });

  it('shares one connection among spellings of the same host: case, IPv6 by value', async () => {
    // RFC 4975 §5.4 (SHOULD reuse a connection to the same host, port and scheme), §6.1.
    const { pool: p, dialed } = pool();
    const lower = await p.dial(parseUri('msrp://peer.example.com:2855/a;tcp'));
    expect(await p.dial(parseUri('msrp://PEER.Example.COM:2855/b;TCP'))).toBe(lower);
    const v6 = await p.dial(parseUri('msrp://[2001:db8::1]:2855/c;tcp'));
    expect(await p.dial(parseUri('msrp://[2001:DB8:0:0:0:0:0:1]:2855/d;tcp'))).toBe(v6);
    expect(dialed).toHaveLength(2);
  });
});
