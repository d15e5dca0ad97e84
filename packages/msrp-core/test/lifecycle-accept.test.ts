// acceptConnection() on a closed endpoint: the connection handed over is closed, not served by
// an endpoint that has no session left and that nothing will close again.
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint } from '../src/index.js';
import { socketStream } from '../src/internal.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Both ends of a loopback TCP connection. */
async function tcpPair(): Promise<{ ours: Socket; theirs: Socket }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const theirs = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const ours = await accepted;
  server.close();
  cleanups.push(() => {
    ours.destroy();
    theirs.destroy();
  });
  return { ours, theirs };
}

describe('acceptConnection() once the endpoint is closed', () => {
  it('closes the connection at once, even with bindTimeout and idleTimeout 0 (never)', async () => {
    const e = new Endpoint({ bindTimeout: 0, idleTimeout: 0 });
    await e.close();
    const { ours, theirs } = await tcpPair();
    const peerSawClose = new Promise<void>((resolve) => theirs.once('close', () => resolve()));
    theirs.resume();
    e.acceptConnection(socketStream(ours, 'peer'));
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      peerSawClose.then(() => 'closed'),
      new Promise((resolve) => (timer = setTimeout(() => resolve('still open after 2 s'), 2000))),
    ]);
    clearTimeout(timer);
    expect(outcome).toBe('closed');
  });
});
