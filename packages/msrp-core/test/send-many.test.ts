// Session.sendMany (many small messages, one promise) and Session.batches (incoming messages
// in batches): issue 12's fast path for small messages.
import { describe, expect, it } from 'vitest';
import {
  DeliveryError,
  Endpoint,
  IncomingMessage,
  MsrpError,
  type Delivery,
  type ManyMessage,
  type Session,
} from '../src/index.js';
import { loopbackSessionPair, sessionPair } from './helpers/session-pair.js';
import { cleanups } from './helpers/cleanups.js';

/** Reads `count` messages of `session` with `batches()`; resolves with the batches. */
async function readBatches(session: Session, count: number): Promise<IncomingMessage[][]> {
  const batches: IncomingMessage[][] = [];
  let got = 0;
  for await (const batch of session.batches()) {
    batches.push(batch);
    got += batch.length;
    if (got >= count) break;
  }
  return batches;
}

/** A rejection's error. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('resolved'),
    (e: unknown) => e,
  );
}

describe('Session.sendMany', () => {
  it('sends each item as its own message, in order, text and bytes with their types', async () => {
    const { a, b } = await loopbackSessionPair(cleanups);
    const items: ManyMessage[] = [];
    for (let i = 0; i < 300; i++)
      items.push(i % 3 === 0 ? new Uint8Array([i & 0xff]) : `line ${i}`);
    const reading = readBatches(b, items.length);
    const delivered: Array<[number, Delivery]> = [];
    const result = await a.sendMany(items, { onDelivered: (i, d) => delivered.push([i, d]) });
    const messages = (await reading).flat();
    const bytes = items.reduce((n, m) => n + (typeof m === 'string' ? m.length : m.length), 0);
    expect(result).toEqual({ messages: 300, bytes });
    expect(messages.map((m) => (m.contentType?.type === 'text' ? m.text() : m.body![0]))).toEqual(
      items.map((m) => (typeof m === 'string' ? m : m[0])),
    );
    expect(messages[1]!.contentType?.type).toBe('text');
    expect(messages[1]!.contentType?.params).toEqual([{ name: 'charset', value: 'utf-8' }]);
    expect(messages[0]!.contentType?.subtype).toBe('octet-stream');
    // onDelivered names each message once, with the Message-ID the receiver saw at its place.
    expect(delivered.map(([i]) => i).sort((x, y) => x - y)).toEqual(items.map((_, i) => i));
    for (const [i, d] of delivered) expect(d.messageId).toBe(messages[i]!.messageId);
    expect(new Set(messages.map((m) => m.messageId)).size).toBe(300);
  });

  it('takes an item from the source only while fewer than maxPending are unconfirmed', async () => {
    const { a, b } = await sessionPair(cleanups);
    const reading = readBatches(b, 200);
    let taken = 0;
    let confirmed = 0;
    let mostUnconfirmed = 0;
    function* source(): Generator<string> {
      for (let i = 0; i < 200; i++) {
        taken++;
        mostUnconfirmed = Math.max(mostUnconfirmed, taken - confirmed);
        yield `m${i}`;
      }
    }
    const result = await a.sendMany(source(), {
      maxPending: 5,
      contentType: 'text/x-test',
      onDelivered: () => confirmed++,
    });
    expect(result.messages).toBe(200);
    expect(mostUnconfirmed).toBe(5);
    const messages = (await reading).flat();
    expect(messages.map((m) => m.contentType?.subtype)).toEqual(Array(200).fill('x-test'));
  });

  it('reads an async source as the peer confirms', async () => {
    const { a, b } = await sessionPair(cleanups);
    const reading = readBatches(b, 50);
    async function* source(): AsyncGenerator<string> {
      for (let i = 0; i < 50; i++) {
        await Promise.resolve();
        yield `async ${i}`;
      }
    }
    const texts = Array.from({ length: 50 }, (_, i) => `async ${i}`);
    expect(await a.sendMany(source(), { maxPending: 4 })).toEqual({
      messages: 50,
      bytes: texts.join('').length,
    });
    expect((await reading).flat().map((m) => m.text())).toEqual(texts);
  });

  it('resolves at once for an empty source', async () => {
    const { a } = await sessionPair(cleanups);
    expect(await a.sendMany([])).toEqual({ messages: 0, bytes: 0 });
  });

  it('stops at a refused message and rejects with its DeliveryError once the rest settled', async () => {
    const { a, b } = await sessionPair(cleanups, {
      receiver: {
        checkMessage: (m) => (new TextDecoder().decode(m.body) === 'bad' ? 415 : undefined),
      },
    });
    void readBatches(b, Infinity).catch(() => undefined);
    let taken = 0;
    let stopped = false;
    function* source(): Generator<string> {
      try {
        for (let i = 0; i < 1000; i++) {
          taken++;
          yield i === 20 ? 'bad' : `ok ${i}`;
        }
      } finally {
        stopped = true;
      }
    }
    const delivered: number[] = [];
    const error = await failure(
      a.sendMany(source(), { maxPending: 8, onDelivered: (i) => delivered.push(i) }),
    );
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).status).toBe(415);
    expect(stopped).toBe(true);
    expect(taken).toBeLessThanOrEqual(20 + 8);
    // Every message but the refused one was confirmed, and named before the promise settled.
    expect(delivered.sort((x, y) => x - y)).toEqual(
      Array.from({ length: taken }, (_, i) => i).filter((i) => i !== 20),
    );
  });

  it('rejects with MSRP_ERR_ABORTED when its signal aborts, after the messages under way', async () => {
    const { a, b } = await sessionPair(cleanups);
    void readBatches(b, Infinity).catch(() => undefined);
    const controller = new AbortController();
    let stopped = false;
    let confirmed = 0;
    function* source(): Generator<string> {
      try {
        for (;;) yield 'again';
      } finally {
        stopped = true;
      }
    }
    const sending = a.sendMany(source(), {
      signal: controller.signal,
      onDelivered: () => {
        if (++confirmed === 100) controller.abort();
      },
    });
    const error = await failure(sending);
    expect((error as MsrpError).code).toBe('MSRP_ERR_ABORTED');
    expect(stopped).toBe(true);
    expect(confirmed).toBeGreaterThanOrEqual(100);
    // An aborted signal given at the start sends nothing.
    const none = await failure(a.sendMany(['x'], { signal: AbortSignal.abort() }));
    expect((none as MsrpError).code).toBe('MSRP_ERR_ABORTED');
  });

  it('rejects with MSRP_ERR_FILE when the source throws, the error as cause', async () => {
    const { a, b } = await sessionPair(cleanups);
    const reading = readBatches(b, 3);
    const broken = new Error('disk gone');
    function* source(): Generator<string> {
      yield 'one';
      yield 'two';
      yield 'three';
      throw broken;
    }
    const error = await failure(a.sendMany(source()));
    expect((error as MsrpError).code).toBe('MSRP_ERR_FILE');
    expect((error as MsrpError).cause).toBe(broken);
    expect((await reading).flat().map((m) => m.text())).toEqual(['one', 'two', 'three']);
  });

  it('stops at an error thrown by onDelivered and rejects with it; the session goes on', async () => {
    const { a, b } = await sessionPair(cleanups);
    const reading = readBatches(b, 4);
    const oops = new Error('app bug');
    let taken = 0;
    function* source(): Generator<string> {
      for (;;) yield `n${taken++}`;
    }
    const error = await failure(
      a.sendMany(source(), {
        maxPending: 2,
        onDelivered: (i) => {
          if (i === 1) throw oops;
        },
      }),
    );
    expect(error).toBe(oops);
    expect(taken).toBeLessThanOrEqual(4);
    await a.send('after');
    const texts = (await reading).flat().map((m) => m.text());
    expect(texts.slice(0, 2)).toEqual(['n0', 'n1']);
    expect(texts).toContain('after');
  });

  it('refuses bad arguments and an unbound session', async () => {
    const { a } = await sessionPair(cleanups);
    for (const maxPending of [0, -1, 1.5, NaN]) {
      const error = await failure(a.sendMany(['x'], { maxPending }));
      expect((error as MsrpError).code).toBe('MSRP_ERR_INVALID_ARGUMENT');
    }
    const text = await failure(a.sendMany('not a list'));
    expect((text as MsrpError).code).toBe('MSRP_ERR_INVALID_ARGUMENT');
    const endpoint = new Endpoint();
    cleanups.push(() => endpoint.close());
    const unbound = await failure(endpoint.createSession().sendMany(['x']));
    expect((unbound as MsrpError).code).toBe('MSRP_ERR_SESSION');
    await a.close();
    const closed = await failure(a.sendMany(['x', 'y']));
    expect((closed as MsrpError).code).toBe('MSRP_ERR_SESSION');
  });

  it('rejects with the peer max-size refusal (413) of a message too large', async () => {
    const { a, b } = await sessionPair(cleanups, { sender: { remoteMaxSize: 10 } });
    const reading = readBatches(b, 1);
    const error = await failure(a.sendMany(['short', 'far too long for the peer', 'never']));
    expect((error as MsrpError).status).toBe(413);
    expect((await reading).flat().map((m) => m.text())).toEqual(['short']);
  });
});

describe('Session.batches', () => {
  it('gives every message in order, several per batch, and ends when the session closes', async () => {
    const { a, b } = await sessionPair(cleanups);
    const texts = Array.from({ length: 500 }, (_, i) => `batch ${i}`);
    await a.sendMany(texts);
    const batches: IncomingMessage[][] = [];
    const reading = (async () => {
      for await (const batch of b.batches()) batches.push(batch);
    })();
    await a.close();
    await reading;
    expect(batches.flat().map((m) => m.text())).toEqual(texts);
    // All 500 waited when the loop started: far fewer batches than messages.
    expect(batches.length).toBeLessThan(50);
  });

  it('ends a batch at a streamed message: the messages after it keep their bytes held', async () => {
    // Two large messages sent at once go out interleaved, chunk by chunk (round robin). A
    // reader that reads the first one's stream to its end needs the chunks behind the
    // second one's: the second must still be waiting in the session (its bytes held, never
    // pausing the connection), as with the plain iterator.
    const { a, b } = await loopbackSessionPair(cleanups, { inMemoryThreshold: 16 * 1024 });
    const size = 2 * 1024 * 1024;
    const sends = [a.send(new Uint8Array(size).fill(1)), a.send(new Uint8Array(size).fill(2))];
    const sizes: number[] = [];
    const batchSizes: number[] = [];
    const reading = (async () => {
      for await (const batch of b.batches()) {
        batchSizes.push(batch.length);
        for (const message of batch) {
          let bytes = 0;
          for await (const piece of message.stream!) bytes += piece.length;
          sizes.push(bytes);
        }
        if (sizes.length === 2) return;
      }
    })();
    await Promise.all([reading, ...sends]);
    expect(sizes).toEqual([size, size]);
    expect(batchSizes).toEqual([1, 1]);
  });

  it('allows one reading loop at a time', async () => {
    const { b } = await sessionPair(cleanups);
    const first = b.batches();
    const waiting = first.next();
    const error = await failure(b.batches().next());
    expect((error as MsrpError).code).toBe('MSRP_ERR_SESSION');
    const other = await failure(b[Symbol.asyncIterator]().next());
    expect((other as MsrpError).code).toBe('MSRP_ERR_SESSION');
    await b.close();
    expect(await waiting).toEqual({ value: undefined, done: true });
  });
});

describe('IncomingMessage.completed', () => {
  const init = { messageId: 'abcd1234', contentType: undefined, contentHeaders: [], size: 3 };

  it('settles once, the first outcome winning, whether asked for before or after', async () => {
    const early = new IncomingMessage(init);
    const waiting = early.completed;
    early.settle();
    early.settle(new MsrpError('MSRP_ERR_ABORTED', 'too late'));
    await expect(waiting).resolves.toBeUndefined();
    expect(early.completed).toBe(waiting);

    const late = new IncomingMessage(init);
    const aborted = new MsrpError('MSRP_ERR_ABORTED', 'gone');
    late.settle(aborted);
    late.settle();
    await expect(late.completed).rejects.toBe(aborted);

    const done = new IncomingMessage(init);
    done.settle();
    await expect(done.completed).resolves.toBeUndefined();
  });
});
