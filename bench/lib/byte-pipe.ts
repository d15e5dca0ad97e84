// The cheapest possible proxy, the relay's baseline: every connection piped to a target port,
// both ways.
import { once } from 'node:events';
import { connect, createServer, type AddressInfo } from 'node:net';

/** Listens on 127.0.0.1 and pipes each connection to `targetPort`; resolves with its port. */
export async function listenPipe(targetPort: number): Promise<{ port: number; stop: () => void }> {
  const server = createServer((client) => {
    client.setNoDelay(true);
    const upstream = connect({ host: '127.0.0.1', port: targetPort, noDelay: true });
    client.pipe(upstream).pipe(client);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, stop: () => server.close() };
}
