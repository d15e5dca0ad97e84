// Two ends of one loopback TCP connection, for tests of a Connection against a scripted peer.
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

/** Our end (accepted) and the peer's end (dialed) of one loopback connection. */
export interface SocketPair {
  readonly ours: Socket;
  readonly theirs: Socket;
  /** Destroys both ends and stops the listener. */
  close(): Promise<void>;
}

/**
 * Opens a loopback connection through a listener on 127.0.0.1 (port 0). `allowHalfOpen`
 * on the peer's end keeps it from answering our FIN with its own, like a peer that
 * never closes.
 */
export async function socketPair(options: { allowHalfOpen?: boolean } = {}): Promise<SocketPair> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const theirs = connect({
    host: '127.0.0.1',
    port: address.port,
    allowHalfOpen: options.allowHalfOpen ?? false,
  });
  theirs.on('error', () => undefined);
  const [[ours]] = await Promise.all([accepted, once(theirs, 'connect')]);
  ours.on('error', () => undefined);
  return {
    ours,
    theirs,
    close: async () => {
      ours.destroy();
      theirs.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves once `condition()` holds, polling every few ms; rejects after `timeout` ms. */
export async function until(
  condition: () => boolean,
  timeout = 5000,
  what = 'condition',
): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeout) throw new Error(`${what} not met within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
