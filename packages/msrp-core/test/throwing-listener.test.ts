// A session's listener that throws while the connection is read ('bound', 'report',
// 'refused') is the application's bug in that session: that session closes, with the error as
// its reason, and the connection it shares with others (RFC 4975 §5.4) goes on serving them.
import { describe, expect, it } from 'vitest';
import { type Session } from '../src/index.js';
import { next } from './helpers/inbox.js';
import { failOnUnhandled } from './helpers/unhandled.js';
import { countedTcpDials } from './helpers/counted-dials.js';
import { endpoint } from './helpers/cleanups.js';

failOnUnhandled();

/** The reason `session` closes with, once it does. */
function closeReason(session: Session): Promise<Error | undefined> {
  return new Promise((resolve) => session.once('close', (reason) => resolve(reason)));
}

/** The errors of `e`'s cause chain, outermost first. */
function causes(e: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let c = e; c !== undefined; c = (c as { cause?: unknown }).cause) chain.push(c);
  return chain;
}

/**
 * `a1`, `a2` on endpoint A, dialed to `b1`, `b2` on the listening endpoint B over one TCP
 * connection; `a2`/`b2` are bound, `a1`/`b1` are left to the test (`b1` accepting).
 */
async function sharedConnection(b1Options: { acceptTypes?: readonly string[] } = {}) {
  const b = endpoint();
  await b.listen({ host: '127.0.0.1', port: 0 });
  const tcp = countedTcpDials();
  const a = endpoint({ dialers: tcp.dialers });
  const [b1, b2] = [b.createSession(b1Options), b.createSession()];
  b1.accept();
  b2.accept();
  const [a1, a2] = [a.createSession(), a.createSession()];
  await a2.connect([b2.localUri]);
  return { a1, a2, b1, b2, dials: tcp.dials };
}

/** `a2` and `b2` still talk both ways over the shared connection. */
async function stillTalking(a2: Session, b2: Session): Promise<void> {
  await a2.send('still here');
  expect((await next(b2[Symbol.asyncIterator]())).text()).toBe('still here');
  await b2.send('and back');
  expect((await next(a2[Symbol.asyncIterator]())).text()).toBe('and back');
  expect([a2.state, b2.state]).toEqual(['bound', 'bound']);
}

describe('a session listener that throws inside the connection read', () => {
  it("'report': that session closes with the error; its peer gets 481; the others go on", async () => {
    const { a1, a2, b1, b2, dials } = await sharedConnection();
    await a1.connect([b1.localUri]);
    expect(dials()).toBe(1);
    const bug = new Error('app bug');
    a1.on('report', () => {
      throw bug;
    });
    const closed = closeReason(a1);
    // Each send awaits its success REPORT; the peer sends them in order, so the second send
    // is still under way when the first REPORT's listener throws.
    const first = a1.send('one', { successReport: true });
    const second = a1.send('two', { successReport: true }).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await first;
    expect(await closed).toBe(bug);
    expect(causes(await second)).toContain(bug);
    expect(a1.state).toBe('closed');
    // RFC 4975 §7.3: the closed session is no session of ours any more.
    await expect(b1.send('anyone there?')).rejects.toMatchObject({ status: 481 });
    await stillTalking(a2, b2);
  });

  it("'bound' (passive side): that session closes with the error; the SEND binding it gets 481", async () => {
    const { a1, a2, b1, b2 } = await sharedConnection();
    const bug = new Error('app bug');
    b1.on('bound', () => {
      throw bug;
    });
    const closed = closeReason(b1);
    await expect(a1.connect([b1.localUri])).rejects.toMatchObject({ status: 481 });
    expect(await closed).toBe(bug);
    expect(b1.state).toBe('closed');
    await stillTalking(a2, b2);
  });

  it("'refused': that session closes with the error; the others go on", async () => {
    const { a1, a2, b1, b2 } = await sharedConnection({ acceptTypes: ['text/plain'] });
    await a1.connect([b1.localUri]);
    const bug = new Error('app bug');
    b1.on('refused', () => {
      throw bug;
    });
    const closed = closeReason(b1);
    const refused = a1.send(new Uint8Array([1, 2, 3]), { contentType: 'image/png' });
    await expect(refused).rejects.toMatchObject({ status: 415 });
    expect(await closed).toBe(bug);
    await expect(a1.send('later')).rejects.toMatchObject({ status: 481 });
    await stillTalking(a2, b2);
  });
});
