import { describe, expect, it } from 'vitest';
import { Inbox } from '../src/session/inbox.js';
import type { IncomingMessage } from '../src/session/incoming-message.js';
import { MsrpError } from '../src/errors.js';

/** A message as the inbox sees it: in memory (no stream). */
const message = (id: string): IncomingMessage => ({ messageId: id }) as unknown as IncomingMessage;

describe('Inbox.read (the session async iterator)', () => {
  it('gives queued messages, then those delivered while it waits, in order', async () => {
    const inbox = new Inbox(1024);
    inbox.deliver(message('a'));
    inbox.deliver(message('b'));
    const reader = inbox.read();
    expect((await reader.next()).value?.messageId).toBe('a');
    expect((await reader.next()).value?.messageId).toBe('b');
    const waiting = reader.next();
    inbox.deliver(message('c'));
    expect(await waiting).toEqual({ value: message('c'), done: false });
    expect(inbox.length).toBe(0);
    inbox.end();
    expect(await reader.next()).toEqual({ value: undefined, done: true });
    expect(await reader.next()).toEqual({ value: undefined, done: true });
  });

  it('answers two next() calls made at once with two messages, in order', async () => {
    const inbox = new Inbox(1024);
    const reader = inbox.read();
    const first = reader.next();
    const second = reader.next();
    inbox.deliver(message('a'));
    inbox.deliver(message('b'));
    expect((await first).value?.messageId).toBe('a');
    expect((await second).value?.messageId).toBe('b');
  });

  it('refuses a second reader while one reads; after a break the next reader reads', async () => {
    const inbox = new Inbox(1024);
    const first = inbox.read();
    inbox.deliver(message('a'));
    expect((await first.next()).value?.messageId).toBe('a');
    const second = inbox.read();
    await expect(second.next()).rejects.toSatisfy(
      (e) => e instanceof MsrpError && e.code === 'MSRP_ERR_SESSION',
    );
    // The refused reader is done; it never took the first one's place.
    expect(await second.next()).toEqual({ value: undefined, done: true });
    inbox.deliver(message('b'));
    let got: string[] = [];
    for await (const m of first) {
      got.push(m.messageId);
      break;
    }
    expect(got).toEqual(['b']);
    inbox.deliver(message('c'));
    got = [];
    for await (const m of inbox.read()) {
      got.push(m.messageId);
      break;
    }
    expect(got).toEqual(['c']);
  });

  it('ends a next() that waits when the inbox ends or the reader returns, and lets go', async () => {
    const inbox = new Inbox(1024);
    const reader = inbox.read();
    const waiting = reader.next();
    await expect(reader.return(undefined)).resolves.toEqual({ value: undefined, done: true });
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });
    // Released: another reader reads, and the end of the inbox ends its wait.
    const again = inbox.read();
    const pending = again.next();
    inbox.end();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    expect(await inbox.read().next()).toEqual({ value: undefined, done: true });
  });

  it('throw() rejects with the error and releases the inbox', async () => {
    const inbox = new Inbox(1024);
    const reader = inbox.read();
    inbox.deliver(message('a'));
    await reader.next();
    const oops = new Error('oops');
    await expect(reader.throw(oops)).rejects.toBe(oops);
    expect(await reader.next()).toEqual({ value: undefined, done: true });
    inbox.deliver(message('b'));
    expect((await inbox.read().next()).value?.messageId).toBe('b');
  });
});
