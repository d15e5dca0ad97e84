// A session that closes while a received message's last chunk waits for its reader's 200
// (confirmWhenRead): the sender is told the message failed, so its reader must not have it
// whole either, or the receiver keeps a copy the sender sends again.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError, Endpoint, nodeHasher, PartialFile } from '../src/index.js';
import type { HasherFactory, IncomingMessage, Session } from '../src/index.js';
import { next } from './helpers/inbox.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SIZE = 100_000;

/** A SHA-256 hasher whose `finish()` waits for `open()`: a hash check the test holds. */
function gatedHasher(): { createHasher: HasherFactory; finishing: Promise<void>; open(): void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let finishing!: () => void;
  const started = new Promise<void>((resolve) => (finishing = resolve));
  const createHasher: HasherFactory = (algorithm) => {
    const hasher = nodeHasher(algorithm);
    if (algorithm !== 'sha-256') return hasher;
    let digest: Uint8Array | undefined;
    return {
      update: (bytes) => hasher.update(bytes),
      digest: () => digest ?? hasher.digest(),
      finish: async () => {
        finishing();
        await gate;
        return (digest = hasher.digest());
      },
    };
  };
  return { createHasher, finishing: started, open };
}

/** A file sent from `a` to `b` (confirmWhenRead), and the message `b` got for it. */
async function transfer(createHasher?: HasherFactory): Promise<{
  server: Endpoint;
  b: Session;
  message: IncomingMessage;
  sending: Promise<unknown>;
}> {
  const server = new Endpoint({
    session: { confirmWhenRead: true },
    ...(createHasher && { createHasher }),
  });
  cleanups.push(() => server.close());
  await server.listen({ host: '127.0.0.1', port: 0 });
  const client = new Endpoint();
  cleanups.push(() => client.close());
  const b = server.createSession();
  b.accept();
  const a = client.createSession();
  await a.connect([b.localUri]);
  const sending = a.sendFile(new Uint8Array(SIZE).fill(7), { name: 'f.bin' }).then(
    () => 'delivered',
    (e: unknown) => e,
  );
  const message = await next(b[Symbol.asyncIterator]());
  return { server, b, message, sending };
}

describe.each(['session.close()', 'endpoint.close()'] as const)(
  'closed by %s before the last chunk is confirmed',
  (how) => {
    it('the stream fails and the sender is told it failed', async () => {
      const { server, b, message, sending } = await transfer();
      const stream = message.stream!;
      let read = 0;
      while (read < SIZE) for (const piece of (await stream.nextPieces())!) read += piece.length;
      await message.completed;
      // Every octet read and the message complete, the call that finds its end not made yet:
      // the last chunk's 200 waits for it.
      if (how === 'session.close()') await b.close();
      else await server.close();
      const failure = await stream.nextPieces().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toMatchObject({ code: 'MSRP_ERR_SESSION' });
      expect((failure as Error).message).toMatch(/before message .* was confirmed/);
      expect(await sending).toBeInstanceOf(DeliveryError);
    });

    it('saveTo rejects while it checks the hash', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'msrp-unconfirmed-'));
      cleanups.push(() => rm(dir, { recursive: true }));
      const gate = gatedHasher();
      const { server, b, message, sending } = await transfer(gate.createHasher);
      const saving = message.saveTo(join(dir, 'f.bin'), { refuseMismatch: true });
      saving.catch(() => undefined);
      await gate.finishing;
      if (how === 'session.close()') await b.close();
      else await server.close();
      gate.open();
      await expect(saving).rejects.toMatchObject({ code: 'MSRP_ERR_SESSION' });
      expect(await sending).toBeInstanceOf(DeliveryError);
    });

    it("PartialFile's record keeps only the confirmed octets", async () => {
      const dir = await mkdtemp(join(tmpdir(), 'msrp-unconfirmed-'));
      cleanups.push(() => rm(dir, { recursive: true }));
      const gate = gatedHasher();
      const { server, b, message, sending } = await transfer(gate.createHasher);
      const path = join(dir, 'f.bin');
      const partial = await PartialFile.open(path, { size: SIZE, createHasher: gate.createHasher });
      const receiving = partial.receive(message);
      receiving.catch(() => undefined);
      await gate.finishing;
      if (how === 'session.close()') await b.close();
      else await server.close();
      gate.open();
      await expect(receiving).rejects.toMatchObject({ code: 'MSRP_ERR_SESSION' });
      const failed = await sending;
      expect(failed).toBeInstanceOf(DeliveryError);
      const confirmed = (failed as DeliveryError).confirmedBytes;
      expect(confirmed).toBeLessThan(SIZE);
      // The part, its record and the sender agree on what arrived: a resume sends the rest.
      expect(partial.held).toBe(confirmed);
      expect((await stat(`${path}.part`)).size).toBe(confirmed);
      const record = JSON.parse(await readFile(`${path}.part.json`, 'utf8')) as {
        received: Array<{ end: number }>;
      };
      expect(record.received.at(-1)?.end ?? 0).toBe(confirmed);
      expect((await PartialFile.load(path))?.held).toBe(confirmed);
    });
  },
);
