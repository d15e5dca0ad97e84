// A port in use, for each listener the relay opens (TCP, WebSocket, metrics): an MsrpError
// naming the address and why, the system's error as its cause, as `Endpoint.listen()` gives.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { MsrpError } from '@msrp-ts/msrp-core';
import { Relay, StaticCredentialStore } from '../src/index.js';
import { startAdminServer } from '../src/admin-server.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A port on 127.0.0.1 that something else holds. */
async function takenPort(): Promise<number> {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  return (taken.address() as AddressInfo).port;
}

function expectInUse(error: unknown, port: number): void {
  expect(error).toBeInstanceOf(MsrpError);
  expect(error).toMatchObject({
    code: 'MSRP_ERR_CONNECTION',
    message: `Cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE)`,
    cause: { code: 'EADDRINUSE' },
  });
}

describe('a relay listener on a port in use', () => {
  it.each(['tcp', 'ws'] as const)('over %s rejects with MSRP_ERR_CONNECTION', async (transport) => {
    const port = await takenPort();
    const relay = new Relay({ credentials: new StaticCredentialStore([]) });
    cleanups.push(() => relay.close(0));
    const error = await relay
      .listen({ host: '127.0.0.1', port, ...(transport === 'ws' && { transport }) })
      .catch((e: unknown) => e);
    expectInUse(error, port);
  });

  it('for metrics rejects with MSRP_ERR_CONNECTION', async () => {
    const port = await takenPort();
    const error = await startAdminServer({
      port,
      registry: new Registry(),
      health: () => ({ ok: true }),
    }).catch((e: unknown) => e);
    expectInUse(error, port);
  });
});

// Node threw a RangeError ("options.port should be >= 0 and < 65536") that named no listener.
describe('a relay listener on a port out of range', () => {
  const outOfRange = (error: unknown): void =>
    expect(error).toMatchObject({
      code: 'MSRP_ERR_INVALID_ARGUMENT',
      message: 'Cannot listen on 127.0.0.1:70000: the port must be a whole number from 0 to 65535',
    });

  it.each(['tcp', 'ws'] as const)(
    'over %s rejects with MSRP_ERR_INVALID_ARGUMENT',
    async (transport) => {
      const relay = new Relay({ credentials: new StaticCredentialStore([]) });
      cleanups.push(() => relay.close(0));
      const listening = relay.listen({
        host: '127.0.0.1',
        port: 70000,
        ...(transport === 'ws' && { transport }),
      });
      outOfRange(await listening.catch((e: unknown) => e));
    },
  );

  it('for metrics rejects with MSRP_ERR_INVALID_ARGUMENT', async () => {
    const admin = startAdminServer({
      port: 70000,
      registry: new Registry(),
      health: () => ({ ok: true }),
    });
    outOfRange(await admin.catch((e: unknown) => e));
  });
});
