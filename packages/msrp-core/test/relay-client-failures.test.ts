// The endpoint as a relay client (RFC 4976 §5.1) against a hand-written relay answering AUTH
// by hand: nonce counts on a stale nonce (RFC 7616 §3.4), a 200 whose Use-Path is unreadable,
// and what is left behind after an AUTH that failed.
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint, MsrpError, formatUri, type EndpointOptions } from '../src/index.js';
import { paramValue } from '../src/internal.js';
import { RawServer, type RawFrame, type RawPeer, type RawRequest } from './helpers/raw-peer.js';
import { until } from './helpers/socket-pair.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Step = (req: RawRequest, peer: RawPeer) => void;

/** Writes a response by hand, with extra header lines. */
function reply(peer: RawPeer, req: RawRequest, status: string, headers: string[] = []): void {
  const h = req.head;
  peer.write(
    `MSRP ${h.transactionId} ${status}\r\n` +
      `To-Path: ${formatUri(h.fromPath[0]!)}\r\n` +
      `From-Path: ${formatUri(h.toPath[h.toPath.length - 1]!)}\r\n` +
      headers.map((x) => `${x}\r\n`).join('') +
      `-------${h.transactionId}$\r\n`,
  );
}

/** A relay that answers the n-th AUTH with the n-th step. */
async function relay(steps: Step[]): Promise<{ server: RawServer; auths: RawRequest[] }> {
  const auths: RawRequest[] = [];
  const server = await RawServer.listen({
    onFrame: (frame: RawFrame, peer) => {
      if (frame.head.kind !== 'request' || frame.head.method !== 'AUTH') return;
      auths.push(frame as RawRequest);
      steps[auths.length - 1]?.(frame as RawRequest, peer);
    },
  });
  cleanups.push(() => server.close());
  return { server, auths };
}

function endpoint(server: RawServer, options: Partial<EndpointOptions> = {}): Endpoint {
  const uri = { ...server.uri(), sessionId: undefined };
  const e = new Endpoint({ relays: [{ uri, username: 'alice', password: 'pw' }], ...options });
  cleanups.push(() => e.close());
  return e;
}

const challenge = (nonce: string, extra = ''): string =>
  `WWW-Authenticate: Digest realm="relay", nonce="${nonce}", qop="auth", algorithm=SHA-256${extra}`;
const granted = (req: RawRequest, peer: RawPeer): void =>
  reply(peer, req, '200 OK', [
    `Use-Path: msrp://127.0.0.1:${peer.socket.localPort}/rs;tcp`,
    'Expires: 600',
  ]);

function param(req: RawRequest, name: string): string | undefined {
  return req.head.authorization && paramValue(req.head.authorization.params, name);
}

describe('AUTH digest nonce count (RFC 7616 §3.4)', () => {
  it('starts the count again at 00000001 for the fresh nonce of a stale=true 401', async () => {
    const { server, auths } = await relay([
      (q, p) => reply(p, q, '401 Unauthorized', [challenge('nonce-A')]),
      (q, p) => reply(p, q, '401 Unauthorized', [challenge('nonce-B', ', stale=true')]),
      granted,
    ]);
    await endpoint(server).authenticate();
    expect(auths).toHaveLength(3);
    expect([param(auths[1]!, 'nonce'), param(auths[1]!, 'nc')]).toEqual(['nonce-A', '00000001']);
    // The first request sent with nonce-B: its count is 1, not 2.
    expect([param(auths[2]!, 'nonce'), param(auths[2]!, 'nc')]).toEqual(['nonce-B', '00000001']);
  });
});

describe('a 200 to AUTH with an unreadable Use-Path', () => {
  it('fails authenticate() at once with the parse error, not after the transaction timeout as 408', async () => {
    const { server } = await relay([
      (q, p) => reply(p, q, '200 OK', ['Use-Path: not a uri', 'Expires: 600']),
    ]);
    const e = endpoint(server, { timeout: 2000 });
    e.on('peerError', () => undefined);
    const error = await e.authenticate().then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(error).toBeInstanceOf(MsrpError);
    expect((error as MsrpError).code).not.toBe('MSRP_ERR_TIMEOUT');
    expect((error as MsrpError).message).toMatch(/Use-Path/);
  });
});

describe('after an AUTH the relay refused', () => {
  it('does not report relayLost when the refusing relay then closes the connection', async () => {
    const { server } = await relay([
      (q, p) => reply(p, q, '401 Unauthorized', [challenge('nonce-A')]),
      (q, p) => reply(p, q, '401 Unauthorized', [challenge('nonce-C')]),
    ]);
    const e = endpoint(server);
    const lost: MsrpError[] = [];
    e.on('relayLost', (x) => lost.push(x));
    const error = await e.authenticate().then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(error).toMatchObject({ code: 'MSRP_ERR_REMOTE', status: 401 });
    // The relay gives up on us (as msrp-relay does after too many failed attempts).
    const peer = await server.peer();
    peer.destroy();
    await peer.closed;
    // The endpoint has seen the close once it dropped the registration (it does so at once
    // when the AUTH fails, or when the pinned connection closes).
    await until(() => e.registration === undefined, 2000, 'registration dropped');
    expect(lost).toEqual([]);
  });
});
