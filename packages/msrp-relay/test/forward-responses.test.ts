// How the relay forwards non-SEND requests, REPORTs and Failure-Report variants (RFC 4976 §7,
// RFC 4975 §7): hop-by-hop answers, REPORTs both ways, and what each Failure-Report asks for.
import { describe, expect, it } from 'vitest';
import { formatUri, type MsrpUri } from '@msrp-ts/msrp-core';
import { relayToNextHop } from './helpers.js';

const f = (uris: readonly MsrpUri[]): string[] => uris.map(formatUri);

describe('forwarding', () => {
  it('an unknown method goes on; its response comes back with the sender’s transaction id', async () => {
    const { owner, session, server, nextUri } = await relayToNextHop();
    const sent = owner.sendRequest({ method: 'FOO', toPath: [session, nextUri] });
    const next = await server.peer();
    const got = await next.request('FOO');
    expect(f(got.head.fromPath)).toEqual(f([session, owner.uri]));
    next.respond(got, 501, 'Not implemented here');
    const back = await owner.response(sent.transactionId);
    expect(back.head.statusCode).toBe(501);
    expect(back.head.comment).toBe('Not implemented here');
    expect(f(back.head.toPath)).toEqual(f([owner.uri]));
    expect(f(back.head.fromPath)).toEqual(f([session]));
  });

  it('an unknown method left unanswered gets 408 after transactionTimeout', async () => {
    const { owner, session, server, nextUri } = await relayToNextHop({ transactionTimeout: 300 });
    const sent = owner.sendRequest({ method: 'FOO', toPath: [session, nextUri] });
    await (await server.peer()).request('FOO');
    const back = await owner.response(sent.transactionId, 5000);
    expect(back.head.statusCode).toBe(408);
  });

  it('a REPORT from the next hop goes to the client, unanswered, paths rewritten', async () => {
    const { owner, session, server, nextUri } = await relayToNextHop();
    owner.sendRequest({ toPath: [session, nextUri], body: 'hi' });
    const next = await server.peer();
    const got = await next.request('SEND');
    next.respond(got);
    const report = next.sendRequest({
      method: 'REPORT',
      toPath: [session, owner.uri],
      fromPath: [nextUri],
      messageId: got.head.messageId!,
      byteRange: { start: 1, end: 2, total: 2 },
      status: { namespace: '000', code: 200 },
    });
    const arrived = await owner.request('REPORT');
    expect(f(arrived.head.toPath)).toEqual(f([owner.uri]));
    expect(f(arrived.head.fromPath)).toEqual(f([session, nextUri]));
    expect(arrived.head.status?.code).toBe(200);
    // A REPORT is never answered (RFC 4975 §7.1.2).
    owner.sendRequest({ toPath: [session, nextUri], body: 'again' });
    await next.request('SEND');
    expect(next.responses.filter((r) => r.head.transactionId === report.transactionId)).toEqual([]);
  });

  it('a REPORT from the client is forwarded and not answered', async () => {
    const { owner, session, server, nextUri } = await relayToNextHop();
    const report = owner.sendRequest({
      method: 'REPORT',
      toPath: [session, nextUri],
      messageId: 'message-1',
      byteRange: { start: 1, end: 2, total: 2 },
      status: { namespace: '000', code: 200 },
    });
    const next = await server.peer();
    const got = await next.request('REPORT');
    expect(f(got.head.fromPath)).toEqual(f([session, owner.uri]));
    // A SEND after it: its 200 comes, nothing for the REPORT.
    const sent = owner.sendRequest({ toPath: [session, nextUri], body: 'x' });
    await owner.response(sent.transactionId);
    expect(owner.responses.map((r) => r.head.transactionId)).not.toContain(report.transactionId);
  });

  it('Failure-Report partial: a 4xx from the next hop comes back as a REPORT', async () => {
    const { owner, session, server, nextUri } = await relayToNextHop();
    const sent = owner.sendRequest({
      toPath: [session, nextUri],
      body: 'p',
      failureReport: 'partial',
    });
    const next = await server.peer();
    const got = await next.request('SEND');
    next.respond(got, 486, 'Busy');
    const report = await owner.request('REPORT');
    expect(report.head.messageId).toBe(sent.messageId);
    expect(report.head.status?.code).toBe(486);
    expect(report.head.byteRange).toEqual({ start: 1, end: 1, total: 1 });
    expect(owner.responses.filter((r) => r.head.transactionId === sent.transactionId)).toEqual([]);
  });

  it('Failure-Report no: a 4xx from the next hop is reported to nobody', async () => {
    const { owner, session, server, nextUri } = await relayToNextHop();
    owner.sendRequest({ toPath: [session, nextUri], body: 'n', failureReport: 'no' });
    const next = await server.peer();
    const got = await next.request('SEND');
    // The next hop misbehaves and answers anyway.
    next.writeFrame({
      kind: 'response',
      transactionId: got.head.transactionId,
      statusCode: 481,
      toPath: [got.head.fromPath[0]!],
      fromPath: [nextUri],
    });
    const probe = owner.sendRequest({ toPath: [session, nextUri], body: 'y' });
    await owner.response(probe.transactionId);
    await next.request('SEND');
    expect(owner.requests).toHaveLength(0);
  });
});
