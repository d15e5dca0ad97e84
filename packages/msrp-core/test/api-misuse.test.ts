// What a JavaScript caller may pass that the types forbid: strings for URIs, a header value
// with a line break, no body at all. Each gets MSRP_ERR_INVALID_ARGUMENT at the call, never a
// TypeError from deep inside, a crash of the process or a broken session.
import { describe, expect, it } from 'vitest';
import { Endpoint, type HeaderField, type MsrpUri } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { sessionPair } from './helpers/session-pair.js';
import { cleanups } from './helpers/cleanups.js';

const invalid = { code: 'MSRP_ERR_INVALID_ARGUMENT' };

describe('bad arguments', () => {
  it('connect and accept refuse URIs that are strings, and the session can still connect', async () => {
    const b = new Endpoint();
    const a = new Endpoint();
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    await b.listen({ host: '127.0.0.1', port: 0 });
    const passive = b.createSession();
    const text = 'msrp://127.0.0.1:2855/abc;tcp' as unknown as MsrpUri;
    expect(() => passive.accept([text])).toThrow(
      /is no parsed MSRP URI \(make one with parseUri\)/,
    );
    passive.accept();
    const active = a.createSession();
    await expect(active.connect([text])).rejects.toMatchObject(invalid);
    await expect(active.connect([])).rejects.toMatchObject(invalid);
    expect(active.state).toBe('new');
    await active.connect([passive.localUri]);
    await active.send('connected after all');
    expect((await next(passive[Symbol.asyncIterator]())).text()).toBe('connected after all');
  });

  it('send and sendMany refuse a header that would forge another, a path of strings, no body', async () => {
    const { a, b } = await sessionPair(cleanups);
    /** The error `sent` rejects with: MSRP_ERR_INVALID_ARGUMENT, its message matching `why`. */
    const refused = async (sent: Promise<unknown>, why: RegExp): Promise<void> => {
      const error = await sent.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject(invalid);
      expect((error as Error).message).toMatch(why);
    };
    const forged = [{ name: 'Content-Disposition', value: 'inline\r\nX-Forged: 1' }];
    await refused(a.send('x', { contentHeaders: forged }), /contains CR or LF/);
    await refused(a.send('x', { contentHeaders: [{ name: 'Bad Name', value: 'v' }] }), /name/);
    const strings = ['msrp://127.0.0.1:2855/abc;tcp'] as unknown as MsrpUri[];
    await refused(a.send('x', { toPath: strings }), /is no parsed MSRP URI/);
    for (const nothing of [null, undefined, 42]) {
      const sent = a.send(nothing as unknown as string);
      await refused(sent, /^Cannot send (null|undefined|a number): give text/);
    }
    const notFields = ['x', ['x'], [{ name: 'X-A' }]] as unknown as HeaderField[][];
    for (const headers of notFields) {
      await refused(a.send('x', { contentHeaders: headers }), /array|strings/);
    }
    await refused(a.sendMany(42 as unknown as string[]), /takes an iterable of messages/);
    await refused(a.sendMany(['ok', null] as unknown as string[]), /message 1 is null, not text/);
    await a.send('still here');
    const inbox = b[Symbol.asyncIterator]();
    expect((await next(inbox)).text()).toBe('ok'); // sendMany's message before the null
    expect((await next(inbox)).text()).toBe('still here');
  });
});
