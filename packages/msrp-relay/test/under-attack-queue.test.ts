// "Bytes buffered toward a slow reader" (issue 13) with many senders: one attacker holding
// both ends, a reader that stopped and senders from many connections and addresses, queues
// no more than maxQueuedBytes + one read at the relay, while a well-behaved pair chats on.
import { describe, expect, it } from 'vitest';
import { READ_BYTES } from '../src/reader-budget.js';
import { eventually, rawAuth, rawClient, type RawPeer } from './helpers.js';
import { rawClientFrom, relayWith, talkingPair, watchQueuedPeak } from './attack-helpers.js';

const SENDERS = 32;
const ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];

async function sleeperAndSenders(port: number, uri: Parameters<typeof rawAuth>[1]) {
  const sleeper = await rawClient(port);
  const toSleeper = [(await rawAuth(sleeper, uri, 'bob')).usePath![0]!, sleeper.uri];
  sleeper.socket.pause();
  const senders: RawPeer[] = [];
  for (let s = 0; s < SENDERS; s++)
    senders.push(await rawClientFrom(port, ADDRESSES[s % ADDRESSES.length]!));
  return { sleeper, toSleeper, senders };
}

describe('under attack: many senders toward one reader that stopped', () => {
  it(`${SENDERS} senders from ${ADDRESSES.length} addresses queue within maxQueuedBytes + one read; all is delivered`, async () => {
    const maxQueuedBytes = 256 * 1024;
    const { relay, uri } = await relayWith({ limits: { maxQueuedBytes } });
    const pair = await talkingPair(uri);
    const watch = watchQueuedPeak();
    const { sleeper, toSleeper, senders } = await sleeperAndSenders(uri.port!, uri);
    // Once awake it answers, as a peer does (maxPendingBytes).
    sleeper.autoRespond = true;
    const chunks = 2;
    const size = 256 * 1024;
    senders.forEach((sender, s) => {
      // Each sender's bytes are its own: what arrives is checked sender by sender.
      const body = Buffer.alloc(size, s);
      for (let i = 0; i < chunks; i++) sender.sendRequest({ toPath: toSleeper, body });
    });
    const total = SENDERS * chunks * size;
    await eventually(() => relay.queuedBytes >= maxQueuedBytes / 2, 5000, 'a full queue');
    await pair.more(5);
    expect(watch.peak).toBeLessThanOrEqual(maxQueuedBytes + READ_BYTES);
    expect(relay.stats.bytesForwarded).toBeLessThan(total);
    // The reader wakes up: every held sender is resumed in turn, nothing is lost.
    sleeper.socket.resume();
    const received = () => sleeper.requests.reduce((n, r) => n + r.body.length, 0);
    await eventually(() => received() === total, 20_000, 'every sender delivered');
    const perSender = new Map<number, number>();
    for (const r of sleeper.requests)
      for (const byte of new Set(r.body)) perSender.set(byte, (perSender.get(byte) ?? 0) + 1);
    expect(perSender.size).toBe(SENDERS);
    expect(watch.peak).toBeLessThanOrEqual(maxQueuedBytes + READ_BYTES);
    await pair.more(3);
    await pair.stop();
  });

  it('a reader that stays stopped is dropped after idleTimeout; its held senders are answered 408', async () => {
    const maxQueuedBytes = 128 * 1024;
    // Long enough for the queue to fill after the relay's last write to the sleeper even on
    // a loaded machine (400 ms: beside the CLI tests the sleeper was dropped first).
    const idleTimeout = 2000;
    const { relay, uri } = await relayWith({ limits: { maxQueuedBytes, idleTimeout } });
    const pair = await talkingPair(uri);
    const { toSleeper, senders } = await sleeperAndSenders(uri.port!, uri);
    const body = Buffer.alloc(512 * 1024, 0x62);
    for (const sender of senders) sender.sendRequest({ toPath: toSleeper, body });
    await eventually(() => relay.queuedBytes >= maxQueuedBytes / 2, 5000, 'a full queue');
    // Docs (idleTimeout): a peer that reads nothing for that long is dropped, so the
    // senders it held back are let go, and every chunk it did not get is reported lost
    // (RFC 4975 §7.1.2: 408 as the response, or in a REPORT once it was answered 200).
    await eventually(() => relay.stats.stuckPeersDropped === 1, 10_000, 'the sleeper dropped');
    // Every chunk is answered: 200 for those written whole before (their senders, with no
    // relay session, then close as idle), 408 for those held back behind the sleeper.
    const status = (s: RawPeer) => s.responses[0]?.head.statusCode;
    await eventually(() => senders.every((s) => status(s) !== undefined), 5000, 'every answer');
    const statuses = senders.map(status);
    expect(statuses.every((code) => code === 200 || code === 408)).toBe(true);
    expect(statuses.filter((code) => code === 408).length).toBeGreaterThanOrEqual(SENDERS / 2);
    expect(relay.queuedBytes).toBe(0);
    await pair.more(3);
    await pair.stop();
  });
});
