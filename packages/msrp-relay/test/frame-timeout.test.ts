// Slow senders (slowloris): a frame in progress must make progress within frameTimeout.
import { describe, expect, it } from 'vitest';
import { type MsrpUri } from '@msrp-ts/msrp-core';
import { encodeEndLine, encodeHead } from '@msrp-ts/msrp-core/internal';
import { eventually, onCleanup, rawAuth, rawClient, startRelay, type RawPeer } from './helpers.js';

/** Writes `pieces`, one every `everyMs` ms, until they run out or the peer is closed. */
function trickle(peer: RawPeer, pieces: (string | Uint8Array)[], everyMs: number): void {
  const timer = setInterval(() => {
    const piece = pieces.shift();
    if (piece === undefined || peer.isClosed) return void clearInterval(timer);
    peer.write(piece);
  }, everyMs);
  onCleanup(() => clearInterval(timer));
}

/** A raw client authenticated to the relay at `uri`, with its relay URI. */
async function client(uri: MsrpUri): Promise<{ peer: RawPeer; relayUri: MsrpUri }> {
  const peer = await rawClient(uri.port!);
  return { peer, relayUri: (await rawAuth(peer, uri)).usePath![0]! };
}

describe('frame timeout', () => {
  it('closes an authenticated connection whose head arrives a byte at a time', async () => {
    const { relay, uri } = await startRelay({ limits: { frameTimeout: 300 } });
    const slow = await client(uri);
    const idle = await client(uri);
    const head = 'MSRP a1b2c3d4e5 SEND\r\nTo-Path: msrp://127.0.0.1:9/x;tcp\r\n';
    trickle(slow.peer, [...head], 50);
    const started = Date.now();
    await eventually(() => slow.peer.isClosed, 3000, 'the slow connection closed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(relay.stats.frameTimeouts).toBe(1);
    // Between frames nothing is awaited: an idle client stays.
    expect(idle.peer.isClosed).toBe(false);
    expect(relay.connectionCount).toBe(1);
  });

  it('closes a connection whose body stops, keeps one whose body keeps coming', async () => {
    const { relay, uri } = await startRelay({ limits: { frameTimeout: 600 } });
    const owner = await client(uri);
    const stalled = await client(uri);
    const steady = await client(uri);
    const body = Buffer.alloc(1000, 0x61);
    const send = (from: { peer: RawPeer; relayUri: MsrpUri }) => {
      const head = from.peer.requestHead({
        toPath: [from.relayUri, owner.relayUri, owner.peer.uri],
        body,
      });
      from.peer.write(encodeHead(head));
      return head;
    };
    send(stalled);
    stalled.peer.write(body.subarray(0, 100));
    const head = send(steady);
    // 1000 bytes in 10 pieces 100 ms apart: 1 s in all, each piece well within the timeout.
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < 9; i++) pieces.push(body.subarray(i * 100, (i + 1) * 100));
    pieces.push(body.subarray(900), encodeEndLine(head.transactionId, '$', true));
    trickle(steady.peer, pieces, 100);
    await eventually(() => stalled.peer.isClosed, 3000, 'the stalled connection closed');
    const response = await steady.peer.response(head.transactionId, 3000);
    expect(response.head.statusCode).toBe(200);
    expect(steady.peer.isClosed).toBe(false);
    expect(relay.stats.frameTimeouts).toBe(1);
  });

  it('does not count the time the relay itself holds a sender back', async () => {
    const { relay, uri } = await startRelay({
      limits: { frameTimeout: 300, maxPendingTransactions: 1 },
    });
    const receiver = await client(uri);
    const toReceiver = [receiver.relayUri, receiver.peer.uri];
    const holder = await rawClient(uri.port!);
    holder.sendRequest({ toPath: toReceiver, body: 'never answered' });
    await receiver.peer.request('SEND');
    const heldBack = await rawClient(uri.port!);
    heldBack.sendRequest({ toPath: toReceiver, body: 'waits its turn' });
    await eventually(() => relay.stats.sendersHeldBack === 1, 2000, 'the sender held back');
    // A slow head started after it: once that one is closed, the held-back sender has waited
    // longer than frameTimeout too.
    const slow = await client(uri);
    trickle(slow.peer, [...'MSRP a1b2c3d4e5 SEND\r\nTo-Path: msrp://127.0.0.1:9/x;tcp\r\n'], 50);
    await eventually(() => slow.peer.isClosed, 3000, 'the slow connection closed');
    expect(heldBack.isClosed).toBe(false);
    expect(relay.stats.frameTimeouts).toBe(1);
  });
});
