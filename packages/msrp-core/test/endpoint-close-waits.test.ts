// endpoint.close() resolves once its connections are closed, not once they begin to close. A
// session's close starts its connection's, and close() closes the sessions first: it used to
// resolve at once, with the socket still draining. `msrp send` exits right after it; the
// kernel then reset a socket with unread bytes, and the listener logged "the peer reset the
// connection" after every failed send.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DeliveryError, type Session } from '../src/index.js';
import { cleanups, endpoint } from './helpers/cleanups.js';
import { within } from './helpers/within.js';

/** The sockets this process dials from now on (until the test's clean-ups). */
function dialedSockets(): Socket[] {
  const sockets: Socket[] = [];
  const onSocket = (message: unknown): void => {
    sockets.push((message as { socket: Socket }).socket);
  };
  subscribe('net.client.socket', onSocket);
  cleanups.push(() => unsubscribe('net.client.socket', onSocket));
  return sockets;
}

/** A listening endpoint's session, and the errors it was unbound with. */
async function receiver(maxSize?: number): Promise<{ session: Session; unbound: unknown[] }> {
  const listening = endpoint();
  await listening.listen({ host: '127.0.0.1', port: 0 });
  const session = listening.createSession(maxSize === undefined ? {} : { maxSize });
  session.accept();
  const unbound: unknown[] = [];
  session.on('unbound', (error) => unbound.push(error));
  return { session, unbound };
}

describe('endpoint.close()', () => {
  it('resolves once the connection its session closed is closed', async () => {
    const sockets = dialedSockets();
    const { session: remote } = await receiver();
    const sender = endpoint();
    const session = sender.createSession();
    await session.connect([remote.localUri]);
    await session.send('hello');
    await within(sender.close(), 3000, 'endpoint.close()');
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.closed).toBe(true);
  });

  it('after a refused message, the peer sees our FIN, not a reset', async () => {
    const sockets = dialedSockets();
    const { session: remote, unbound } = await receiver(1000);
    const sender = endpoint();
    const session = sender.createSession();
    await session.connect([remote.localUri]);
    // Chunks are in flight when the 413 comes, and 413s to them follow it.
    const failed = await session.send(new Uint8Array(4 * 1024 * 1024)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(DeliveryError);
    expect((failed as DeliveryError).status).toBe(413);
    const unbinding = new Promise((resolve) => remote.once('unbound', resolve));
    await within(sender.close(), 3000, 'endpoint.close()');
    // As a process exiting right after close(): a socket not closed yet is reset now.
    sockets[0]!.destroy();
    await within(unbinding, 3000, "the receiver's session unbound");
    expect(unbound).toEqual([undefined]);
  });
});
