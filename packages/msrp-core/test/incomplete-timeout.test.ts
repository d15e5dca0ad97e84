// SessionOptions.incompleteMessageTimeout: an incoming message whose next chunk never comes
// (its sender's relay died between two chunks, our connection stays up) fails with an
// IncompleteMessageError instead of waiting for ever; the session goes on, and a later chunk
// of the same Message-ID starts a new message (a resume). A raw peer on loopback plays the
// sender.
import { describe, expect, it } from 'vitest';
import {
  Endpoint,
  IncompleteMessageError,
  MsrpError,
  type CreateSessionOptions,
  type IncomingMessage,
} from '../src/index.js';
import { next } from './helpers/inbox.js';
import { RawPeer } from './helpers/raw-peer.js';
import { cleanups } from './helpers/cleanups.js';

async function receiver(options: CreateSessionOptions) {
  const e = new Endpoint({ host: '127.0.0.1' });
  cleanups.push(() => e.close());
  const port = (await e.listen({ host: '127.0.0.1', port: 0 })).port!;
  const session = e.createSession(options);
  session.accept();
  const peer = await RawPeer.connect(port);
  cleanups.push(() => peer.destroy());
  const chunk = (messageId: string, start: number, end: number, total: number, text: string) => ({
    toPath: [session.localUri],
    messageId,
    byteRange: { start, end, total },
    body: text.slice(start - 1, end),
  });
  return { session, inbox: session[Symbol.asyncIterator](), peer, chunk };
}

/** Reads a stream to its end or failure: what came, and how it ended (within `timeout`). */
async function readStream(message: IncomingMessage, timeout = 5000) {
  let text = '';
  let timer: NodeJS.Timeout | undefined;
  const read = (async () => {
    try {
      for await (const piece of message.stream!) text += Buffer.from(piece).toString();
      return undefined;
    } catch (e) {
      return e;
    }
  })();
  const hung = new Promise<'hung'>(
    (resolve) => (timer = setTimeout(() => resolve('hung'), timeout)),
  );
  const error = await Promise.race([read, hung]).finally(() => clearTimeout(timer));
  return { text, error };
}

/** Paces the raw sender: time passing is what these tests are about. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const TEXT = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd'; // 40 octets

describe('SessionOptions.incompleteMessageTimeout', () => {
  it('fails a streamed message that stops arriving, frees it, and the session goes on', async () => {
    const { inbox, peer, chunk } = await receiver({
      incompleteMessageTimeout: 150,
      inMemoryThreshold: 16,
      // One message in progress at most: a second one is taken only once the first is freed.
      maxIncompleteMessages: 1,
    });
    // Before the chunk is sent: its timer starts when it arrives, and the message may reach
    // us well after that on a loaded machine (81 ms of the 150 once, measured from there).
    const started = Date.now();
    const first = await peer.transact({ ...chunk('stalled-1', 1, 20, 40, TEXT), flag: '+' });
    expect(first.head.statusCode).toBe(200);
    const m = await next(inbox);
    expect(m.stream).toBeDefined();
    const { text, error } = await readStream(m);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(text).toBe(TEXT.slice(0, 20));
    expect(error).toBeInstanceOf(IncompleteMessageError);
    expect(error).toBeInstanceOf(MsrpError);
    expect(error).toMatchObject({
      code: 'MSRP_ERR_INCOMPLETE',
      messageId: 'stalled-1',
      received: 20,
      size: 40,
    });
    expect((error as Error).message).toContain('octets 1-20 of 40');
    expect(m.aborted).toBe(true);
    await expect(m.completed).rejects.toBeInstanceOf(IncompleteMessageError);

    // Its slot is free: another message, in two chunks, is taken and delivered.
    const second = 'in two chunks!'; // under inMemoryThreshold: a body
    const a = await peer.transact({ ...chunk('next-2', 1, 7, second.length, second), flag: '+' });
    expect(a.head.statusCode).toBe(200);
    const b = await peer.transact(chunk('next-2', 8, second.length, second.length, second));
    expect(b.head.statusCode).toBe(200);
    const m2 = await next(inbox);
    expect(m2.messageId).toBe('next-2');
    expect(m2.text()).toBe(second);
  });

  it('fails a message held in memory, hands it over short, and takes its resume', async () => {
    const { inbox, peer, chunk } = await receiver({ incompleteMessageTimeout: 100 });
    await peer.transact({ ...chunk('short-1', 1, 15, 40, TEXT), flag: '+' });
    const m = await next(inbox, 5000);
    expect(m.aborted).toBe(true);
    expect(m.received).toBe(15);
    expect(m.text()).toBe(TEXT.slice(0, 15));
    const error: unknown = await m.completed.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompleteMessageError);
    expect(error).toMatchObject({ received: 15, size: 40, droppedOutOfOrder: 0 });

    // The rest of the same Message-ID later: a new message from octet 16, as a resume.
    const rest = await peer.transact(chunk('short-1', 16, 40, 40, TEXT));
    expect(rest.head.statusCode).toBe(200);
    const resumed = await next(inbox);
    expect(resumed.messageId).toBe('short-1');
    expect(resumed.offset).toBe(15);
    expect(resumed.aborted).toBe(false);
    expect(resumed.text()).toBe(TEXT.slice(15));
  });

  it('does not cut a slow message whose chunks keep coming', async () => {
    const { inbox, peer, chunk } = await receiver({
      incompleteMessageTimeout: 200,
      inMemoryThreshold: 16,
    });
    // 8 chunks of 5 octets, 80 ms apart: 560 ms in all, well past the timeout.
    for (let start = 1; start <= 40; start += 5) {
      if (start > 1) await pause(80);
      const last = start + 4 === 40;
      const answer = await peer.transact({
        ...chunk('slow-1', start, start + 4, 40, TEXT),
        flag: last ? '$' : '+',
      });
      expect(answer.head.statusCode).toBe(200);
    }
    const m = await next(inbox);
    const { text, error } = await readStream(m);
    expect(error).toBeUndefined();
    expect(text).toBe(TEXT);
    expect(m.aborted).toBe(false);
  });

  it('does not cut a stream whose reader is behind: that wait is ours', async () => {
    const { inbox, peer, chunk } = await receiver({
      incompleteMessageTimeout: 100,
      inMemoryThreshold: 16,
    });
    await peer.transact({ ...chunk('unread-1', 1, 20, 40, TEXT), flag: '+' });
    const m = await next(inbox);
    // The reader leaves the first piece unread for three timeouts.
    await pause(300);
    expect(m.aborted).toBe(false);
    await peer.transact(chunk('unread-1', 21, 40, 40, TEXT));
    const { text, error } = await readStream(m);
    expect(error).toBeUndefined();
    expect(text).toBe(TEXT);
  });

  it('waits for ever with 0', async () => {
    const { inbox, peer, chunk } = await receiver({
      incompleteMessageTimeout: 0,
      inMemoryThreshold: 16,
    });
    await peer.transact({ ...chunk('patient-1', 1, 20, 40, TEXT), flag: '+' });
    const m = await next(inbox);
    const { error } = await readStream(m, 300);
    expect(error).toBe('hung');
    expect(m.aborted).toBe(false);
  });
});
