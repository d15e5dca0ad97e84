// Two peers that send each other a large message at once through one relay, each writing all
// its chunks before it answers any of the other's: the responses each owes the relay wait in
// its connection behind its own chunks. The relay must not wait for them with that connection
// unread (it once did: both windows of chunks in flight full, both senders paused, until the
// transaction timeout failed every chunk).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MsrpUri } from '@msrp-ts/msrp-core';
import { clientOf, eventually, rawAuth, rawClient, startRelay, type RawPeer } from './helpers.js';

const SIZE = 4 * 1024 * 1024;
const CHUNK = 16 * 1024;

/**
 * Writes `body` as one message of CHUNK-byte chunks to `toPath`, all at once; returns their
 * transaction ids.
 */
function sendAll(peer: RawPeer, toPath: MsrpUri[], body: Buffer): Set<string> {
  const messageId = `crossed-${peer.sessionId}`;
  const sent = new Set<string>();
  for (let start = 0; start < body.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, body.length);
    const { transactionId } = peer.sendRequest({
      toPath,
      messageId,
      byteRange: { start: start + 1, end, total: body.length },
      body: body.subarray(start, end),
      flag: end === body.length ? '$' : '+',
    });
    sent.add(transactionId);
  }
  return sent;
}

/** The message `peer` received so far, put together by Byte-Range (the relay may cut chunks). */
function received(peer: RawPeer): Buffer {
  const message = Buffer.alloc(SIZE);
  let bytes = 0;
  for (const { head, body } of peer.requests) {
    if (head.method !== 'SEND' || !head.byteRange) continue;
    body.copy(message, head.byteRange.start - 1);
    bytes += body.length;
  }
  return message.subarray(0, bytes);
}

describe('Transfers crossing in a relay', () => {
  it('forwards two large messages sent both ways at once, each sender answering only after it wrote all', async () => {
    // Small windows and queues, so that both fill long before either sender is done.
    const { uri } = await startRelay({
      limits: { maxPendingBytes: 64 * 1024, maxQueuedBytes: 64 * 1024 },
      // Far longer than the test: a chunk must not get through by timing out.
      transactionTimeout: 120_000,
    });
    const alice = await rawClient(uri.port!);
    const bob = await rawClient(uri.port!);
    const aliceSession = (await rawAuth(alice, uri, 'alice')).usePath![0]!;
    const bobSession = (await rawAuth(bob, uri, 'bob')).usePath![0]!;
    alice.autoRespond = true;
    bob.autoRespond = true;
    const toBob = randomBytes(SIZE);
    const toAlice = randomBytes(SIZE);
    const sent = new Map([
      [alice, sendAll(alice, [aliceSession, bobSession, bob.uri], toBob)],
      [bob, sendAll(bob, [bobSession, aliceSession, alice.uri], toAlice)],
    ]);
    await eventually(
      () => received(bob).length === SIZE && received(alice).length === SIZE,
      20_000,
      'both messages to arrive',
    );
    expect(received(bob).equals(toBob)).toBe(true);
    expect(received(alice).equals(toAlice)).toBe(true);
    // The relay answered every chunk, hop by hop, with 200.
    for (const [peer, chunks] of sent) {
      await eventually(() => peer.responses.length >= chunks.size + 2, 5000, 'the responses');
      const answers = peer.responses.filter((r) => chunks.has(r.head.transactionId));
      expect(answers.map((r) => r.head.statusCode)).toEqual(Array(chunks.size).fill(200));
    }
  }, 30_000);

  it('forwards many small messages sent both ways at once past the limit of transactions awaiting a next hop', async () => {
    // Each side has far more messages out than the relay lets await one next hop.
    const { uri } = await startRelay({
      limits: { maxPendingTransactions: 16 },
      transactionTimeout: 120_000,
    });
    const alice = await rawClient(uri.port!);
    const bob = await rawClient(uri.port!);
    const aliceSession = (await rawAuth(alice, uri, 'alice')).usePath![0]!;
    const bobSession = (await rawAuth(bob, uri, 'bob')).usePath![0]!;
    alice.autoRespond = true;
    bob.autoRespond = true;
    const COUNT = 2000;
    const sendMany = (peer: RawPeer, toPath: MsrpUri[]): Set<string> => {
      const sent = new Set<string>();
      for (let i = 0; i < COUNT; i++) {
        const body = Buffer.from(`message ${i} from ${peer.sessionId}`);
        const { transactionId } = peer.sendRequest({
          toPath,
          messageId: `small${i}`,
          byteRange: { start: 1, end: body.length, total: body.length },
          body,
          flag: '$',
        });
        sent.add(transactionId);
      }
      return sent;
    };
    const sent = new Map([
      [alice, sendMany(alice, [aliceSession, bobSession, bob.uri])],
      [bob, sendMany(bob, [bobSession, aliceSession, alice.uri])],
    ]);
    const sends = (peer: RawPeer): number =>
      peer.requests.filter((r) => r.head.method === 'SEND').length;
    await eventually(
      () => sends(alice) === COUNT && sends(bob) === COUNT,
      20_000,
      'every message to arrive',
    );
    for (const [peer, chunks] of sent) {
      await eventually(() => peer.responses.length >= chunks.size + 2, 5000, 'the responses');
      const answers = peer.responses.filter((r) => chunks.has(r.head.transactionId));
      expect(answers.map((r) => r.head.statusCode)).toEqual(Array(chunks.size).fill(200));
    }
    // In order, each once.
    const bodies = (peer: RawPeer): string[] =>
      peer.requests.filter((r) => r.head.method === 'SEND').map((r) => r.body.toString());
    expect(bodies(bob)).toEqual(
      Array.from({ length: COUNT }, (_, i) => `message ${i} from ${alice.sessionId}`),
    );
    expect(bodies(alice)).toEqual(
      Array.from({ length: COUNT }, (_, i) => `message ${i} from ${bob.sessionId}`),
    );
  }, 30_000);

  it("carries endpoints' chat lines both ways at once, many in flight, past the same limit", async () => {
    const { uri } = await startRelay({ limits: { maxPendingTransactions: 16 } });
    const alice = await clientOf('alice', [uri]);
    const bob = await clientOf('bob', [uri]);
    const aliceSession = alice.createSession();
    const bobSession = bob.createSession();
    bobSession.accept(aliceSession.localPath);
    await aliceSession.connect(bobSession.localPath);
    const COUNT = 3000;
    const lines = (from: string): string[] =>
      Array.from({ length: COUNT }, (_, i) => `${from} line ${i}`);
    const read = async (session: typeof aliceSession): Promise<string[]> => {
      const got: string[] = [];
      for await (const batch of session.batches()) {
        for (const message of batch) got.push(message.text());
        if (got.length >= COUNT) break;
      }
      return got;
    };
    const [toBob, toAlice] = await Promise.all([
      read(bobSession),
      read(aliceSession),
      aliceSession.sendMany(lines('alice'), { maxPending: 256 }),
      bobSession.sendMany(lines('bob'), { maxPending: 256 }),
    ]);
    expect(toBob).toEqual(lines('alice'));
    expect(toAlice).toEqual(lines('bob'));
  }, 30_000);
});
