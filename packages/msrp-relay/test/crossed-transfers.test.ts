// Two peers that send each other at once through one relay, each writing all it sends before it
// answers any of the other's: the responses each owes the relay wait in its connection behind
// its own requests. The relay must not wait for them with that connection unread. It once did,
// until the transaction timeout failed every chunk: with both windows of chunks in flight full
// (a large message each way), and with both next hops past the limit of transactions awaiting
// a response (many small ones).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MsrpUri } from '@msrp-ts/msrp-core';
import type { RelayLimits } from '../src/index.js';
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

/** Alice and Bob, raw peers answering what they get, each with the To-Path to the other. */
async function crossing(limits: RelayLimits): Promise<{
  alice: RawPeer;
  bob: RawPeer;
  toBob: MsrpUri[];
  toAlice: MsrpUri[];
}> {
  // Far longer than the tests: nothing must get through by timing out.
  const { uri } = await startRelay({ limits, transactionTimeout: 120_000 });
  const alice = await rawClient(uri.port!);
  const bob = await rawClient(uri.port!);
  const aliceSession = (await rawAuth(alice, uri, 'alice')).usePath![0]!;
  const bobSession = (await rawAuth(bob, uri, 'bob')).usePath![0]!;
  alice.autoRespond = true;
  bob.autoRespond = true;
  return {
    alice,
    bob,
    toBob: [aliceSession, bobSession, bob.uri],
    toAlice: [bobSession, aliceSession, alice.uri],
  };
}

/** The relay answered every request each peer sent (`sent`), hop by hop, with 200. */
async function answeredAll(sent: Map<RawPeer, Set<string>>): Promise<void> {
  for (const [peer, tids] of sent) {
    // Their AUTHs' two responses too.
    await eventually(() => peer.responses.length >= tids.size + 2, 5000, 'the responses');
    const answers = peer.responses.filter((r) => tids.has(r.head.transactionId));
    expect(answers.map((r) => r.head.statusCode)).toEqual(Array(tids.size).fill(200));
  }
}

describe('Transfers crossing in a relay', () => {
  it('forwards two large messages sent both ways at once, each sender answering only after it wrote all', async () => {
    // Small windows and queues, so that both fill long before either sender is done.
    const { alice, bob, ...paths } = await crossing({
      maxPendingBytes: 64 * 1024,
      maxQueuedBytes: 64 * 1024,
    });
    const toBob = randomBytes(SIZE);
    const toAlice = randomBytes(SIZE);
    const sent = new Map([
      [alice, sendAll(alice, paths.toBob, toBob)],
      [bob, sendAll(bob, paths.toAlice, toAlice)],
    ]);
    await eventually(
      () => received(bob).length === SIZE && received(alice).length === SIZE,
      20_000,
      'both messages to arrive',
    );
    expect(received(bob).equals(toBob)).toBe(true);
    expect(received(alice).equals(toAlice)).toBe(true);
    await answeredAll(sent);
  }, 30_000);

  it('forwards many small messages sent both ways at once past the limit of transactions awaiting a next hop', async () => {
    // Each side has far more messages out than the relay lets await one next hop.
    const { alice, bob, ...paths } = await crossing({ maxPendingTransactions: 16 });
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
      [alice, sendMany(alice, paths.toBob)],
      [bob, sendMany(bob, paths.toAlice)],
    ]);
    const sends = (peer: RawPeer): RawPeer['requests'] =>
      peer.requests.filter((r) => r.head.method === 'SEND');
    const bodies = (peer: RawPeer): string[] => sends(peer).map((r) => r.body.toString());
    await eventually(
      () => sends(alice).length === COUNT && sends(bob).length === COUNT,
      20_000,
      'every message to arrive',
    );
    await answeredAll(sent);
    // In order, each once.
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
