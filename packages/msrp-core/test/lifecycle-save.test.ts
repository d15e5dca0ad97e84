// saveTo() when the sender's endpoint closes mid-file: it rejects, and once both endpoints
// are closed nothing (file handle, socket, timer) is left open.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Endpoint, MsrpError } from '../src/index.js';
import { next } from './helpers/inbox.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function resources(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
}

describe('the sender goes away mid-file', () => {
  it.each([false, true])(
    'saveTo rejects; nothing left open (confirmWhenRead %s)',
    async (confirmWhenRead) => {
      const dir = await mkdtemp(join(tmpdir(), 'msrp-save-'));
      cleanups.push(() => rm(dir, { recursive: true }));
      const before = resources().length;
      const b = new Endpoint({ session: { confirmWhenRead } });
      await b.listen({ host: '127.0.0.1', port: 0 });
      const a = new Endpoint();
      const sb = b.createSession();
      sb.accept();
      const sa = a.createSession();
      await sa.connect([sb.localUri]);
      const sending = sa
        .sendFile(new Uint8Array(40 * 1024 * 1024), { name: 'f.bin' })
        .catch((e: unknown) => e);
      const file = await next(sb[Symbol.asyncIterator]());
      const saving = file.saveTo(join(dir, 'f.bin'), {}).catch((e: unknown) => e);
      await a.close();
      expect(await sending).toMatchObject({ code: 'MSRP_ERR_SESSION' });
      const error = await saving;
      expect(error).toBeInstanceOf(MsrpError);
      expect(error).toMatchObject({ code: 'MSRP_ERR_CONNECTION' });
      await b.close();
      const deadline = Date.now() + 3000;
      while (resources().length > before && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(resources().length).toBeLessThanOrEqual(before);
    },
  );
});
