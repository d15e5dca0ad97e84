import { Endpoint } from '../../src/index.js';
import type { EndpointOptions, Session, SessionOptions } from '../../src/index.js';
import { memoryPair } from './memory-pair.js';

/**
 * Two bound sessions over an in-memory connection: `a` (the sender's, connected) and `b`
 * (accepting). Both endpoints are closed by the `cleanups` the test runs after each test.
 */
export async function sessionPair(
  cleanups: Array<() => unknown>,
  options: { receiver?: SessionOptions; sender?: SessionOptions } = {},
): Promise<{ a: Session; b: Session }> {
  const server = new Endpoint({ host: 'b.example.com' });
  const client = new Endpoint({
    dialers: {
      msrp: () => {
        const [ours, theirs] = memoryPair();
        server.acceptConnection(theirs, 'a');
        return Promise.resolve(ours);
      },
    },
  });
  cleanups.push(
    () => client.close(),
    () => server.close(),
  );
  const b = server.createSession(options.receiver);
  b.accept();
  const a = client.createSession(options.sender);
  await a.connect([b.localUri]);
  return { a, b };
}

/**
 * Two bound sessions over loopback TCP: `b` accepting on the `server` endpoint, which listens on
 * 127.0.0.1 (port 0) with `receiver` as its session defaults, and `a` on the `client` endpoint,
 * dialed to it; `endpoint` options go to both endpoints. Both endpoints are closed by the
 * `cleanups` the test runs after each test (the server's last).
 */
export async function loopbackSessionPair(
  cleanups: Array<() => unknown>,
  receiver?: SessionOptions,
  endpoint: EndpointOptions = {},
): Promise<{ a: Session; b: Session; client: Endpoint; server: Endpoint }> {
  const server = new Endpoint({ ...endpoint, session: receiver ?? endpoint.session });
  cleanups.push(() => server.close());
  await server.listen({ host: '127.0.0.1', port: 0 });
  const client = new Endpoint(endpoint);
  cleanups.push(() => client.close());
  const b = server.createSession();
  b.accept();
  const a = client.createSession();
  await a.connect([b.localUri]);
  return { a, b, client, server };
}
