// Bad PEM input for the client certificate or key of an msrps dial: the dial must fail with
// an MsrpError (as every other dial failure does), not with OpenSSL's raw Error.
import { generate } from 'selfsigned';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Endpoint, MsrpError, type EndpointOptions, type Session } from '../src/index.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function endpoint(options?: EndpointOptions): Endpoint {
  const e = new Endpoint(options);
  cleanups.push(() => e.close());
  return e;
}
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (v) => {
      throw new Error(`expected a rejection, got ${String(v)}`);
    },
    (e: unknown) => e,
  );
}

let cert = '';
let key = '';
beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  cert = pems.cert;
  key = pems.private;
});

async function listener(): Promise<Session> {
  const b = endpoint();
  await b.listen({ tls: { cert, key } });
  const s = b.createSession();
  s.accept();
  return s;
}

describe('msrps dial with a client certificate that is not PEM', () => {
  it('fails session.connect() with an MsrpError when the client cert is not PEM', async () => {
    const passive = await listener();
    const a = endpoint({ tls: { ca: cert, cert: 'not a certificate', key } });
    const active = a.createSession();
    const error = await failure(active.connect([passive.localUri]));
    expect(error).toBeInstanceOf(MsrpError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_INVALID_ARGUMENT' });
  });

  it('fails session.connect() with an MsrpError when the client key is not PEM', async () => {
    const passive = await listener();
    const a = endpoint({ tls: { ca: cert, cert, key: 'not a key' } });
    const active = a.createSession();
    const error = await failure(active.connect([passive.localUri]));
    expect(error).toBeInstanceOf(MsrpError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_INVALID_ARGUMENT' });
  });

  it('fails endpoint.authenticate() to an msrps relay with an MsrpError when the client key is not PEM', async () => {
    const passive = await listener();
    const relay = { ...passive.localUri, sessionId: undefined };
    const a = endpoint({
      tls: { ca: cert, cert, key: 'not a key' },
      relays: [{ uri: relay, username: 'alice', password: 'pw' }],
    });
    const error = await failure(a.authenticate());
    expect(error).toBeInstanceOf(MsrpError);
    expect(error).toMatchObject({ code: 'MSRP_ERR_INVALID_ARGUMENT' });
  });
});
