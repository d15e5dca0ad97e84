// Every limit of the relay holding against a bad peer while a well-behaved pair keeps
// chatting through the same relay at the same time, none of its messages lost or late.
// (The AUTH rate limits: under-attack-auth.test.ts.)
import { encodeEndLine, encodeHead } from '@msrp-ts/msrp-core/internal';
import { describe, expect, it } from 'vitest';
import {
  authRequest,
  eventually,
  onCleanup,
  rawAuth,
  rawClient,
  stalled,
  transact,
  type RawPeer,
} from './helpers.js';
import { READ_BYTES } from '../src/reader-budget.js';
import {
  carolGetsIn,
  rawClientFrom,
  relayWith,
  talkingPair,
  watchQueuedPeak,
} from './attack-helpers.js';

describe('under attack: connection limits', () => {
  it('unauthenticated connections are closed after unauthenticatedTimeout; the pair is kept', async () => {
    const { relay, uri } = await relayWith({ limits: { unauthenticatedTimeout: 300 } });
    const pair = await talkingPair(uri);
    const started = Date.now();
    const idlers = await Promise.all(
      ['127.0.0.2', '127.0.0.2', '127.0.0.3'].map((from) => rawClientFrom(uri.port!, from)),
    );
    // One that only asks for a challenge is no better.
    const asker = await rawClientFrom(uri.port!, '127.0.0.2');
    expect((await transact(asker, authRequest(asker, uri))).statusCode).toBe(401);
    // Nor one that keeps busy with challenges and requests for relay sessions it made up
    // (481): traffic does not extend the lifetime, only AUTH or a forwarded request does.
    const busy = await rawClientFrom(uri.port!, '127.0.0.3');
    const madeUp = { ...uri, sessionId: 'no-such-session' };
    const timer = setInterval(() => {
      if (busy.isClosed) return void clearInterval(timer);
      busy.writeFrame(authRequest(busy, uri));
      busy.sendRequest({ toPath: [madeUp, busy.uri], body: 'anyone?' });
    }, 50);
    onCleanup(() => clearInterval(timer));
    await Promise.all([...idlers, asker, busy].map((peer) => peer.closed));
    expect(busy.responses.some((r) => r.head.statusCode === 481)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    // The pair's connections outlived the timeout, twice over, and still carry messages.
    await eventually(() => Date.now() - started > 600, 2000, 'two timeouts');
    await pair.more(3);
    expect(relay.connectionCount).toBe(2);
    await pair.stop();
  });

  it('connections past maxConnectionsPerAddress are refused; other addresses are not', async () => {
    const { relay, uri } = await relayWith({ limits: { maxConnectionsPerAddress: 3 } });
    const pair = await talkingPair(uri);
    const flood: RawPeer[] = [];
    for (let i = 0; i < 8; i++) flood.push(await rawClientFrom(uri.port!, '127.0.0.2'));
    await Promise.all(flood.slice(3).map((peer) => peer.closed));
    expect(relay.stats.connectionsRefused).toBe(5);
    expect(flood.slice(0, 3).every((peer) => !peer.isClosed)).toBe(true);
    // 127.0.0.1 holds the pair's two connections: a third, carol's, still fits.
    await carolGetsIn(uri);
    await pair.more(3);
    await pair.stop();
  });

  it('connections past maxConnections are refused; the pair, already in, chats on', async () => {
    const { relay, uri } = await relayWith({ limits: { maxConnections: 6 } });
    const pair = await talkingPair(uri);
    const flood: RawPeer[] = [];
    for (let i = 0; i < 8; i++) flood.push(await rawClientFrom(uri.port!, `127.0.0.${2 + i}`));
    await Promise.all(flood.slice(4).map((peer) => peer.closed));
    expect(relay.stats.connectionsRefused).toBe(4);
    expect(relay.connectionCount).toBe(6);
    await pair.more(3);
    await pair.stop();
  });

  it('connections that served nothing close after idleTimeout; the pair, in session, is kept', async () => {
    const { relay, uri } = await relayWith({ limits: { idleTimeout: 300 } });
    const pair = await talkingPair(uri, 50);
    // Trusted by the request it got forwarded, but with no relay session to keep it open.
    const idler = await rawClientFrom(uri.port!, '127.0.0.2');
    const owner = await rawClient(uri.port!);
    const toOwner = [(await rawAuth(owner, uri, 'bob')).usePath![0]!, owner.uri];
    owner.autoRespond = true;
    idler.sendRequest({ toPath: toOwner, body: 'hello, then nothing' });
    const started = Date.now();
    await idler.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    // Two idle timeouts later the pair (and the owner, in session) are still there.
    await eventually(() => Date.now() - started > 700, 2000, 'two idle timeouts');
    await pair.more(3);
    expect(owner.isClosed).toBe(false);
    expect(relay.connectionCount).toBe(3);
    await pair.stop();
  });
});

describe('under attack: frame limits', () => {
  it('a head dribbled a byte at a time is cut after frameTimeout; the pair is not', async () => {
    const { relay, uri } = await relayWith({ limits: { frameTimeout: 300 } });
    const pair = await talkingPair(uri);
    const slow = await rawClient(uri.port!);
    await rawAuth(slow, uri, 'bob');
    const head = [...'MSRP a1b2c3d4e5 SEND\r\nTo-Path: msrp://127.0.0.1:9/x;tcp\r\n'];
    // The attack: a byte every 50 ms, never a whole head.
    const timer = setInterval(() => {
      const piece = head.shift();
      if (piece === undefined || slow.isClosed) return void clearInterval(timer);
      slow.write(piece);
    }, 50);
    onCleanup(() => clearInterval(timer));
    const started = Date.now();
    await slow.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(relay.stats.frameTimeouts).toBe(1);
    await pair.more(3);
    await pair.stop();
  });

  it('relay sessions past maxSessionsPerConnection get 403; the pair is not', async () => {
    const { relay, uri } = await relayWith({ limits: { maxSessionsPerConnection: 2 } });
    const pair = await talkingPair(uri);
    const hoarder = await rawClient(uri.port!);
    const as = (n: number) => ({ fromPath: [{ ...hoarder.uri, sessionId: `hoard${n}` }] });
    expect((await rawAuth(hoarder, uri, 'bob', as(1))).statusCode).toBe(200);
    expect((await rawAuth(hoarder, uri, 'bob', as(2))).statusCode).toBe(200);
    expect((await rawAuth(hoarder, uri, 'bob', as(3))).statusCode).toBe(403);
    expect(relay.sessionCount).toBe(4); // the pair's two, the hoarder's two
    await pair.more(3);
    await pair.stop();
  });

  it('a head past maxHeaderBytes gets 400 and a close; the pair is not disturbed', async () => {
    const { relay, uri } = await relayWith({ limits: { maxHeaderBytes: 2048 } });
    const pair = await talkingPair(uri);
    const attacker = await rawClient(uri.port!);
    await rawAuth(attacker, uri, 'bob');
    const head = attacker.requestHead({
      toPath: [uri],
      method: 'SEND',
      extensions: [{ name: 'X-Padding', value: 'x'.repeat(4000) }],
    });
    attacker.write(encodeHead(head));
    await attacker.closed;
    const answer = attacker.responses.find((r) => r.head.transactionId === head.transactionId);
    expect(answer?.head.statusCode).toBe(400);
    expect(relay.stats.protocolErrors).toBe(1);
    await pair.more(3);
    await pair.stop();
  });

  it('a chunk past maxChunkSize is cut with # and answered 413; the sender may go on', async () => {
    const maxChunkSize = 16 * 1024;
    const { relay, uri } = await relayWith({ limits: { maxChunkSize } });
    const pair = await talkingPair(uri);
    const receiver = await rawClient(uri.port!);
    receiver.autoRespond = true;
    const toReceiver = [(await rawAuth(receiver, uri, 'bob')).usePath![0]!, receiver.uri];
    const sender = await rawClient(uri.port!);
    // 10 000 bytes go through, then the chunk goes on past the limit.
    const body = Buffer.alloc(100_000, 0x62);
    // Its end not given (`*`), so the relay learns its size only as it comes.
    const byteRange = { start: 1, end: '*', total: body.length } as const;
    const big = sender.requestHead({ toPath: toReceiver, body, byteRange });
    sender.write(encodeHead(big));
    sender.write(body.subarray(0, 10_000));
    await eventually(() => relay.stats.bytesForwarded >= 10_000, 2000, 'the first bytes');
    sender.write(body.subarray(10_000));
    sender.write(encodeEndLine(big.transactionId, '$', true));
    const refused = (await sender.response(big.transactionId)).head;
    expect([refused.statusCode, refused.comment]).toEqual([
      413,
      'Chunk too large for this relay (at most 16384 bytes)',
    ]);
    // RFC 4975 §7.1: the receiver gets the chunk ended with #, no byte past the limit.
    const cut = await receiver.request('SEND');
    expect(cut.flag).toBe('#');
    expect(cut.body.length).toBe(10_000);
    // The chunks of its message after it are refused too, whatever their size.
    const rest = sender.sendRequest({
      toPath: toReceiver,
      messageId: big.messageId!,
      byteRange: { start: 100_001, end: 100_010, total: 100_010 },
      body: 'the rest.\n',
    });
    expect((await sender.response(rest.transactionId)).head.statusCode).toBe(413);
    expect(relay.stats.errors.get(413)).toBe(2);
    // The sender's connection still works for chunks within the limit.
    const small = sender.sendRequest({ toPath: toReceiver, body: 'within the limit' });
    expect((await sender.response(small.transactionId)).head.statusCode).toBe(200);
    expect((await receiver.request('SEND')).body.toString()).toBe('within the limit');
    await pair.more(3);
    await pair.stop();
  });

  it('a chunk whose Byte-Range is past maxChunkSize is answered 413 and not forwarded', async () => {
    // Many socket reads: without its Byte-Range read, the first ones would have gone on.
    const maxChunkSize = 1024 * 1024;
    const { relay, uri } = await relayWith({ limits: { maxChunkSize } });
    const receiver = await rawClient(uri.port!);
    receiver.autoRespond = true;
    const toReceiver = [(await rawAuth(receiver, uri, 'bob')).usePath![0]!, receiver.uri];
    const sender = await rawClient(uri.port!);
    const big = sender.sendRequest({ toPath: toReceiver, body: Buffer.alloc(maxChunkSize + 1) });
    const refused = (await sender.response(big.transactionId)).head;
    expect([refused.statusCode, refused.comment]).toEqual([
      413,
      'Chunk too large for this relay (at most 1048576 bytes)',
    ]);
    // Its next chunk, small, sent before the 413 came back: refused too, not forwarded.
    const next = sender.sendRequest({
      toPath: toReceiver,
      messageId: big.messageId!,
      byteRange: { start: maxChunkSize + 2, end: maxChunkSize + 11, total: maxChunkSize + 11 },
      body: 'the rest.\n',
    });
    expect((await sender.response(next.transactionId)).head.statusCode).toBe(413);
    // Nothing of it went on: the receiver's first request is the next one.
    const small = sender.sendRequest({ toPath: toReceiver, body: 'within the limit' });
    expect((await sender.response(small.transactionId)).head.statusCode).toBe(200);
    expect((await receiver.request('SEND')).body.toString()).toBe('within the limit');
    expect(relay.stats.bytesForwarded).toBe('within the limit'.length);
    expect(relay.stats.errors.get(413)).toBe(2);
  });
});

describe('under attack: next hops that do not keep up', () => {
  it('a next hop that never answers gets maxPendingTransactions requests, no more', async () => {
    const maxPendingTransactions = 4;
    const { relay, uri } = await relayWith({ limits: { maxPendingTransactions } });
    const pair = await talkingPair(uri);
    const mute = await rawClient(uri.port!);
    const toMute = [(await rawAuth(mute, uri, 'bob')).usePath![0]!, mute.uri];
    const sender = await rawClient(uri.port!);
    for (let i = 0; i < 20; i++) sender.sendRequest({ toPath: toMute, body: `held ${i}` });
    await eventually(() => mute.requests.length === maxPendingTransactions, 2000, 'a full hop');
    await eventually(() => relay.stats.sendersHeldBack >= 1, 2000, 'the sender held back');
    // While the pair makes round trips, the mute hop gets nothing more.
    await pair.more(5);
    expect(mute.requests.length).toBe(maxPendingTransactions);
    // Once it answers, the rest flows, in order.
    mute.autoRespond = true;
    for (const request of mute.requests) mute.respond(request);
    await eventually(() => mute.requests.length === 20, 3000, 'every request forwarded');
    expect(mute.requests.map((r) => r.body.toString())).toEqual(
      Array.from({ length: 20 }, (_, i) => `held ${i}`),
    );
    await pair.more(3);
    await pair.stop();
  });

  it('a chat line toward a reader behind a file waits behind maxPendingBytes of it, not the sockets’ buffers', async () => {
    const maxPendingBytes = 512 * 1024;
    const maxQueuedBytes = 256 * 1024;
    const { relay, uri } = await relayWith({
      limits: { maxPendingBytes, maxQueuedBytes },
    });
    const reader = await rawClient(uri.port!);
    reader.autoRespond = true;
    const toReader = [(await rawAuth(reader, uri, 'bob')).usePath![0]!, reader.uri];
    reader.socket.pause();
    // A file of 64 KiB chunks, more than the sockets' buffers hold.
    const sender = await rawClient(uri.port!);
    const chunk = Buffer.alloc(64 * 1024, 0x66);
    const chunks = 256;
    const total = chunks * chunk.length;
    const messageId = 'the-file';
    for (let i = 0; i < chunks; i++) {
      const start = i * chunk.length + 1;
      const byteRange = { start, end: start + chunk.length - 1, total };
      sender.sendRequest({ toPath: toReader, messageId, byteRange, body: chunk, flag: '+' });
    }
    await stalled(() => relay.stats.bytesForwarded, 0);
    expect(relay.stats.bytesForwarded).toBeLessThan(total);
    const chatter = await rawClient(uri.port!);
    const chat = chatter.sendRequest({ toPath: toReader, body: 'beside the file' });
    reader.socket.resume();
    expect((await chatter.response(chat.transactionId)).head.statusCode).toBe(200);
    const arrived = () => reader.requests.findIndex((r) => r.head.messageId === chat.messageId);
    await eventually(() => arrived() >= 0, 5000, 'the chat line');
    const ahead = reader.requests.slice(0, arrived()).reduce((n, r) => n + r.body.length, 0);
    // What the relay had written toward the reader and not had answered, and what it wrote
    // from its queue before the chat line's sender could be read (4.4 MB without the bound:
    // the sockets' buffers).
    expect(ahead).toBeLessThanOrEqual(maxPendingBytes + maxQueuedBytes);
    sender.destroy();
  });

  it('bytes queued toward a reader that stopped stay within maxQueuedBytes + one read', async () => {
    const maxQueuedBytes = 256 * 1024;
    const { relay, uri } = await relayWith({ limits: { maxQueuedBytes } });
    const pair = await talkingPair(uri);
    const flooders = 4;
    // However many senders: each reads only while the queue has room for a read of each.
    const bound = maxQueuedBytes + READ_BYTES;
    const watch = watchQueuedPeak();
    const sleeper = await rawClient(uri.port!);
    const toSleeper = [(await rawAuth(sleeper, uri, 'bob')).usePath![0]!, sleeper.uri];
    // Once awake it answers, as a peer does: the relay writes a next hop no more than
    // maxPendingBytes of chunks it has not answered.
    sleeper.autoRespond = true;
    sleeper.socket.pause();
    const chunk = Buffer.alloc(512 * 1024, 0x61);
    const total = 32 * chunk.length;
    for (let f = 0; f < flooders; f++) {
      const flooder = await rawClient(uri.port!);
      for (let i = 0; i < 8; i++) flooder.sendRequest({ toPath: toSleeper, body: chunk });
    }
    await eventually(() => relay.queuedBytes > 0, 5000, 'bytes queued for the sleeper');
    await pair.more(5);
    // Held back: the relay stopped reading the flooder rather than buffering its 16 MiB.
    expect(relay.stats.bytesForwarded).toBeLessThan(total);
    expect(watch.peak).toBeLessThanOrEqual(bound);
    // The sleeper wakes up: everything arrives.
    sleeper.socket.resume();
    const received = () => sleeper.requests.reduce((n, r) => n + r.body.length, 0);
    await eventually(() => received() === total, 10_000, 'the flood delivered');
    expect(watch.peak).toBeGreaterThan(maxQueuedBytes / 2);
    expect(watch.peak).toBeLessThanOrEqual(bound);
    await pair.more(3);
    await pair.stop();
  });
});
