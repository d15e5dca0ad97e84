// A send waiting for its success REPORT (RFC 4975 §7.1.2) when the session closes: it rejects
// at once, and its reportTimeout timer does not outlive the close.
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint } from '../src/index.js';
import { RawServer } from './helpers/raw-peer.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const timeouts = (): number =>
  process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('a send waiting for its success REPORT', () => {
  it('rejects MSRP_ERR_SESSION when the session closes; no timer left', async () => {
    const server = await RawServer.listen({ autoRespond: true });
    cleanups.push(() => server.close());
    const a = new Endpoint({ keepaliveInterval: 0 });
    cleanups.push(() => a.close());
    const session = a.createSession();
    await session.connect([server.uri()]);
    const before = timeouts();
    let confirmed!: () => void;
    const allConfirmed = new Promise<void>((resolve) => (confirmed = resolve));
    const sending = session
      .send('hello', {
        successReport: true,
        reportTimeout: 60_000,
        onProgress: ({ bytes, total }) => bytes === total && confirmed(),
      })
      .catch((e: unknown) => e);
    await allConfirmed;
    await session.close();
    expect(await sending).toMatchObject({ code: 'MSRP_ERR_SESSION' });
    // The connection's own close may take a turn or two; a 60 s timer would stay.
    const deadline = Date.now() + 3000;
    while (timeouts() > before && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(timeouts()).toBeLessThanOrEqual(before);
  });
});
