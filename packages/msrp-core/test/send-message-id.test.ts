// Session.send and Message-IDs: a caller's outside the RFC 4975 §9 ident grammar (a UUID is 36
// characters, the limit 32) is refused at once, and the session goes on; those the session
// makes count on from 64 random bits of its own (RFC 4975 §7.1.1).
import { describe, expect, it } from 'vitest';
import { next } from './helpers/inbox.js';
import { sessionPair } from './helpers/session-pair.js';
import { cleanups } from './helpers/cleanups.js';

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

  it('numbers the Message-IDs it makes after 64 random bits drawn per session', async () => {
    const ids: string[][] = [];
    for (let pair = 0; pair < 2; pair++) {
      const { a, b } = await sessionPair(cleanups);
      const received = b[Symbol.asyncIterator]();
      const sent: string[] = [];
      for (let i = 0; i < 40; i++) {
        const delivery = await a.send(`line ${i}`);
        expect((await next(received)).messageId).toBe(delivery.messageId);
        sent.push(delivery.messageId);
      }
      ids.push(sent);
    }
    const all = ids.flat();
    expect(new Set(all).size).toBe(all.length);
    // RFC 4975 §9: an ident of at most 32 characters.
    for (const id of all) expect(id).toMatch(/^[0-9a-z]{17,32}$/);
    const prefixes = ids.map((sent) => new Set(sent.map((id) => id.slice(0, 16))));
    expect(prefixes.map((p) => p.size)).toEqual([1, 1]);
    expect([...prefixes[0]!][0]).not.toBe([...prefixes[1]!][0]);
  });
});
