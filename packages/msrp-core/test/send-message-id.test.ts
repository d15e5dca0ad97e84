// Session.send with a caller's Message-ID: one outside the RFC 4975 §9 ident grammar (a UUID
// is 36 characters, the limit 32) is refused at once, and the session goes on.
import { afterEach, describe, expect, it } from 'vitest';
import { next } from './helpers/inbox.js';
import { sessionPair } from './helpers/session-pair.js';

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('send({ messageId })', () => {
  it('rejects a Message-ID the grammar refuses instead of never settling', async () => {
    const { a, b } = await sessionPair(cleanups);
    const settled = a.send('x', { messageId: '3de6e8d5-600e-45ec-a160-685474627d18' }).then(
      () => 'resolved',
      (e: unknown) => (e as { code?: string }).code,
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('still pending after 2 s'), 2000);
    });
    expect(await Promise.race([settled, timeout])).toBe('MSRP_ERR_INVALID_ARGUMENT');
    clearTimeout(timer);
    await a.send('ok', { messageId: 'valid-Id.42' });
    const m = await next(b[Symbol.asyncIterator]());
    expect(m.messageId).toBe('valid-Id.42');
  });
});
