// Senders that die mid-chunk while a receiver never answers: nothing of them may linger.
import { describe, expect, it } from 'vitest';
import { encodeHead } from '@msrp-ts/msrp-core/internal';
import {
  clientOf,
  eventually,
  next,
  rawAuth,
  rawClient,
  startRelay,
  sessionPair,
} from './helpers.js';

describe('dead connections', () => {
  it('free their slots, queues and pending entries at once; a fresh pair gets through', async () => {
    const maxPendingTransactions = 4;
    const { relay, uri } = await startRelay({
      limits: { maxPendingTransactions, maxConnectionsPerAddress: 10 },
    });
    // The receiver reads everything and answers nothing.
    const receiver = await rawClient(uri.port!);
    const receiverUri = (await rawAuth(receiver, uri)).usePath![0]!;
    const toReceiver = [receiverUri, receiver.uri];

    // One sender is cut off in the middle of a chunk that is being forwarded.
    const midway = await rawClient(uri.port!);
    const body = Buffer.alloc(8000, 0x61);
    midway.write(encodeHead(midway.requestHead({ toPath: toReceiver, body })));
    midway.write(body.subarray(0, 3000));
    await eventually(() => relay.stats.bytesForwarded >= 3000, 2000, 'the first bytes forwarded');

    // Another sender fills the receiver's pending slots (3 whole chunks and the one in
    // progress: 4) and stays.
    const holder = await rawClient(uri.port!);
    for (let i = 0; i < 3; i++) holder.sendRequest({ toPath: toReceiver, body: `held ${i}` });
    await eventually(() => receiver.requests.length >= 3, 2000, 'the receiver full');
    // More senders: held back by the relay, each after the head of its first request.
    const senders = [midway];
    for (let i = 0; i < 5; i++) {
      const sender = await rawClient(uri.port!);
      senders.push(sender);
      sender.sendRequest({ toPath: toReceiver, body: `complete ${i}` });
      sender.write(encodeHead(sender.requestHead({ toPath: toReceiver, body })));
      sender.write(body.subarray(0, 500));
    }
    await eventually(() => relay.connectionCount === 8, 2000, 'every sender accepted');
    for (const sender of senders) sender.socket.destroy();

    // The relay sees every close, held back or not, and keeps nothing of the dead senders.
    await eventually(() => relay.connectionCount === 2, 2000, 'only the live ones counted');
    await eventually(() => relay.queuedBytes === 0, 2000, 'nothing queued');
    // The chunk cut off midway was ended with # toward the receiver (RFC 4975 §7.1).
    await eventually(() => receiver.requests.some((r) => r.flag === '#'), 2000, 'an aborted chunk');
    holder.socket.destroy();
    await eventually(() => relay.connectionCount === 1, 2000, 'only the receiver counted');

    // The receiver's pending slots were released: a new sender is forwarded at once.
    const late = await rawClient(uri.port!);
    late.sendRequest({ toPath: toReceiver, body: 'late but not stuck' });
    await eventually(
      () => receiver.requests.some((r) => r.body.toString() === 'late but not stuck'),
      2000,
      'the late request forwarded',
    );

    // A fresh, well-behaved pair fits under the per-address limit and chats promptly.
    const alice = await clientOf('alice', [uri]);
    const bob = await clientOf('bob', [uri]);
    const { a: aliceSession, b: bobSession } = await sessionPair(alice, bob);
    await aliceSession.send('after the storm');
    expect((await next(bobSession[Symbol.asyncIterator](), 3000)).text()).toBe('after the storm');
    expect(relay.connectionCount).toBe(4);
    expect(relay.stats.connections).toBe(4);
    expect(relay.queuedBytes).toBe(0);
  });

  it('are seen to close while the relay holds them back with bytes unread', async () => {
    const maxPendingTransactions = 2;
    const { relay, uri } = await startRelay({ limits: { maxPendingTransactions } });
    const receiver = await rawClient(uri.port!);
    const toReceiver = [(await rawAuth(receiver, uri)).usePath![0]!, receiver.uri];
    const holder = await rawClient(uri.port!);
    for (let i = 0; i < maxPendingTransactions; i++)
      holder.sendRequest({ toPath: toReceiver, body: `held ${i}` });
    await eventually(() => receiver.requests.length === 2, 2000, 'the receiver full');
    const senders = [];
    for (let i = 0; i < 3; i++) {
      const sender = await rawClient(uri.port!);
      sender.sendRequest({ toPath: toReceiver, body: `held back ${i}` });
      senders.push(sender);
    }
    await eventually(() => relay.stats.sendersHeldBack === 3, 2000, 'the senders held back');
    // Bytes the paused relay does not read, then FIN: no `end` comes while they sit unread.
    for (const sender of senders) {
      sender.write('MSRP 0123456789 SEND\r\n');
      sender.socket.end();
    }
    await eventually(() => relay.connectionCount === 2, 2000, 'the senders gone');
    expect(receiver.requests).toHaveLength(2);
    expect(holder.isClosed).toBe(false);
  });

  it('after a protocol error: answered, uncounted at once, closed without waiting for the peer', async () => {
    const { relay, uri } = await startRelay({ limits: { maxHeaderBytes: 1024 } });
    const peer = await rawClient(uri.port!);
    const head = peer.requestHead({
      toPath: [uri],
      method: 'AUTH',
      extensions: [{ name: 'X-Padding', value: 'x'.repeat(2000) }],
    });
    // More bytes behind the bad head: they stay unread, so no `end` would come by itself.
    peer.write(Buffer.concat([encodeHead(head), Buffer.alloc(256 * 1024, 0x78)]));
    const started = Date.now();
    await eventually(() => relay.stats.protocolErrors === 1, 2000, 'the protocol error');
    expect(relay.connectionCount).toBe(0);
    // The peer never closes its side; the relay does not wait 2 s for it.
    await eventually(() => peer.isClosed, 1000, 'the connection closed');
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await peer.response(head.transactionId, 100)).head.statusCode).toBe(400);
  });
});

describe('a next hop that never answers', () => {
  it('costs the sender a 408 failure REPORT after transactionTimeout (RFC 4975 §7.1), once', async () => {
    const { uri } = await startRelay({ transactionTimeout: 150 });
    const receiver = await rawClient(uri.port!);
    const relayUri = (await rawAuth(receiver, uri)).usePath![0]!;
    const sender = await rawClient(uri.port!);
    const started = Date.now();
    const send = sender.sendRequest({ toPath: [relayUri, receiver.uri], body: 'unanswered' });
    // The relay answers the chunk hop by hop, then forwards it; the receiver keeps quiet.
    expect((await sender.response(send.transactionId)).head.statusCode).toBe(200);
    const forwarded = await receiver.request('SEND');
    const report = await sender.request('REPORT', 3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(report.head.messageId).toBe(send.messageId);
    expect(report.head.status?.code).toBe(408);
    expect(report.head.byteRange).toMatchObject({ start: 1, end: 10 });
    // A late answer settles nothing any more. The receiver's next answer, a 481 to a second
    // SEND, is read after it: its REPORT arriving shows the late one made none.
    receiver.respond(forwarded, 408);
    const probe = sender.sendRequest({ toPath: [relayUri, receiver.uri], body: 'second' });
    receiver.respond(await receiver.request('SEND'), 481);
    const second = await sender.request('REPORT', 3000);
    expect(second.head.messageId).toBe(probe.messageId);
    expect(second.head.status?.code).toBe(481);
    expect(sender.requests.filter((r) => r.head.method === 'REPORT')).toHaveLength(2);
  });
});
