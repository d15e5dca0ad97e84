// The pieces the endpoint and the relay share for connection limits: ConnectionLimits (caps
// in all and per address, live connections only) and Deadline (bind/auth and idle timers).
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConnectionLimits, Deadline } from '../src/internal.js';
import { until } from './helpers/socket-pair.js';
import { cleanups } from './helpers/cleanups.js';

describe('ConnectionLimits', () => {
  it('admits up to the per-address cap, refuses the next, and admits again after a release', () => {
    const limits = new ConnectionLimits({ maxConnections: 10, maxConnectionsPerAddress: 2 });
    const a = limits.admit('192.0.2.1');
    const b = limits.admit('192.0.2.1');
    expect(a.admitted && b.admitted).toBe(true);
    expect(limits.admit('192.0.2.1')).toEqual({
      admitted: false,
      limit: 'maxConnectionsPerAddress',
    });
    expect(limits.admit('192.0.2.2').admitted).toBe(true);
    expect([limits.size, limits.countFrom('192.0.2.1')]).toEqual([3, 2]);
    if (!a.admitted) throw new Error('unreachable');
    a.release();
    a.release(); // idempotent: a second release frees nothing more
    expect([limits.size, limits.countFrom('192.0.2.1')]).toEqual([2, 1]);
    expect(limits.admit('192.0.2.1').admitted).toBe(true);
  });

  it('refuses past the total cap whatever the address', () => {
    const limits = new ConnectionLimits({ maxConnections: 2 });
    expect(limits.maxConnectionsPerAddress).toBe(64);
    limits.admit('192.0.2.1');
    limits.admit('192.0.2.2');
    expect(limits.admit('192.0.2.3')).toEqual({ admitted: false, limit: 'maxConnections' });
    expect(limits.countFrom('192.0.2.3')).toBe(0);
  });

  it('without an address, counts in all only, never per address', () => {
    const limits = new ConnectionLimits({ maxConnections: 3, maxConnectionsPerAddress: 1 });
    const dialed = [limits.admit(), limits.admit()];
    expect(dialed.every((a) => a.admitted)).toBe(true);
    expect(limits.admit('192.0.2.1').admitted).toBe(true);
    expect(limits.admit()).toEqual({ admitted: false, limit: 'maxConnections' });
    for (const a of dialed) if (a.admitted) a.release();
    expect([limits.size, limits.countFrom('192.0.2.1')]).toEqual([1, 1]);
    expect(limits.admit('192.0.2.1')).toEqual({
      admitted: false,
      limit: 'maxConnectionsPerAddress',
    });
  });

  it('admitSocket destroys a refused socket at once and releases an admitted one on close', async () => {
    const limits = new ConnectionLimits({ maxConnectionsPerAddress: 1 });
    const refusals: Array<string | undefined> = [];
    const server = createServer((socket) => refusals.push(limits.admitSocket(socket)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const port = (server.address() as { port: number }).port;
    const dial = async (): Promise<Socket> => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      cleanups.push(() => socket.destroy());
      await once(socket, 'connect');
      return socket;
    };
    const first = await dial();
    await until(() => refusals.length === 1);
    const second = await dial();
    await once(second, 'close');
    expect(refusals).toEqual([undefined, 'maxConnectionsPerAddress']);
    first.destroy();
    await until(() => limits.size === 0, 5000, 'release on close');
    await dial();
    await until(() => refusals.length === 3);
    expect(refusals[2]).toBeUndefined();
  });
});

describe('Deadline', () => {
  it('fires once after its time', async () => {
    let fired = 0;
    const d = new Deadline(30, () => fired++);
    expect(d.pending).toBe(true);
    await until(() => fired === 1);
    expect(d.pending).toBe(false);
  });

  it('touch() pushes it back; clear() stops it', async () => {
    let fired = 0;
    const start = performance.now();
    const d = new Deadline(100, () => fired++);
    const toucher = setInterval(() => d.touch(), 20);
    await until(() => performance.now() - start > 300);
    clearInterval(toucher);
    expect(fired).toBe(0);
    await until(() => fired === 1);
    const cleared = new Deadline(20, () => fired++);
    cleared.clear();
    const later = new Deadline(60, () => fired++);
    await until(() => !later.pending);
    expect(fired).toBe(2);
  });

  it('never fires for 0 or Infinity', () => {
    expect(new Deadline(0, () => undefined).pending).toBe(false);
    expect(new Deadline(Infinity, () => undefined).pending).toBe(false);
  });
});
