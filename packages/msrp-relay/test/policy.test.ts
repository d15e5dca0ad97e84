// What the relay refuses (RFC 4976 §7.1) and how failures further on come back (§7.2).
import { createServer } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { DeliveryError, formatUri, type MsrpUri } from '@msrp-ts/msrp-core';
import { clientOf, endpoint, rawAuth, rawClient, startRelay } from './helpers.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('forwarding policy', () => {
  it("forwards a stranger's request for a relay session only to the session's client", async () => {
    const { relay, uri } = await startRelay();
    const owner = await rawClient(uri.port!);
    const granted = await rawAuth(owner, uri);
    const relayUri = granted.usePath![0]!;
    const stranger = await rawClient(uri.port!);
    // RFC 4976 §7.1: from anyone but its client, a request for the session goes to the
    // client, whatever the next URI names: the relay never relays a stranger elsewhere.
    const elsewhere: MsrpUri = { ...owner.uri, port: 9, sessionId: 'somebodyelse' };
    const misaddressed = await stranger.transact({
      toPath: [relayUri, elsewhere],
      body: 'relay me',
    });
    expect(misaddressed.head.statusCode).toBe(200);
    const got = await owner.request('SEND');
    expect(got.head.toPath.map(formatUri)).toEqual([formatUri(elsewhere)]);
    expect(relay.stats.connectionsOpened.outbound).toBe(0);
    // To the owner, a stranger's request is forwarded over the owner's connection.
    const toOwner = await stranger.transact({ toPath: [relayUri, owner.uri], body: 'for you' });
    expect(toOwner.head.statusCode).toBe(200);
    const delivered = await owner.request('SEND');
    expect(delivered.body.toString()).toBe('for you');
    expect(delivered.head.toPath.map(formatUri)).toEqual([formatUri(owner.uri)]);
    expect(delivered.head.fromPath.map(formatUri)).toEqual([
      formatUri(relayUri),
      formatUri(stranger.uri),
    ]);
  });

  it('answers 481 for a relay session it does not have, or with nothing after it', async () => {
    const { uri } = await startRelay();
    const peer = await rawClient(uri.port!);
    const granted = await rawAuth(peer, uri);
    const unknown = { ...uri, sessionId: 'nosuchsession0' };
    expect((await peer.transact({ toPath: [unknown, peer.uri], body: 'x' })).head.statusCode).toBe(
      481,
    );
    expect(
      (await peer.transact({ toPath: [granted.usePath![0]!], body: 'x' })).head.statusCode,
    ).toBe(481);
  });

  it('logs a request it does not forward with its paths and the reason, as a warning', async () => {
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const quiet = () => undefined;
    const logger = {
      debug: quiet,
      info: quiet,
      error: quiet,
      warn: (fields: Record<string, unknown>, message: string) =>
        warnings.push({ fields, message }),
    };
    const { uri } = await startRelay({ logger });
    const peer = await rawClient(uri.port!);
    const unknown: MsrpUri = { ...uri, sessionId: 'nosuchsession2' };
    const sent = await peer.transact({ toPath: [unknown, peer.uri], body: 'x' });
    expect(sent.head.statusCode).toBe(481);
    const entry = warnings.find((w) => w.message === 'request not forwarded');
    expect(entry?.fields).toMatchObject({
      status: 481,
      reason: 'No such relay session',
      method: 'SEND',
      toPath: [formatUri(unknown), formatUri(peer.uri)],
      fromPath: [formatUri(peer.uri)],
    });
  });

  it('honours Failure-Report: "no" gets no response, "partial" only failures', async () => {
    const { uri } = await startRelay();
    const owner = await rawClient(uri.port!);
    const relayUri = (await rawAuth(owner, uri)).usePath![0]!;
    const stranger = await rawClient(uri.port!);
    stranger.sendRequest({ toPath: [relayUri, owner.uri], body: 'a', failureReport: 'no' });
    stranger.sendRequest({ toPath: [relayUri, owner.uri], body: 'b', failureReport: 'partial' });
    const refused = stranger.sendRequest({
      toPath: [{ ...relayUri, sessionId: 'nosuchsession1' }, owner.uri],
      body: 'c',
      failureReport: 'partial',
    });
    expect((await stranger.response()).head.transactionId).toBe(refused.transactionId);
    expect(stranger.responses).toHaveLength(1);
    expect((await owner.request('SEND')).head.failureReport).toBe('no');
    expect((await owner.request('SEND')).head.failureReport).toBe('partial');
  });

  it('does not time out a "partial" SEND that its next hop rightly left unanswered', async () => {
    const { relay, uri } = await startRelay({ transactionTimeout: 200 });
    const owner = await rawClient(uri.port!);
    const relayUri = (await rawAuth(owner, uri)).usePath![0]!;
    const stranger = await rawClient(uri.port!);
    // RFC 4975 §7.1.2: the receiver of a "partial" SEND sends no 200, so silence is success.
    stranger.sendRequest({ toPath: [relayUri, owner.uri], body: 'p', failureReport: 'partial' });
    await owner.request('SEND');
    // A "yes" SEND after it, left unanswered too: its 408 REPORT comes once its own timeout
    // is over, after the earlier "partial" one's would have come.
    const later = stranger.sendRequest({ toPath: [relayUri, owner.uri], body: 'y' });
    await owner.request('SEND');
    const report = await stranger.request('REPORT');
    expect(report.head.messageId).toBe(later.messageId);
    expect(report.head.status?.code).toBe(408);
    expect(stranger.requests.filter((r) => r.head.method === 'REPORT')).toHaveLength(1);
    expect(relay.stats.errors.get(408)).toBe(1);
  });

  it('holds no sender back for "partial" SENDs its next hop leaves unanswered', async () => {
    const { relay, uri } = await startRelay({ limits: { maxPendingTransactions: 8 } });
    const owner = await rawClient(uri.port!);
    const relayUri = (await rawAuth(owner, uri)).usePath![0]!;
    const stranger = await rawClient(uri.port!);
    for (let i = 0; i < 40; i++)
      stranger.sendRequest({
        toPath: [relayUri, owner.uri],
        body: `${i}`,
        failureReport: 'partial',
      });
    // Held back at 8 unanswered, the 9th would wait for the first's 30 s timeout.
    for (let i = 0; i < 40; i++) expect((await owner.request('SEND')).body.toString()).toBe(`${i}`);
    expect(relay.stats.sendersHeldBack).toBe(0);
  });
});

describe('failures further on', () => {
  it('next hop down: the sender gets a failure REPORT and its send fails with 408', async () => {
    const { relay, uri } = await startRelay();
    const alice = await clientOf('alice', [uri]);
    const session = alice.createSession();
    const nowhere: MsrpUri = {
      scheme: 'msrp',
      host: '127.0.0.1',
      port: await closedPort(),
      sessionId: 'gone1234',
      transport: 'tcp',
      params: [],
    };
    // The relay answers the binding SEND itself (hop by hop)...
    await session.connect([nowhere]);
    // ...and reports the chunk it could not deliver: a sender that waits for the end-to-end
    // success REPORT learns of the failure instead.
    const error = await session
      .send('anyone there?', { successReport: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).status).toBe(408);
    expect(relay.stats.errors.get(408)).toBeGreaterThanOrEqual(1);
  });

  it('the REPORT carries Message-ID, Byte-Range and Status, back along From-Path', async () => {
    const { uri } = await startRelay();
    const peer = await rawClient(uri.port!);
    const relayUri = (await rawAuth(peer, uri)).usePath![0]!;
    const nowhere: MsrpUri = { ...peer.uri, port: await closedPort(), sessionId: 'gone5678' };
    const sent = peer.sendRequest({
      toPath: [relayUri, nowhere],
      body: 'hello',
      byteRange: { start: 1, end: 5, total: 5 },
    });
    expect((await peer.response(sent.transactionId)).head.statusCode).toBe(200);
    const report = await peer.request('REPORT');
    expect(report.head.messageId).toBe(sent.messageId);
    expect(report.head.status?.code).toBe(408);
    expect(report.head.byteRange).toEqual({ start: 1, end: 5, total: 5 });
    expect(report.head.toPath.map(formatUri)).toEqual([formatUri(peer.uri)]);
    expect(report.head.fromPath.map(formatUri)).toEqual([formatUri(relayUri)]);
  });

  it('an error response of the next hop becomes a REPORT with its status', async () => {
    const { uri } = await startRelay();
    const alice = await clientOf('alice', [uri]);
    const bob = endpoint();
    const listening = await bob.listen({ host: '127.0.0.1', port: 0 });
    const session = alice.createSession();
    // Bob listens but has no such session: he answers 481, the relay reports it.
    await session.connect([{ ...listening, sessionId: 'nosession12' }]);
    const error = await session.send('who?', { successReport: true }).catch((e: unknown) => e);
    expect((error as DeliveryError).status).toBe(481);
  });
});
