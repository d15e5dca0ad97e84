// The byte-level fast path (issue 13: small messages through the relay): whole small frames
// that repeat the last head forwarded whole on their route, but for the transaction id,
// Message-ID and Byte-Range, are forwarded as bytes. Frames that must not go so get the
// answers they always got.
import { describe, expect, it } from 'vitest';
import type { MsrpUri } from '@msrp-ts/msrp-core';
import { encodeFrame, formatUri } from '@msrp-ts/msrp-core/internal';
import { eventually, rawAuth, rawClient, startRelay, type RawPeer } from './helpers.js';
import type { Relay } from '../src/relay.js';
import { createRelayMetrics } from '../src/metrics.js';

interface Pair {
  relay: Relay;
  alice: RawPeer;
  bob: RawPeer;
  aliceUri: MsrpUri;
  bobUri: MsrpUri;
  toPath: MsrpUri[];
}

/** alice and bob authenticated to a fresh relay; `toPath` from alice to bob through it. */
async function pair(
  options: Parameters<typeof startRelay>[0] = {},
  expires?: number,
): Promise<Pair> {
  const { relay, uri } = await startRelay(options);
  const alice = await rawClient(uri.port!);
  const bob = await rawClient(uri.port!);
  const extra = expires === undefined ? {} : { expires };
  const aliceUri = (await rawAuth(alice, uri, 'alice', extra)).usePath![0]!;
  const bobUri = (await rawAuth(bob, uri, 'bob')).usePath![0]!;
  return { relay, alice, bob, aliceUri, bobUri, toPath: [aliceUri, bobUri, bob.uri] };
}

/** alice sends `body` to bob; bob answers 200; returns what bob got. */
async function chat(p: Pair, body: string): Promise<{ sent: string; tid: string }> {
  const sent = p.alice.sendRequest({ toPath: p.toPath, body });
  expect((await p.alice.response(sent.transactionId)).head.statusCode).toBe(200);
  const got = await p.bob.request('SEND');
  expect(Buffer.from(got.body).toString()).toBe(body);
  expect(got.head.messageId).toBe(sent.messageId);
  p.bob.respond(got);
  return { sent: sent.messageId!, tid: got.head.transactionId };
}

describe('the byte-level fast path', () => {
  it('takes repeated chat lines, their 200s and REPORTs, as the parser would', async () => {
    const p = await pair();
    const { relay, alice, bob, aliceUri, bobUri, toPath } = p;
    await chat(p, 'first, learned by the parser');
    // The next 200 from bob is learned on the parser's way too.
    await chat(p, 'second');
    const before = relay.stats.fastPathFrames;
    for (const body of ['three', 'four', 'five']) {
      const sent = alice.sendRequest({ toPath, body, successReport: 'yes' });
      const ok = await alice.response(sent.transactionId);
      expect(ok.head.statusCode).toBe(200);
      expect(ok.head.toPath).toEqual([alice.uri]);
      expect(ok.head.fromPath).toEqual([aliceUri]);
      const got = await bob.request('SEND');
      // RFC 4976 §7.1: the relay sessions crossed move from To-Path to From-Path.
      expect(got.head.toPath).toEqual([bob.uri]);
      expect(got.head.fromPath).toEqual([bobUri, aliceUri, alice.uri]);
      expect(got.head.transactionId).not.toBe(sent.transactionId);
      expect(got.head.messageId).toBe(sent.messageId);
      expect(got.head.byteRange).toEqual(sent.byteRange);
      expect(got.head.successReport).toBe('yes');
      expect(Buffer.from(got.body).toString()).toBe(body);
      bob.respond(got);
      bob.sendRequest({
        method: 'REPORT',
        toPath: [bobUri, aliceUri, alice.uri],
        messageId: got.head.messageId!,
        byteRange: got.head.byteRange!,
        status: { namespace: '000', code: 200 },
      });
      const report = await alice.request('REPORT');
      expect(report.head.messageId).toBe(sent.messageId);
      expect(report.head.fromPath).toEqual([aliceUri, bobUri, bob.uri]);
    }
    // Three SENDs, the 200s of the last two (bob's first one was learned by the parser...),
    // REPORTs after the first one learned: at least the SENDs and some of each other kind.
    expect(relay.stats.fastPathFrames - before).toBeGreaterThanOrEqual(6);
    expect(relay.stats.requestsForwarded).toBe(8);
    // Every SEND was settled by bob's 200 (none left to time out).
    await eventually(() => relay.queuedBytes === 0, 2000, 'queues to empty');
    expect(relay.stats.errors.size).toBe(0);
    const text = await createRelayMetrics(relay, { processMetrics: false }).metrics();
    expect(text).toContain(`msrp_relay_fast_path_frames_total ${relay.stats.fastPathFrames}`);
    expect(text).toContain('msrp_relay_forwarded_whole_requests_total 8');
  });

  it('pends what it forwards: a 4xx or no answer becomes a failure REPORT', async () => {
    const p = await pair({ transactionTimeout: 300 });
    const { relay, alice, bob, toPath } = p;
    await chat(p, 'learned');
    const before = relay.stats.fastPathFrames;
    const refused = alice.sendRequest({ toPath, body: 'refused' });
    await alice.response(refused.transactionId);
    bob.respond(await bob.request('SEND'), 486);
    const failure = await alice.request('REPORT');
    expect(failure.head.status?.code).toBe(486);
    expect(failure.head.messageId).toBe(refused.messageId);
    expect(failure.head.byteRange).toEqual({ start: 1, end: 7, total: 7 });
    const lost = alice.sendRequest({ toPath, body: 'lost' });
    await alice.response(lost.transactionId);
    await bob.request('SEND');
    // RFC 4975 §7.1: no response in time is a 408.
    const timeout = await alice.request('REPORT', 3000);
    expect(timeout.head.status?.code).toBe(408);
    expect(timeout.head.messageId).toBe(lost.messageId);
    expect(relay.stats.fastPathFrames - before).toBe(2);
  });

  it('leaves frames that differ to the parser, with the answers they always got', async () => {
    const p = await pair({ limits: { maxChunkSize: 600 } });
    const { relay, alice, bob, aliceUri, bobUri, toPath } = p;
    await chat(p, 'learned');
    const fast = (): number => relay.stats.fastPathFrames;
    const before = fast();
    // A foreign To-Path: no such relay session (RFC 4976 §7.1: 481).
    const foreign = alice.sendRequest({
      toPath: [{ ...aliceUri, sessionId: 'nosuch' }, bob.uri],
      body: 'x',
    });
    expect((await alice.response(foreign.transactionId)).head.statusCode).toBe(481);
    // Another From-Path: forwarded as the parser's way always did, with that path.
    const other = { ...alice.uri, sessionId: 'other' };
    const from = alice.sendRequest({ toPath, fromPath: [other], body: 'from another path' });
    expect((await alice.response(from.transactionId)).head.statusCode).toBe(200);
    const got = await bob.request('SEND');
    expect(got.head.fromPath).toEqual([bobUri, aliceUri, other]);
    // Bodies over the bounds: 413 from maxChunkSize; over 1 KiB without it: streamed.
    const big = alice.sendRequest({ toPath, body: 'b'.repeat(700) });
    expect((await alice.response(big.transactionId)).head.statusCode).toBe(413);
    // A body longer than its Byte-Range: streamed, whole.
    const long = alice.sendRequest({
      toPath,
      body: 'l'.repeat(40),
      byteRange: { start: 1, end: 4, total: 4 },
    });
    expect((await alice.response(long.transactionId)).head.statusCode).toBe(200);
    const longGot = await bob.request('SEND');
    expect(Buffer.from(longGot.body).toString()).toBe('l'.repeat(40));
    // A body holding what begins an end-line: the parser finds where it really ends.
    const tricky = 'a\r\n-------notmine$\r\nb';
    const odd = alice.sendRequest({ toPath, body: tricky });
    expect((await alice.response(odd.transactionId)).head.statusCode).toBe(200);
    expect(Buffer.from((await bob.request('SEND')).body).toString()).toBe(tricky);
    // A chunk continuing across reads: the parser has it.
    const head = alice.requestHead({ toPath, body: 'split' });
    const wire = Buffer.concat(encodeFrame(head, Buffer.from('split'), '$'));
    alice.write(wire.subarray(0, wire.length - 10));
    const probe = bob.sendRequest({ toPath: [{ ...bobUri, sessionId: 'none' }, bob.uri] });
    expect((await bob.response(probe.transactionId)).head.statusCode).toBe(481);
    alice.write(wire.subarray(wire.length - 10));
    expect((await alice.response(head.transactionId)).head.statusCode).toBe(200);
    expect(Buffer.from((await bob.request('SEND')).body).toString()).toBe('split');
    // A 200 for a transaction bob never got: dropped, as ever.
    bob.write(
      `MSRP unknowntid1 200 OK\r\nTo-Path: ${formatUri(bobUri)}\r\nFrom-Path: ${formatUri(bob.uri)}\r\n-------unknowntid1$\r\n`,
    );
    // A bad header value: 400, and the connection closes.
    alice.write(
      `MSRP badhead1 SEND\r\nTo-Path: ${toPath.map(formatUri).join(' ')}\r\n` +
        `From-Path: ${formatUri(alice.uri)}\r\nMessage-ID: m1234\r\nByte-Range: 1-x/2\r\n` +
        `Content-Type: text/plain\r\n\r\nhi\r\n-------badhead1$\r\n`,
    );
    expect((await alice.response('badhead1')).head.statusCode).toBe(400);
    expect(relay.stats.protocolErrors).toBe(1);
    expect(fast()).toBe(before);
  });

  // The frame `two` is cut this many bytes before its end: in its end-line, its body, its head.
  it.each([12, 37, 41])(
    'takes the frames after one the last read cut (%i bytes from its end), once the parser has it',
    async (fromEnd) => {
      const p = await pair();
      const { relay, alice, bob, bobUri, toPath } = p;
      const learned = alice.sendRequest({ toPath, body: 'learned' });
      await alice.response(learned.transactionId);
      await bob.request('SEND');
      const frames = ['one', 'two', 'three', 'four'].map((body) => {
        const head = alice.requestHead({ toPath, body });
        return { head, wire: Buffer.concat(encodeFrame(head, Buffer.from(body), '$')) };
      });
      const two = frames[1]!.wire;
      const cut = two.length - fromEnd;
      alice.write(Buffer.concat([frames[0]!.wire, two.subarray(0, cut)]));
      // A round trip through the relay after the first write: the relay has read it.
      const probe = bob.sendRequest({ toPath: [{ ...bobUri, sessionId: 'none' }, bob.uri] });
      expect((await bob.response(probe.transactionId)).head.statusCode).toBe(481);
      expect(relay.stats.fastPathFrames).toBe(1);
      alice.write(Buffer.concat([two.subarray(cut), frames[2]!.wire, frames[3]!.wire]));
      for (const { head } of frames)
        expect((await alice.response(head.transactionId)).head.statusCode).toBe(200);
      const got = [1, 2, 3, 4].map(() => bob.request('SEND'));
      expect((await Promise.all(got)).map((f) => Buffer.from(f.body).toString())).toEqual([
        'one',
        'two',
        'three',
        'four',
      ]);
      // One, three and four: two was the parser's, across the reads.
      expect(relay.stats.fastPathFrames).toBe(3);
    },
  );

  it('goes the parser way once a relay session of the route is gone: 481', async () => {
    const p = await pair({ minExpires: 1 }, 1);
    const { relay, alice, toPath } = p;
    await chat(p, 'learned');
    await chat(p, 'fast');
    // The SEND and bob's 200 for it.
    await eventually(() => relay.stats.fastPathFrames === 2, 2000, 'two frames on the fast path');
    const before = relay.stats.fastPathFrames;
    await eventually(() => relay.sessionCount === 1, 3000, "alice's session to expire");
    const late = alice.sendRequest({ toPath, body: 'late' });
    expect((await alice.response(late.transactionId)).head.statusCode).toBe(481);
    expect(relay.stats.fastPathFrames).toBe(before);
  });

  it('holds the sender back at maxPendingTransactions, as the parser way does', async () => {
    const p = await pair({ limits: { maxPendingTransactions: 2 } });
    const { relay, alice, bob, toPath } = p;
    await chat(p, 'learned');
    const sent = ['one', 'two', 'three'].map((body) => alice.sendRequest({ toPath, body }));
    const first = await bob.request('SEND');
    await bob.request('SEND');
    await eventually(() => relay.stats.sendersHeldBack === 1, 2000, 'alice to be held back');
    expect(bob.requests.filter((r) => r.head.method === 'SEND')).toHaveLength(3);
    bob.respond(first);
    expect(Buffer.from((await bob.request('SEND')).body).toString()).toBe('three');
    for (const s of sent) expect((await alice.response(s.transactionId)).head.statusCode).toBe(200);
  });
});
