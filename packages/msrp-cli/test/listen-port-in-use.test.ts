// `msrp listen` on a port another process holds: exit 3 and one line that names the address
// once and says why, from the MsrpError that Endpoint.listen() rejects with.
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { start } from './cli-process.js';

it('listen on a port in use: exit 3, "cannot listen on HOST:PORT: address already in use"', async ({
  onTestFinished,
}) => {
  const taken = createServer();
  taken.listen(0, '127.0.0.1');
  await once(taken, 'listening');
  onTestFinished(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const { port } = taken.address() as AddressInfo;
  const cli = start(onTestFinished, ['listen', '--uri', `msrp://127.0.0.1:${port}/inbox;tcp`]);
  expect(await cli.exited).toMatchObject({ code: 3 });
  expect(cli.stdout).toBe('');
  expect(cli.stderr).toBe(
    `msrp listen: cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE)\n`,
  );
});
