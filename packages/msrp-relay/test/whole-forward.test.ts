// Small SEND chunks and REPORTs forwarded whole, as one frame, to a next hop with nothing
// queued (issue 13: small messages through the relay), and the frames that must not go so:
// they get the same answers as every other request.
import { describe, expect, it } from 'vitest';
import type { MsrpUri } from '@msrp-ts/msrp-core';
import { encodeFrame, formatUri } from '@msrp-ts/msrp-core/internal';
import { rawAuth, rawClient, startRelay, type RawPeer } from './helpers.js';
import type { Relay } from '../src/relay.js';

/** alice and bob authenticated to a fresh relay; `toPath` from alice to bob through it. */
async function pair(options: Parameters<typeof startRelay>[0] = {}): Promise<{
  relay: Relay;
  alice: RawPeer;
  bob: RawPeer;
  aliceUri: MsrpUri;
  bobUri: MsrpUri;
  toPath: MsrpUri[];
}> {
  const { relay, uri } = await startRelay(options);
  const alice = await rawClient(uri.port!);
  const bob = await rawClient(uri.port!);
  const aliceUri = (await rawAuth(alice, uri, 'alice')).usePath![0]!;
  const bobUri = (await rawAuth(bob, uri, 'bob')).usePath![0]!;
  return { relay, alice, bob, aliceUri, bobUri, toPath: [aliceUri, bobUri, bob.uri] };
}

describe('small requests forwarded whole', () => {
  it('chat lines and their REPORTs go whole, answered and settled as streamed ones', async () => {
    const { relay, alice, bob, aliceUri, bobUri, toPath } = await pair();
    for (const body of ['one', 'two', 'three']) {
      const sent = alice.sendRequest({ toPath, body, successReport: 'yes' });
      expect((await alice.response(sent.transactionId)).head.statusCode).toBe(200);
      const got = await bob.request('SEND');
      // RFC 4976 §7.1: the relay sessions crossed move from To-Path to From-Path.
      expect(got.head.toPath).toEqual([bob.uri]);
      expect(got.head.fromPath).toEqual([bobUri, aliceUri, alice.uri]);
      expect(got.head.messageId).toBe(sent.messageId);
      expect(got.head.byteRange).toEqual(sent.byteRange);
      expect(got.head.transactionId).not.toBe(sent.transactionId);
      expect(Buffer.from(got.body).toString()).toBe(body);
      bob.respond(got);
      const report = bob.sendRequest({
        method: 'REPORT',
        toPath: [bobUri, aliceUri, alice.uri],
        messageId: got.head.messageId!,
        byteRange: got.head.byteRange!,
        status: { namespace: '000', code: 200 },
      });
      const back = await alice.request('REPORT').catch((e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify(alice.frames.map((f) => f.head))}`);
      });
      expect(back.head.messageId).toBe(sent.messageId);
      expect(back.head.fromPath).toEqual([aliceUri, bobUri, bob.uri]);
      expect(back.head.transactionId).not.toBe(report.transactionId);
    }
    expect(relay.stats.requestsForwardedWhole).toBe(6);
    expect(relay.stats.requestsForwarded).toBe(6);
    // Pending like a streamed chunk: bob's 481 for the next one becomes a failure REPORT
    // to alice (RFC 4976 §7.2), with the Byte-Range of the bytes lost.
    const sent = alice.sendRequest({ toPath, body: 'four' });
    await alice.response(sent.transactionId);
    bob.respond(await bob.request('SEND'), 481);
    const failure = await alice.request('REPORT');
    expect(failure.head.status?.code).toBe(481);
    expect(failure.head.messageId).toBe(sent.messageId);
    expect(failure.head.byteRange).toEqual({ start: 1, end: 4, total: 4 });
    expect(relay.stats.requestsForwardedWhole).toBe(7);
  });

  it('a next hop that never answers gets the whole chunk reported lost with 408', async () => {
    const { relay, alice, bob, toPath } = await pair({ transactionTimeout: 200 });
    const sent = alice.sendRequest({ toPath, body: 'hello' });
    expect((await alice.response(sent.transactionId)).head.statusCode).toBe(200);
    await bob.request('SEND');
    const failure = await alice.request('REPORT');
    expect(failure.head.status?.code).toBe(408);
    expect(failure.head.byteRange).toEqual({ start: 1, end: 5, total: 5 });
    expect(relay.stats.requestsForwardedWhole).toBe(1);
  });

  it('a body longer than its Byte-Range says is streamed, whole, as before', async () => {
    const { relay, alice, bob, toPath } = await pair();
    const body = 'x'.repeat(300);
    const sent = alice.sendRequest({ toPath, body, byteRange: { start: 1, end: 10, total: 10 } });
    expect((await alice.response(sent.transactionId)).head.statusCode).toBe(200);
    const got = await bob.request('SEND');
    expect(Buffer.from(got.body).toString()).toBe(body);
    expect(relay.stats.requestsForwarded).toBe(1);
    expect(relay.stats.requestsForwardedWhole).toBe(0);
  });

  it('a chunk over maxChunkSize gets 413, whatever its Byte-Range says', async () => {
    const { relay, alice, bob, toPath } = await pair({ limits: { maxChunkSize: 50 } });
    const declared = alice.sendRequest({ toPath, body: 'y'.repeat(100) });
    expect((await alice.response(declared.transactionId)).head.statusCode).toBe(413);
    // The Byte-Range claims 10 bytes: it starts whole, and is streamed once it is not.
    const lying = alice.sendRequest({
      toPath,
      body: 'y'.repeat(100),
      byteRange: { start: 1, end: 10, total: 10 },
    });
    expect((await alice.response(lying.transactionId)).head.statusCode).toBe(413);
    const fits = alice.sendRequest({ toPath, body: 'small' });
    expect((await alice.response(fits.transactionId)).head.statusCode).toBe(200);
    expect(Buffer.from((await bob.request('SEND')).body).toString()).toBe('small');
    expect(bob.requests).toHaveLength(1);
    expect(relay.stats.requestsForwardedWhole).toBe(1);
    expect(relay.stats.errors.get(413)).toBe(2);
  });

  it('a chunk continuing across reads goes whole once its end-line arrives', async () => {
    const { relay, alice, bob, toPath } = await pair();
    const head = alice.requestHead({ toPath, body: 'split across reads' });
    const wire = Buffer.concat(encodeFrame(head, Buffer.from('split across reads'), '$'));
    const cut = wire.indexOf('across');
    alice.write(wire.subarray(0, cut));
    // A round trip through the relay after the first part: the relay has read that part.
    const probe = bob.sendRequest({ toPath: [{ ...toPath[1]!, sessionId: 'none' }, bob.uri] });
    expect((await bob.response(probe.transactionId)).head.statusCode).toBe(481);
    expect(bob.requests).toHaveLength(0);
    alice.write(wire.subarray(cut));
    expect((await alice.response(head.transactionId)).head.statusCode).toBe(200);
    expect(Buffer.from((await bob.request('SEND')).body).toString()).toBe('split across reads');
    expect(relay.stats.requestsForwardedWhole).toBe(1);
  });

  it('frames after whole ones on the same route get the answers they always got', async () => {
    const { relay, alice, bob, aliceUri, bobUri, toPath } = await pair();
    const first = alice.sendRequest({ toPath, body: 'ok' });
    expect((await alice.response(first.transactionId)).head.statusCode).toBe(200);
    await bob.request('SEND');
    // A relay session that does not exist (RFC 4976 §7.1: 481).
    const foreign = alice.sendRequest({
      toPath: [{ ...aliceUri, sessionId: 'nosuchsession' }, bob.uri],
      body: 'ok',
    });
    expect((await alice.response(foreign.transactionId)).head.statusCode).toBe(481);
    // A stranger on a connection that never authenticated, naming alice's session from the
    // outside: it goes to alice, as RFC 4976 §7.1 says, not onward to bob.
    const stranger = await rawClient(toPath[0]!.port!);
    const odd = stranger.sendRequest({ toPath: [aliceUri, bobUri, bob.uri], body: 'hi' });
    expect((await stranger.response(odd.transactionId)).head.statusCode).toBe(200);
    expect((await alice.request('SEND')).head.fromPath).toEqual([aliceUri, stranger.uri]);
    // A bad header value on the same paths: 400 and the connection closes, as for any frame.
    alice.write(
      `MSRP badhead1 SEND\r\nTo-Path: ${toPath.map(formatUri).join(' ')}\r\n` +
        `From-Path: ${formatUri(alice.uri)}\r\nMessage-ID: m1\r\nByte-Range: 1-x/2\r\n` +
        `Content-Type: text/plain\r\n\r\nhi\r\n-------badhead1$\r\n`,
    );
    expect((await alice.response('badhead1')).head.statusCode).toBe(400);
    expect(bob.requests).toHaveLength(1);
    expect(relay.stats.requestsForwardedWhole).toBe(2);
  });
});
