// A loopback connection accepted paused (`pauseOnConnect`), for tests of sockets that read into
// reused buffers; everything it opens is closed after the test.
import { connect, createServer, type Socket } from 'node:net';
import { reusingReads } from '../../src/node/socket-stream.js';
import { cleanups } from './cleanups.js';

/**
 * A connection accepted from a server made with `pauseOnConnect`, the socket `accept` made of
 * it (default: one that reads into reused buffers), and the client that dialed it.
 */
export async function acceptedPair(
  accept: (accepted: Socket) => Socket = reusingReads,
): Promise<{ socket: Socket; accepted: Socket; client: Socket }> {
  const server = createServer({ pauseOnConnect: true });
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const connected = new Promise<[Socket, Socket]>((resolve) =>
    server.once('connection', (accepted: Socket) => resolve([accepted, accept(accepted)])),
  );
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  client.on('error', () => undefined);
  cleanups.push(() => client.destroy());
  const [accepted, socket] = await connected;
  cleanups.push(() => socket.destroy());
  return { socket, accepted, client };
}
