// An endpoint listener ('peerError' here) that throws while the endpoint reads a connection
// stops none of the endpoint's work: the faulty connection is still closed, and what the
// listener threw comes back as an uncaught exception, not into the connection's read.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { Endpoint } from '../src/index.js';
import { within } from './helpers/within.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it("a throwing 'peerError' listener: the bad connection still closes, the error is uncaught", async () => {
  const bug = new Error('app bug');
  const uncaught: unknown[] = [];
  let caught!: () => void;
  const caughtOnce = new Promise<void>((resolve) => (caught = resolve));
  const onUncaught = (e: unknown): void => {
    uncaught.push(e);
    caught();
  };
  process.on('uncaughtException', onUncaught);
  cleanups.push(() => process.off('uncaughtException', onUncaught));
  const endpoint = new Endpoint();
  cleanups.push(() => endpoint.close());
  const { port } = await endpoint.listen({ host: '127.0.0.1', port: 0 });
  endpoint.on('peerError', () => {
    throw bug;
  });
  const socket: Socket = connect({ host: '127.0.0.1', port: port! });
  cleanups.push(() => socket.destroy());
  await once(socket, 'connect');
  const closed = once(socket, 'close');
  socket.resume();
  // Not MSRP: the parser fails, which is a peerError and closes the connection.
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await within(closed, 5000, 'the endpoint closing the connection');
  await within(caughtOnce, 5000, 'the uncaught exception');
  expect(uncaught).toEqual([bug]);
});
